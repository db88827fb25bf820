"""The shared A4 page: styles, header and footer with page numbers, tables and headings."""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reporting import fonts

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#0b6e4f")
RULE = colors.HexColor("#cbd2d9")
STRIPE = colors.HexColor("#f0f4f8")

NZ = ZoneInfo("Pacific/Auckland")
MARGIN = 18 * mm
FRAME_PADDING = 6  # platypus Frame's default padding on each side
CONTENT_WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    empty: ParagraphStyle


_styles: Styles | None = None


def styles() -> Styles:
    """The report styles, built once after the font is registered."""
    global _styles
    if _styles is None:
        fonts.register_report_fonts()
        base = ParagraphStyle(
            "body", fontName=fonts.REGULAR, fontSize=9.5, leading=13, textColor=INK
        )
        _styles = Styles(
            title=ParagraphStyle(
                "title", parent=base, fontName=fonts.BOLD, fontSize=18, leading=22, spaceAfter=2
            ),
            subtitle=ParagraphStyle(
                "subtitle", parent=base, fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=8
            ),
            heading=ParagraphStyle(
                "heading",
                parent=base,
                fontName=fonts.BOLD,
                fontSize=12.5,
                leading=16,
                textColor=ACCENT,
                spaceBefore=10,
                spaceAfter=4,
                keepWithNext=1,
            ),
            subheading=ParagraphStyle(
                "subheading", parent=base, fontName=fonts.BOLD, fontSize=10, spaceBefore=4
            ),
            body=base,
            small=ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=MUTED),
            # Words are never split inside a cell (a column header must read "Payments").
            cell=ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, splitLongWords=0),
            cell_right=ParagraphStyle(
                "cell_right",
                parent=base,
                fontSize=8.5,
                leading=10.5,
                alignment=TA_RIGHT,
                splitLongWords=0,
            ),
            empty=ParagraphStyle("empty", parent=base, textColor=MUTED),
        )
    return _styles


@dataclass(frozen=True)
class PageFrame:
    """What every page carries: the report's title, the agency, who made it and when."""

    title: str
    agency_name: str
    generated_by: str
    generated_at: datetime


def _numbered_canvas(frame: PageFrame):
    """A canvas class that writes "Page n of m" once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._draw_frame(total)
                super().showPage()
            super().save()

        def _draw_frame(self, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, height - 12 * mm, width - MARGIN, height - 12 * mm)
            self.line(MARGIN, 13 * mm, width - MARGIN, 13 * mm)
            self.setFillColor(MUTED)
            self.setFont(fonts.REGULAR, 7.5)
            self.drawString(MARGIN, height - 10.5 * mm, frame.agency_name)
            self.drawRightString(width - MARGIN, height - 10.5 * mm, frame.title)
            stamp = frame.generated_at.strftime("%d %b %Y %H:%M %Z").strip()
            self.drawString(MARGIN, 9 * mm, f"Generated {stamp} by {frame.generated_by} · Tautoko")
            self.drawRightString(width - MARGIN, 9 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def build_pdf(frame: PageFrame, story: list, *, subject: str = "") -> bytes:
    """Lay out `story` on A4 pages with the shared header and footer; return the PDF bytes."""
    styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=17 * mm,
        bottomMargin=18 * mm,
        title=frame.title,
        author=frame.agency_name,
        subject=subject,
        creator="Tautoko",
        # Starting in the report font keeps Helvetica (and its encoding table) out of the file.
        initialFontName=fonts.REGULAR,
    )
    doc.build(story, canvasmaker=_numbered_canvas(frame))
    return buffer.getvalue()


def text(value: object) -> str:
    """Escape a value for Paragraph markup (names may hold & or <)."""
    return escape("" if value is None else str(value))


def para(value: object, style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(text(value), style or styles().body)


def title(label: str) -> Paragraph:
    """The document's title line."""
    return Paragraph(text(label), styles().title)


def heading(label: str) -> Paragraph:
    """A section heading; labels are bilingual where natural ("Ngā whāinga / Goals")."""
    return Paragraph(text(label), styles().heading)


def nothing_recorded(what: str, *, in_period: bool = True) -> Paragraph:
    """The line shown instead of an empty table."""
    words = f"No {what} recorded for this period." if in_period else f"No {what} held."
    return Paragraph(text(words), styles().empty)


