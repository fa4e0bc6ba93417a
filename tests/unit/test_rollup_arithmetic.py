"""The rollups' arithmetic (feedback.domain.rollup): buckets keep durations in order, a period's
pieces cover each of its days exactly once, and the rank search lands where a sort would."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from feedback.domain.rollup import (
    DURATION_BOUNDS,
    duration_bucket,
    locate_rank,
    nearest_rank,
    period_pieces,
)

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


def test_bounds_rise_from_a_minute_to_about_two_years():
    assert DURATION_BOUNDS[0] == 60
    assert all(a < b for a, b in zip(DURATION_BOUNDS, DURATION_BOUNDS[1:], strict=False))
    assert 600 * 86400 < DURATION_BOUNDS[-1] < 700 * 86400


@given(st.integers(-(10**9), 10**10), st.integers(-(10**9), 10**10))
def test_buckets_are_ordered_as_the_durations(a, b):
    if a <= b:
        assert duration_bucket(a) <= duration_bucket(b)


def test_bucket_edges():
    assert duration_bucket(None) is None
    assert duration_bucket(-5) == duration_bucket(0) == duration_bucket(59) == 0
    assert duration_bucket(60) == 1
    assert duration_bucket(DURATION_BOUNDS[-1]) == len(DURATION_BOUNDS)


@given(days, st.integers(0, 3 * 366))
def test_pieces_cover_every_day_of_the_period_once(start, length):
    end = start + timedelta(days=length)
    pieces = period_pieces(start, end)
    covered = []
    for month in pieces.months:
        assert month.day == 1
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        covered += [month + timedelta(days=n) for n in range((following - month).days)]
    for week in pieces.weeks:
        assert week.weekday() == 0
        covered += [week + timedelta(days=n) for n in range(7)]
    for first, last in pieces.days:
        covered += [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert sorted(covered) == [start + timedelta(days=n) for n in range(length + 1)]
    loose = sum((last - first).days + 1 for first, last in pieces.days)
    # at most six days before and six after the whole weeks, at either end of the months
    assert loose <= 24 or not pieces.months and not pieces.weeks


def test_a_year_is_twelve_months_or_eleven_and_some_weeks():
    pieces = period_pieces(date(2026, 1, 1), date(2026, 12, 31))
    assert len(pieces.months) == 12 and not pieces.weeks and not pieces.days
    pieces = period_pieces(date(2025, 11, 28), date(2026, 11, 27))
    assert pieces.months[0] == date(2025, 12, 1) and pieces.months[-1] == date(2026, 10, 1)
    assert pieces.weeks == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert pieces.days == [
        (date(2025, 11, 28), date(2025, 11, 30)),
        (date(2026, 11, 1), date(2026, 11, 1)),
        (date(2026, 11, 23), date(2026, 11, 27)),
    ]


@given(st.lists(st.integers(-100, 10**7), min_size=1, max_size=300), st.sampled_from([50, 90]))
def test_the_rank_found_in_a_histogram_is_the_one_a_sort_gives(durations, percent):
    histogram: dict[int, int] = {}
    for seconds in durations:
        histogram[duration_bucket(seconds)] = histogram.get(duration_bucket(seconds), 0) + 1
    rank = nearest_rank(percent, len(durations))
    bucket, within = locate_rank(histogram, rank)
    in_bucket = sorted(d for d in durations if duration_bucket(d) == bucket)
    assert in_bucket[within - 1] == sorted(durations)[rank - 1]


def test_nearest_rank():
    assert [nearest_rank(50, n) for n in (1, 2, 3, 4, 5)] == [1, 1, 2, 2, 3]
    assert [nearest_rank(90, n) for n in (1, 5, 10, 11)] == [1, 5, 9, 10]
