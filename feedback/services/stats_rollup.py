"""The scorecards from the rollups (feedback.services.rollups): the figures
feedback.services.stats defines, as of the last refresh, from a few thousand rows however many
tickets there are.

Counts come from rows per group and day. A percentile takes two steps: the histograms of the
whole months and weeks in the period, with the loose days' durations counted by bucket, say
which bucket holds the nearest rank and the rank within it; then that bucket's durations for
the period (a small slice, read in order from an index) give the exact value.

Day and histogram rows are kept per channel and for every channel together (EVERY_CHANNEL):
the figures of every channel, or of the query's, read one channel's rows; split by channel,
the channels' cells are read from their own rows besides."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa

from feedback.domain.rollup import locate_rank, nearest_rank, period_pieces
from feedback.extensions import db
from feedback.models import Area, Category, Directorate
from feedback.models.rollups import (
    DAY_COUNTS,
    EVERY_CHANNEL,
    RollupState,
    ScorecardDay,
    ScorecardHistogram,
    ScorecardOverdue,
    ScorecardTicket,
)
from feedback.services.stats import (
    ALL,
    Cell,
    Figures,
    Grouping,
    Scorecard,
    Spread,
    StatsQuery,
    assemble,
    escalation_counts,
    group_names,
    incident_counts,
    span_start,
)

PERCENTS = (50, 90)
_MODELS: dict[Grouping, type[Directorate] | type[Category] | type[Area]] = {
    Grouping.DIRECTORATE: Directorate,
    Grouping.CATEGORY: Category,
    Grouping.DISTRICT: Area,
}


@dataclass
class _Counts:
    received: int = 0
    ack_24h: int = 0
    resolved: int = 0
    within_sla: int = 0
    reopened: int = 0
    disputed: int = 0
    fix_asked: int = 0
    confirmed_fixed: int = 0
    not_fixed: int = 0

    def add(self, row: sa.Row[*tuple[Any, ...]]) -> None:
        for name in DAY_COUNTS:
            setattr(self, name, getattr(self, name) + int(getattr(row, name)))


def refreshed_at() -> datetime | None:
    """When the rollups were last refreshed; None when never."""
    return db.session.scalar(sa.select(RollupState.refreshed_at).where(RollupState.id == 1))


def scorecard_from_rollups(query: StatsQuery, language: str) -> Scorecard | None:
    """The scorecard as of the last refresh; None when the rollups were never refreshed. A
    refresh committed while this reads (each statement sees the latest commit) is noticed
    by its time stamp, and the figures are read again."""
    card = None
    for _ in range(3):
        stamp = refreshed_at()
        if stamp is None:
            return None
        card = _scorecard(query, language, stamp)
        if refreshed_at() == stamp:
            break
    return card


def _scorecard(query: StatsQuery, language: str, stamp: datetime) -> Scorecard:
    grouping = query.grouping.value
    code_of: dict[int, str] = dict(
        db.session.execute(
            sa.select(_MODELS[query.grouping].id, _MODELS[query.grouping].code)
        ).all()
    )
    code_of[0] = ""
    id_of = {code: ident for ident, code in code_of.items()}

    @cache
    def cells(group_id: int, channel: str) -> tuple[Cell, Cell]:
        """The cells a row of this group and channel (ALL: every channel) counts in."""
        return (code_of.get(group_id, ""), channel), (ALL, channel)

    counts: dict[Cell, _Counts] = defaultdict(_Counts)
    weekly: dict[tuple[str, str], _Counts] = defaultdict(_Counts)
    week = span_start(sa.literal("week"), ScorecardDay.day)
    sums = [sa.func.sum(getattr(ScorecardDay, name)).label(name) for name in DAY_COUNTS]
    in_period = [
        ScorecardDay.grouping == grouping,
        ScorecardDay.day.between(query.start, query.end),
    ]
    rows = db.session.execute(
        sa.select(ScorecardDay.group_id, week.label("week"), *sums)
        .where(*in_period, ScorecardDay.channel == (query.channel or EVERY_CHANNEL))
        .group_by(ScorecardDay.group_id, week)
    )
    for row in rows:
        week_text = _iso(row.week)
        for key, _ in cells(row.group_id, ALL):
            counts[(key, ALL)].add(row)
            weekly[(key, week_text)].add(row)
    if query.by_channel:  # the period's per channel, apart: the weeks need no channel
        rows = db.session.execute(
            sa.select(ScorecardDay.group_id, ScorecardDay.channel, *sums)
            .where(*in_period, _split(ScorecardDay, query))
            .group_by(ScorecardDay.group_id, ScorecardDay.channel)
        )
        for row in rows:
            for cell in cells(row.group_id, row.channel):
                counts[cell].add(row)
    overdue: dict[Cell, int] = defaultdict(int)
    for group_id, channel, count in db.session.execute(
        sa.select(
            ScorecardOverdue.group_id, ScorecardOverdue.channel, ScorecardOverdue.count
        ).where(ScorecardOverdue.grouping == grouping, *_of_channel(ScorecardOverdue, query))
    ):
        for cell in cells(group_id, ALL) + (cells(group_id, channel) if query.by_channel else ()):
            overdue[cell] += count
    spreads = {
        measure: _spreads(query, grouping, measure, cells, id_of) for measure in ("ack", "resolve")
    }
    return assemble(
        query,
        group_names(query.grouping, language),
        Figures(
            counts=dict(counts),
            ack=spreads["ack"],
            resolve=spreads["resolve"],
            overdue=dict(overdue),
            incidents=incident_counts(query),
            escalations=escalation_counts(query),
        ),
        weekly=lambda _keys: weekly,
        generated_at=stamp,
        refreshed_at=stamp,
    )


def _of_channel(
    model: type[ScorecardOverdue] | type[ScorecardTicket], query: StatsQuery
) -> list[sa.ColumnElement[bool]]:
    """The condition keeping the rows of the query's channel, if it names one."""
    return [model.channel == query.channel] if query.channel else []


