"""The embedded report font: DejaVu Sans from matplotlib's package data, registered once.

The fourteen standard PDF fonts use WinAnsi encoding, which has no ā ē ī ō ū;
a TrueType font embedded (subset) in each PDF draws them as real, searchable
text. matplotlib ships DejaVu Sans and installs through pip, so no system
font package is needed (docs/adr/0006-report-jobs-and-font.md). matplotlib is
located, never imported: importing it costs far more than a report.
"""

import importlib.util
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "TautokoSans"
BOLD = "TautokoSans-Bold"
ITALIC = "TautokoSans-Oblique"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
}
_lock = threading.Lock()
_registered = False


class ReportFontMissing(RuntimeError):
    """The font files are not installed (matplotlib missing from the environment)."""


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
            pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
        # Lets <b> and <i> in Paragraph markup pick the matching face.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, ITALIC)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True
