"""The embedded report font: DejaVu Sans from matplotlib's package data, registered once.

The fourteen standard PDF fonts use WinAnsi encoding, which has no ā ē ī ō ū;
a TrueType font embedded (subset) in each PDF draws them as real, searchable
text. matplotlib ships DejaVu Sans and installs through pip, so no system
font package is needed (docs/adr/0006-report-jobs-and-font.md). matplotlib is
located, never imported: importing it costs far more than a report.

Writing the embedded subset (the TrueType program, its widths and its
ToUnicode map, compressed) was two thirds of the time of a one-page report.
`ReportFont` gives every document the same first subset — ASCII plus the
macron vowels and the punctuation reports use — and keeps the finished,
compressed objects of each subset it has written, so a worker builds them
once and then only copies bytes (docs/PERFORMANCE.md, "Where the time goes").
"""

import importlib.util
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    makeToUnicodeCMap,
)

REGULAR = "TautokoSans"
BOLD = "TautokoSans-Bold"
ITALIC = "TautokoSans-Oblique"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
}
# Characters given fixed codes 1–31 of the first subset in every document, so that
# subset is the same bytes each time (the ASCII block 32–127 is fixed already).
FIXED_CHARACTERS = "āēīōūĀĒĪŌŪ—–‘’“”…·•→éÉèüö×°≥≤ʻ✓"
# Subsets kept per face; a worker renders the same few again and again.
SUBSET_CACHE_SIZE = 64

_lock = threading.Lock()
_registered = False


class ReportFontMissing(RuntimeError):
    """The font files are not installed (matplotlib missing from the environment)."""


@dataclass(frozen=True)
class _SubsetObjects:
    """The finished PDF pieces of one font subset: formatted widths, compressed streams."""

    widths: bytes
    to_unicode: bytes
    font_program: bytes
    font_program_length: int


class ReportFont(TTFont):
    """A TrueType font whose first subset is fixed and whose written subsets are reused.

    Behaves as reportlab's TTFont (text stays real, searchable Unicode text
    with a ToUnicode map); only the choice of codes in the first subset and
    the reuse of finished subset objects differ.
    """

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename, asciiReadable=True)
        glyphs = self.face.charToGlyph
        self._fixed_codes = [ord(c) for c in FIXED_CHARACTERS if ord(c) in glyphs][:31]
        self._subsets: OrderedDict[tuple[int, ...], _SubsetObjects] = OrderedDict()
        self._subsets_lock = threading.Lock()

    def _fixed_state(self) -> TTFont.State:
        state = TTFont.State(True, self)
        first = state.subsets[0]
        for position, code in enumerate(self._fixed_codes, start=1):
            first[position] = code
            state.assignments[code] = position
        # With codes 1-31 taken, reportlab's next free code is 128 (after the ASCII block).
        state.nextCode = 128 if len(self._fixed_codes) == 31 else len(self._fixed_codes) + 1
        return state

    def splitString(self, text, doc, encoding="utf-8"):
        if doc not in self.state:
            self.state[doc] = self._fixed_state()
        return super().splitString(text, doc, encoding)

    def _subset_objects(self, base_name: str, subset: tuple[int, ...]) -> _SubsetObjects:
        key = (base_name, *subset)
        with self._subsets_lock:
            found = self._subsets.get(key)
            if found is not None:
                self._subsets.move_to_end(key)
                return found
        program = self.face.makeSubset(list(subset))
        found = _SubsetObjects(
            widths=pdfdoc.PDFArray([self.face.getCharWidth(c) for c in subset]).format(None),
            to_unicode=zlib.compress(makeToUnicodeCMap(base_name, list(subset)).encode("utf-8")),
            font_program=zlib.compress(program),
            font_program_length=len(program),
        )
        with self._subsets_lock:
            self._subsets[key] = found
            while len(self._subsets) > SUBSET_CACHE_SIZE:
                self._subsets.popitem(last=False)
        return found

    def addObjects(self, doc):
        """Add the font's subsets to `doc` (as TTFont.addObjects, from finished pieces)."""
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = self._fixed_state()
        state.frozen = 1
        face = self.face
        for index, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            base_name = b"".join((SUBSETN(index), b"+", face.name, face.subfontNameX)).decode(
                "pdfdoc"
            )
            pieces = self._subset_objects(base_name, tuple(subset))
            font_file = _compressed_stream(pieces.font_program, Length1=pieces.font_program_length)
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(base_name),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": doc.Reference(font_file, f"fontFile:{face.filename}({base_name})"),
                    "MissingWidth": face.defaultWidth,
                }
            )
            font = pdfdoc.PDFTrueTypeFont()
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pieces.widths
            font.ToUnicode = doc.Reference(
                _compressed_stream(pieces.to_unicode), f"toUnicodeCMap:{base_name}"
            )
            font.FontDescriptor = doc.Reference(descriptor, f"fontDescriptor:{base_name}")
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


def _compressed_stream(content: bytes, **entries) -> pdfdoc.PDFStream:
    """A stream whose content is already Flate-compressed (reportlab leaves it as it is)."""
    dictionary = pdfdoc.PDFDictionary(
        {"Filter": pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")]), **entries}
    )
    return pdfdoc.PDFStream(dictionary=dictionary, content=content)


def font_directory() -> Path:
    """The folder holding matplotlib's bundled TrueType fonts."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ReportFontMissing("matplotlib is not installed; it ships the report font.")
    for location in spec.submodule_search_locations:
        folder = Path(location) / "mpl-data" / "fonts" / "ttf"
        if (folder / _FILES[REGULAR]).is_file():
            return folder
    raise ReportFontMissing("DejaVu Sans was not found in matplotlib's package data.")


def register_report_fonts() -> None:
    """Register the report font family with reportlab (idempotent, thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        folder = font_directory()
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(ReportFont(name, str(folder / filename)))
        # Lets <b> and <i> in Paragraph markup pick the matching face.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, ITALIC)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True