def _split(
    model: type[ScorecardDay] | type[ScorecardHistogram], query: StatsQuery
) -> sa.ColumnElement[bool]:
    """The rows of each channel (of the query's, if it names one), not every channel's."""
    return model.channel == query.channel if query.channel else model.channel != EVERY_CHANNEL


def _iso(value: object) -> str:
    """A date as YYYY-MM-DD (SQLite hands back text, PostgreSQL a date)."""
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _spreads(
    query: StatsQuery,
    grouping: str,
    measure: str,
    cells: Callable[[int, str], tuple[Cell, Cell]],
    id_of: dict[str, int],
) -> dict[Cell, Spread]:
    """Count, median and p90 of one duration per cell, by nearest rank."""
    histograms = _histograms(query, grouping, measure, cells)
    # Which bucket, and which rank within it, each wanted percentile of each cell falls on.
    spots = {}
    for cell, histogram in histograms.items():
        count = sum(histogram.values())
        for percent in PERCENTS:
            spots[(cell, percent)] = locate_rank(histogram, nearest_rank(percent, count))
    found = _at_ranks(
        query, grouping, measure, {(cell, *spot) for (cell, _), spot in spots.items()}, id_of
    )
    return {
        cell: Spread(
            sum(histogram.values()),
            found.get((cell, *spots[(cell, 50)])),
            found.get((cell, *spots[(cell, 90)])),
        )
        for cell, histogram in histograms.items()
    }


