"""Vector charts drawn with reportlab.graphics: the ecomap and simple time-series and bar charts."""

import math
from collections.abc import Sequence
from datetime import date

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Circle, Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from reporting import fonts
from reporting.pdf.document import ACCENT, CONTENT_WIDTH, INK, MUTED, RULE

QUALITY_COLOURS = {
    "supportive": colors.HexColor("#0b6e4f"),
    "mixed": colors.HexColor("#c27c0e"),
    "stressful": colors.HexColor("#b42318"),
}
SERIES_COLOURS = [ACCENT, colors.HexColor("#2f6fb0"), colors.HexColor("#c27c0e")]


def ecomap(ties: Sequence[dict], *, centre_label: str, height: float = 78 * mm) -> Drawing:
    """The client at the centre and each current tie around them (an ecomap).

    Each tie dict has `label`, `strength` (1–5, drawn as line width) and
    `quality` (supportive / mixed / stressful: colour; stressful ties dashed).
    """
    width = CONTENT_WIDTH
    drawing = Drawing(width, height)
    # The legend has its own band at the bottom, so no tie's label runs into it.
    legend_band = 7 * mm
    cx, cy = width / 2, legend_band + (height - legend_band) / 2
    radius = min(cx, (height - legend_band) / 2) - 9 * mm
    count = len(ties)
    # A crowded map gets smaller, shorter labels so neighbours do not run together.
    label_size, label_width = (7, 42 * mm) if count <= 12 else (6, 30 * mm)
    for index, tie in enumerate(ties):
        angle = math.pi / 2 - 2 * math.pi * index / max(count, 1)
        x, y = cx + radius * 1.55 * math.cos(angle), cy + radius * math.sin(angle)
        colour = QUALITY_COLOURS.get(tie["quality"], MUTED)
        line = Line(cx, cy, x, y, strokeColor=colour, strokeWidth=0.6 + 0.7 * tie["strength"])
        if tie["quality"] == "stressful":
            line.strokeDashArray = [3, 2]
        drawing.add(line)
        drawing.add(Circle(x, y, 3.2 * mm, fillColor=colors.white, strokeColor=colour))
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        offset_x = 4.5 * mm if anchor == "start" else -4.5 * mm if anchor == "end" else 0
        offset_y = 0 if anchor != "middle" else (4.5 * mm if math.sin(angle) > 0 else -6 * mm)
        drawing.add(
            String(
                x + offset_x,
                y + offset_y - 1,
                _clip(tie["label"], fonts.REGULAR, label_size, label_width),
                fontName=fonts.REGULAR,
                fontSize=label_size,
                fillColor=INK,
                textAnchor=anchor,
            )
        )
    drawing.add(Circle(cx, cy, 9 * mm, fillColor=ACCENT, strokeColor=ACCENT))
    drawing.add(
        String(
            cx,
            cy - 2.5,
            _centre_label(centre_label, 16 * mm),
            fontName=fonts.BOLD,
            fontSize=7.5,
            fillColor=colors.white,
            textAnchor="middle",
        )
    )
    legend_y = 2
    for offset, (quality, colour) in enumerate(QUALITY_COLOURS.items()):
        x = 2 + offset * 28 * mm
        drawing.add(
            Line(x, legend_y + 3, x + 8 * mm, legend_y + 3, strokeColor=colour, strokeWidth=2)
        )
        drawing.add(
            String(
                x + 9 * mm,
                legend_y,
                quality.title(),
                fontName=fonts.REGULAR,
                fontSize=7,
                fillColor=MUTED,
            )
        )
    return drawing


def _clip(label: str, font: str, size: float, width: float) -> str:
    """`label`, shortened with an ellipsis to fit `width` points."""
    if stringWidth(label, font, size) <= width:
        return label
    while label and stringWidth(label + "…", font, size) > width:
        label = label[:-1]
    return label.rstrip() + "…"


def _centre_label(name: str, width: float) -> str:
    """The client's name inside the centre circle: in full if it fits, else the first name."""
    if stringWidth(name, fonts.BOLD, 7.5) <= width:
        return name
    return _clip(name.split(" ")[0], fonts.BOLD, 7.5, width)


def time_series(
    series: Sequence[tuple[str, Sequence[tuple[date, float]]]],
    *,
    height: float = 55 * mm,
    y_max: float | None = None,
) -> Drawing:
    """A line chart of one or more named series of (date, value) points."""
    width = CONTENT_WIDTH
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y = 14 * mm, 14 * mm
    plot.width, plot.height = width - 20 * mm, height - 20 * mm
    data = [[(day.toordinal(), float(value)) for day, value in points] for _, points in series]
    plot.data = data
    days = [x for points in data for x, _ in points]
    values = [y for points in data for _, y in points]
    low, high = min(days), max(days)
    if low == high:
        low, high = low - 15, high + 15
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = low, high
    plot.xValueAxis.valueSteps = sorted(set(days)) if len(set(days)) <= 8 else None
    plot.xValueAxis.labelTextFormat = lambda v: date.fromordinal(int(v)).strftime("%d %b %y")
    plot.xValueAxis.labels.fontName = fonts.REGULAR
    plot.xValueAxis.labels.fontSize = 6.5
    plot.xValueAxis.labels.angle = 0
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.valueMax = y_max or max(5, math.ceil(max(values) * 1.15))
    plot.yValueAxis.labels.fontName = fonts.REGULAR
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = RULE
    for index in range(len(data)):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        plot.lines[index].strokeColor = colour
        plot.lines[index].strokeWidth = 1.4
        plot.lines[index].symbol = makeMarker("FilledCircle", size=3.5, fillColor=colour)
    drawing.add(plot)
    drawing.add(_legend([name for name, _ in series], x=14 * mm, y=4))
    return drawing


def bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    height: float = 60 * mm,
    money_axis: bool = False,
) -> Drawing:
    """A grouped vertical bar chart (e.g. aid per month); values in dollars if `money_axis`."""
    width = CONTENT_WIDTH
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 18 * mm, 16 * mm
    chart.width, chart.height = width - 24 * mm, height - 22 * mm
    chart.data = [list(map(float, values)) for _, values in series]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = fonts.REGULAR
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.REGULAR
    chart.valueAxis.labels.fontSize = 7
    if money_axis:
        chart.valueAxis.labelTextFormat = lambda value: f"${value:,.0f}"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    for index in range(len(series)):
        chart.bars[index].fillColor = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend([name for name, _ in series], x=18 * mm, y=3))
    return drawing


def _legend(names: Sequence[str], *, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 45 * mm
    legend.fontName = fonts.REGULAR
    legend.fontSize = 7
    legend.boxAnchor = "sw"
    legend.dx = legend.dy = 6
    legend.colorNamePairs = [
        (SERIES_COLOURS[i % len(SERIES_COLOURS)], name) for i, name in enumerate(names)
    ]
    return legend