def display(value: object) -> str:
    """A plain value as a reader sees it: dates as 3 Mar 2026, booleans as Yes/No, None as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        # Times are stored in UTC and read in New Zealand time.
        local = value.astimezone(NZ) if value.tzinfo is not None else value
        return local.strftime("%d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d %b %Y")
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(display(v) for v in value) or "—"
    return str(value)


def auto_widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[float]:
    """Column widths (fractions of the content width) fitted to the text of each column.

    For tables whose columns the report does not know in advance (a section
    provider's rows). Columns whose text is short get its full width (dates
    and statuses stay on one line); the rest of the page goes to the columns
    with long text, in proportion, which then wrap at spaces.
    """
    columns = len(header)

    def width(value: str, font: str) -> float:
        return pdfmetrics.stringWidth(value, font, CELL_FONT_SIZE) + 2 * CELL_PADDING

    natural = [0.0] * columns
    for index, label in enumerate(header):
        # A header may wrap at its spaces, so only its longest word must fit.
        natural[index] = max(width(w, fonts.BOLD) for w in str(label).split() or [""])
    for row in rows:
        for index, value in enumerate(row[:columns]):
            natural[index] = max(natural[index], width(str(value), fonts.REGULAR))
    total = sum(natural)
    if total <= CONTENT_WIDTH:
        return [n / total for n in natural]
    # Fill from the narrowest column up: each keeps its natural width while that is no
    # more than an even share of what is left; the wider rest share the remainder.
    widths = [0.0] * columns
    remaining = CONTENT_WIDTH
    order = sorted(range(columns), key=lambda i: natural[i])
    for position, index in enumerate(order):
        if natural[index] > remaining / (columns - position):
            rest = order[position:]
            rest_total = sum(natural[i] for i in rest)
            for i in rest:
                widths[i] = remaining * natural[i] / rest_total
            break
        widths[index] = natural[index]
        remaining -= natural[index]
    return [w / CONTENT_WIDTH for w in widths]


def money(value: Decimal | None) -> str:
    """NZD with thousands separators, e.g. $1,234.50."""
    if value is None:
        return "—"
    return f"${Decimal(value):,.2f}"


CELL_FONT_SIZE = 8.5
CELL_LEADING = 10.5
CELL_PADDING = 6  # reportlab's default left and right cell padding


def _fits(value: str, font: str, width: float | None) -> bool:
    """Does `value` fit on one line of a cell `width` points wide?"""
    return (
        width is not None
        and "\n" not in value
        and pdfmetrics.stringWidth(value, font, CELL_FONT_SIZE) <= width - 2 * CELL_PADDING
    )


def _cell(value: object, width: float | None, *, bold: bool, right: bool) -> object:
    """A cell: the plain string when it fits on one line, else a wrapping Paragraph.

    Plain strings are drawn straight onto the page; a Paragraph is parsed and
    measured, which is most of a table's cost. The table's style gives both
    the same font, size, leading and alignment, so they look alike.
    """
    plain = "" if value is None else str(value)
    if _fits(plain, fonts.BOLD if bold else fonts.REGULAR, width):
        return plain
    s = styles()
    markup = text(plain)
    return Paragraph(f"<b>{markup}</b>" if bold else markup, s.cell_right if right else s.cell)


def _cell_commands() -> list:
    return [
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, CELL_FONT_SIZE, CELL_LEADING),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    widths: Sequence[float] | None = None,
    numeric: Sequence[int] = (),
    total_row: bool = False,
) -> Table:
    """A striped table; long text wraps, `numeric` columns align right.

    `widths` are fractions of the content width. Keep tables small (a
    section each): reportlab lays out many small tables faster than one
    large one.
    """
    numeric = set(numeric)
    absolute = [w * CONTENT_WIDTH for w in widths] if widths is not None else None

    def width(column: int) -> float | None:
        return absolute[column] if absolute is not None and column < len(absolute) else None

    data = [[_cell(h, width(i), bold=True, right=i in numeric) for i, h in enumerate(header)]]
    body = [list(r) for r in rows]
    for index, row in enumerate(body):
        is_total = total_row and index == len(body) - 1
        data.append(
            [_cell(v, width(i), bold=is_total, right=i in numeric) for i, v in enumerate(row)]
        )
    result = Table(data, colWidths=absolute, repeatRows=1, hAlign="LEFT")
    commands = [
        *_cell_commands(),
        ("FONT", (0, 0), (-1, 0), fonts.BOLD, CELL_FONT_SIZE, CELL_LEADING),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for column in numeric:
        commands.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    for index in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), STRIPE))
    if total_row and len(data) > 1:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.6, INK))
        commands.append(("FONT", (0, -1), (-1, -1), fonts.BOLD, CELL_FONT_SIZE, CELL_LEADING))
    result.setStyle(TableStyle(commands))
    return result


def facts(pairs: Sequence[tuple[str, object]], *, label_width: float = 0.3) -> Table:
    """A two-column label/value block for a record's details (`label_width`: a fraction)."""
    widths = [label_width * CONTENT_WIDTH, (1 - label_width) * CONTENT_WIDTH]
    data = [
        [
            _cell(label, widths[0], bold=True, right=False),
            _cell(value, widths[1], bold=False, right=False),
        ]
        for label, value in pairs
    ]
    result = Table(data, colWidths=widths, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                *_cell_commands(),
                ("FONT", (0, 0), (0, -1), fonts.BOLD, CELL_FONT_SIZE, CELL_LEADING),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ]
        )
    )
    return result


def section(label: str, *flowables) -> list:
    """A heading (kept with what follows it) and its content, a little space between parts."""
    story: list = [heading(label)]
    for index, flowable in enumerate(flowables):
        if index:
            story.append(Spacer(1, 1.5 * mm))
        story.append(flowable)
    story.append(Spacer(1, 2 * mm))
    return story


def keep(*flowables) -> KeepTogether:
    """Flowables that must share a page (a chart and its caption)."""
    return KeepTogether(list(flowables))
