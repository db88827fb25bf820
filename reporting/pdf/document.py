"""The shared A4 page: styles, header and footer with page numbers, tables and headings."""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
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

MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN


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
            cell=ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
            cell_right=ParagraphStyle(
                "cell_right", parent=base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
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
    )
    doc.build(story, canvasmaker=_numbered_canvas(frame))
    return buffer.getvalue()


def text(value: object) -> str:
    """Escape a value for Paragraph markup (names may hold & or <)."""
    return escape("" if value is None else str(value))


def para(value: object, style: ParagraphStyle | None = None) -> Paragraph:
    return Paragraph(text(value), style or styles().body)


def heading(label: str) -> Paragraph:
    """A section heading; labels are bilingual where natural ("Ngā whāinga / Goals")."""
    return Paragraph(text(label), styles().heading)


def nothing_recorded(what: str) -> Paragraph:
    return Paragraph(text(f"No {what} recorded for this period."), styles().empty)


def money(value: Decimal | None) -> str:
    """NZD with thousands separators, e.g. $1,234.50."""
    if value is None:
        return "—"
    return f"${Decimal(value):,.2f}"


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    widths: Sequence[float] | None = None,
    numeric: Sequence[int] = (),
    total_row: bool = False,
) -> Table:
    """A striped table of Paragraph cells (so long text wraps); `numeric` columns align right."""
    s = styles()
    numeric = set(numeric)

    def cell(value: object, column: int, bold: bool = False) -> Paragraph:
        style = s.cell_right if column in numeric else s.cell
        markup = text(value)
        return Paragraph(f"<b>{markup}</b>" if bold else markup, style)

    data = [[cell(h, i, bold=True) for i, h in enumerate(header)]]
    body = [list(r) for r in rows]
    for index, row in enumerate(body):
        is_total = total_row and index == len(body) - 1
        data.append([cell(v, i, bold=is_total) for i, v in enumerate(row)])
    if widths is not None:
        widths = [w * CONTENT_WIDTH for w in widths]
    result = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for index in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), STRIPE))
    if total_row and len(data) > 1:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.6, INK))
    result.setStyle(TableStyle(commands))
    return result


def facts(pairs: Sequence[tuple[str, object]]) -> Table:
    """A two-column label/value block for a record's details."""
    s = styles()
    data = [
        [Paragraph(f"<b>{text(label)}</b>", s.cell), Paragraph(text(value), s.cell)]
        for label, value in pairs
    ]
    result = Table(data, colWidths=[0.3 * CONTENT_WIDTH, 0.7 * CONTENT_WIDTH], hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ]
        )
    )
    return result


def section(label: str, *flowables) -> list:
    """A heading (kept with what follows it) and its content."""
    return [heading(label), *flowables, Spacer(1, 2 * mm)]


def keep(*flowables) -> KeepTogether:
    """Flowables that must share a page (a chart and its caption)."""
    return KeepTogether(list(flowables))
