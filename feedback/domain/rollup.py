"""The arithmetic behind the scorecards' rollups, in plain Python: durations sorted into
buckets, a period cut into whole months, whole weeks and loose days, and where the
nearest-rank percentile falls in a histogram."""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

# Bucket k holds the durations d with BOUNDS[k - 1] <= d < BOUNDS[k] (bucket 0: under a
# minute, negative ones included; the last: about 670 days and over): eight to a doubling,
# so a bucket spans about 9 % of its durations and buckets are ordered as the durations are.
DURATION_BOUNDS = tuple(round(60 * 2 ** (step / 8)) for step in range(160))


def duration_bucket(seconds: int | None) -> int | None:
    """The bucket of a duration in seconds (as feedback.services.stats computes it in SQL)."""
    return None if seconds is None else bisect_right(DURATION_BOUNDS, seconds)


def nearest_rank(percent: int, count: int) -> int:
    """ceil(percent × count / 100): the 1-based rank of the percentile among `count` values."""
    return (count * percent + 99) // 100


def locate_rank(histogram: dict[int, int], rank: int) -> tuple[int, int]:
    """(bucket, rank within that bucket) of the `rank`-th smallest value (1-based) counted in
    `histogram` (bucket -> how many); `rank` must be between 1 and the total."""
    passed = 0
    for bucket in sorted(histogram):
        count = histogram[bucket]
        if passed + count >= rank:
            return bucket, rank - passed
        passed += count
    raise ValueError(f"rank {rank} is past the {passed} values counted")


def month_start(day: date) -> date:
    return day.replace(day=1)


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@dataclass
class PeriodPieces:
    """A period as whole months, whole weeks (Monday to Sunday) and loose days (first, last),
    together covering each of its days exactly once."""

    months: list[date] = field(default_factory=list)  # first days
    weeks: list[date] = field(default_factory=list)  # Mondays
    days: list[tuple[date, date]] = field(default_factory=list)  # inclusive ranges


def period_pieces(start: date, end: date) -> PeriodPieces:
    """Cut [start, end] (both included) into the fewest whole months, then whole weeks in the
    parts left at either end, then the days still left (at most six at each end)."""
    pieces = PeriodPieces()
    first_month = start if start.day == 1 else _next_month(start)
    month = first_month
    while _next_month(month) - timedelta(days=1) <= end:
        pieces.months.append(month)
        month = _next_month(month)
    if not pieces.months:
        _weeks_and_days(start, end, pieces)
        return pieces
    _weeks_and_days(start, first_month - timedelta(days=1), pieces)
    _weeks_and_days(month, end, pieces)
    return pieces


def _weeks_and_days(start: date, end: date, pieces: PeriodPieces) -> None:
    if end < start:
        return
    first_week = start + timedelta(days=(7 - start.weekday()) % 7)
    week = first_week
    while week + timedelta(days=6) <= end:
        pieces.weeks.append(week)
        week += timedelta(days=7)
    if week == first_week:  # no whole week inside
        pieces.days.append((start, end))
        return
    if start < first_week:
        pieces.days.append((start, first_week - timedelta(days=1)))
    if week <= end:
        pieces.days.append((week, end))
