"""Bar charts drawn on the server as SVG geometry (templates/reports/_charts.html draws it), so a
printed report and its PDF need no JavaScript. Only attributes, never style="", which the
Content-Security-Policy forbids. Labels stay out of the SVG (HTML under it): they may be
Arabic, which SVG text does not shape everywhere."""

from dataclasses import dataclass

# The drawing's own units; the stylesheet scales the SVG to its column.
WIDTH = 320
HEIGHT = 100
TOP = 18  # room for the figure above the tallest bar
BOTTOM = 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float  # where the figure is centred
    figure: str  # the value as printed, "—" for none
    current: bool  # the report's own month, drawn darker


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]  # left to right
    labels: list[str]  # in the points' order: the page's direction lays them out
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM


def bar_chart(
    title: str,
    points: list[tuple[str, float | None, str]],
    rtl: bool,
    ceiling: float | None = None,
) -> BarChart:
    """Vertical bars for (label, value, figure) points, oldest first; the last is the current
    one. Right to left for Arabic: the first point stands on the right. `ceiling` is the value
    of a full-height bar (100 for percentages), else the largest value."""
    top = ceiling or max((value or 0 for _, value, _ in points), default=0) or 1
    slot = WIDTH / max(len(points), 1)
    width = slot * 0.6
    usable = HEIGHT - TOP - BOTTOM
    bars = []
    for index, (_, value, figure) in enumerate(points):
        place = len(points) - 1 - index if rtl else index
        height = usable * (value or 0) / top
        left = place * slot + (slot - width) / 2
        bars.append(
            Bar(
                x=round(left, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(width, 1),
                height=round(height, 1),
                centre=round(left + width / 2, 1),
                figure=figure,
                current=index == len(points) - 1,
            )
        )
    bars.sort(key=lambda bar: bar.x)
    return BarChart(title, bars, [label for label, _, _ in points])