def _at_ranks(
    query: StatsQuery,
    grouping: str,
    measure: str,
    wanted: set[tuple[Cell, int, int]],
    id_of: dict[str, int],
) -> dict[tuple[Cell, int, int], int]:
    """{(cell, bucket, rank): the duration of that rank within the bucket among the cell's
    tickets received in the period}, in one statement: per rank, the bucket's durations read
    in order from the index, skipping the other days (and channels), up to the rank."""
    facts = ScorecardTicket
    bucket_column = getattr(facts, f"{measure}_bucket")
    seconds_column = getattr(facts, f"{measure}_seconds")
    parts = []
    for number, ((name, channel), bucket, rank) in enumerate(sorted(wanted)):
        one = sa.select(seconds_column.label("seconds")).where(
            bucket_column == bucket,
            facts.day.between(query.start, query.end),
            *_of_channel(facts, query),
        )
        if name != ALL:
            one = one.where(getattr(facts, f"{grouping}_id") == id_of[name])
        if channel != ALL:
            one = one.where(facts.channel == channel)
        found = one.order_by(seconds_column).offset(rank - 1).limit(1).subquery()
        parts.append(sa.select(sa.literal(number).label("number"), found.c.seconds))
    if not parts:
        return {}
    order = sorted(wanted)
    rows = db.session.execute(sa.union_all(*parts))
    return {order[number]: seconds for number, seconds in rows}


def _histograms(
    query: StatsQuery,
    grouping: str,
    measure: str,
    cells: Callable[[int, str], tuple[Cell, Cell]],
) -> dict[Cell, dict[int, int]]:
    """{cell: {bucket: durations}} over the period: whole months and weeks from their
    histograms, the loose days counted from the tickets' facts; split by channel, a second
    reading of each gives the channels' cells."""
    histograms: dict[Cell, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for split in (False, True) if query.by_channel else (False,):
        for group_id, channel, bucket, count in _whole_spans(query, grouping, measure, split):
            for cell in cells(group_id, channel):
                histograms[cell][bucket] += int(count)
        for group_id, channel, bucket, count in _loose_days(query, grouping, measure, split):
            for cell in cells(group_id, channel):
                histograms[cell][bucket] += count
    return {name: dict(histogram) for name, histogram in histograms.items()}


def _whole_spans(
    query: StatsQuery, grouping: str, measure: str, split: bool
) -> list[sa.Row[*tuple[Any, ...]]]:
    """(group id, channel or ALL, bucket, durations) of the period's whole months and weeks,
    per channel if `split`, else over every channel (or the query's)."""
    pieces = period_pieces(query.start, query.end)
    histogram = ScorecardHistogram
    spans = [
        sa.and_(histogram.span == span, histogram.start.in_(starts))
        for span, starts in (("month", pieces.months), ("week", pieces.weeks))
        if starts
    ]
    if not spans:
        return []
    channel = histogram.channel if split else sa.literal(ALL)
    return list(
        db.session.execute(
            sa.select(histogram.group_id, channel, histogram.bucket, sa.func.sum(histogram.count))
            .where(
                histogram.grouping == grouping,
                histogram.measure == measure,
                _split(histogram, query)
                if split
                else histogram.channel == (query.channel or EVERY_CHANNEL),
                sa.or_(*spans),
            )
            .group_by(histogram.group_id, histogram.bucket, *([histogram.channel] if split else []))
        )
    )


def _loose_days(
    query: StatsQuery, grouping: str, measure: str, split: bool
) -> list[sa.Row[*tuple[Any, ...]]]:
    """(group id, channel or ALL, bucket, durations) of the period's loose days, counted from
    the tickets' facts, per channel if `split`."""
    days = period_pieces(query.start, query.end).days
    if not days:
        return []
    facts = ScorecardTicket
    group_column = getattr(facts, f"{grouping}_id")
    bucket_column = getattr(facts, f"{measure}_bucket")
    return list(
        db.session.execute(
            sa.select(
                group_column,
                facts.channel if split else sa.literal(ALL),
                bucket_column,
                sa.func.count(),
            )
            .where(
                # Each day named (not ranges), so the index alone answers.
                facts.day.in_(
                    [
                        first + timedelta(days=n)
                        for first, last in days
                        for n in range((last - first).days + 1)
                    ]
                ),
                bucket_column.is_not(None),
                *_of_channel(facts, query),
            )
            .group_by(group_column, bucket_column, *([facts.channel] if split else []))
        )
    )
