"""The report's bar charts: heights in proportion, the current month marked, and right to left
for Arabic."""

from feedback.web.charts import HEIGHT, TOP, bar_chart

POINTS = [("Jan", 10, "10"), ("Feb", None, "—"), ("Mar", 40, "40")]


def test_bars_stand_in_proportion_left_to_right():
    chart = bar_chart("Received", POINTS, rtl=False)
    assert [bar.figure for bar in chart.bars] == ["10", "—", "40"]
    tallest = chart.bars[2]
    assert tallest.height == chart.baseline - TOP and tallest.y == TOP
    assert chart.bars[0].height == round(tallest.height / 4, 1)
    assert chart.bars[1].height == 0  # nothing to measure: no bar, a dash
    assert [bar.current for bar in chart.bars] == [False, False, True]
    assert chart.labels == ["Jan", "Feb", "Mar"]
    assert chart.height == HEIGHT


def test_right_to_left_the_first_month_stands_on_the_right():
    chart = bar_chart("Received", POINTS, rtl=True)
    assert [bar.figure for bar in chart.bars] == ["40", "—", "10"]  # left to right
    assert chart.bars[0].current and chart.bars[0].x < chart.bars[2].x
    assert chart.labels == ["Jan", "Feb", "Mar"]  # the page's direction lays them out


def test_a_percentage_is_drawn_against_a_hundred():
    chart = bar_chart("Within deadline", [("Jan", 50, "50%")], rtl=False, ceiling=100)
    assert chart.bars[0].height == round((chart.baseline - TOP) / 2, 1)
