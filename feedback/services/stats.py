"""Public scorecards: how fast and how well each directorate (or category, or district) answers.

Every figure is computed in SQL and gives the same result on SQLite and PostgreSQL.

Definitions (the contract the /stats page and /stats.json publish):

* Period: a ticket is *received* in the period when its ``created_at`` falls on or after
  ``start`` 00:00 UTC and before the day after ``end`` 00:00 UTC (both dates inclusive); a
  query may name another time zone for its days (the monthly reports use Basra's).
  Every measure except the overdue backlog is over the tickets received in the period.
* Durations are whole seconds (rounded), shown in hours: to acknowledge is
  ``acknowledged_at - created_at`` over tickets with ``acknowledged_at``; to resolve is
  ``resolved_at - created_at`` over tickets with ``resolved_at`` (a rejection with its public
  reason also sets ``resolved_at``: the citizen got an answer).
* Percentiles use the nearest-rank method: of n durations sorted ascending, the p-th
  percentile is the one at 1-based rank ceil(p × n / 100). The median is p = 50 (for an even
  n, the lower of the two middle values; never an average); p90 is p = 90.
* Ratios (numerator of denominator; shown as "—" when the denominator is 0):
  - acknowledged within 24 h: tickets with ``acknowledged_at - created_at <= 24 h``, of all
    tickets received;
  - resolved within SLA: tickets with ``due_at`` set and ``resolved_at <= due_at``, of tickets
    with ``resolved_at`` (a resolved ticket without a deadline counts as not within);
  - reopened: tickets with ``resolved_at`` and at least one event to status ``reopened``, of
    tickets with ``resolved_at``;
  - disputed: tickets with ``resolved_at`` and at least one CSO verification with verdict
    ``disputed``, of tickets with ``resolved_at``;
  - confirmed fixed by citizens: tickets with at least one ``confirmed_fixed`` event (the
    citizen replied 1 to the resolved notice's "is it fixed?"), of tickets *asked*: those with
    at least one ``fix_asked`` event (resolved, and the notice went to a number that can get
    it; tickets without a phone, or whose number texted STOP, are never asked);
  - citizens said not fixed: tickets with at least one ``not_fixed`` event (the citizen replied
    2, or REOPEN while asked; it reopened the ticket), of the same tickets asked. A ticket
    reopened and resolved again is asked again, so it may count in both; one asked and never
    answered in 7 days counts in neither (``unconfirmed``).
* Incidents: incidents (many tickets of one fault, grouped or declared) opened in the period,
  under the directorate and the category they belong to, and under each district one of
  their areas lies in (so districts may add up to more than the total). Their tickets count
  in every other measure as tickets do; acting on an incident acts on each of its tickets, so
  their times to acknowledge and to resolve are the incident's.
* Escalations: tickets sent up (feedback.domain.escalation) in the period, by when they were
  sent up, whenever received: each rung once, so a ticket sent to the directorate head and
  then the governor's office counts twice. Under the directorate that had the ticket then,
  and under the ticket's category and district.
* Overdue backlog: tickets *now* in an open status (new, acknowledged, in progress, reopened)
  whose ``due_at`` has passed, whatever their date of receipt.
* Weekly trends bucket tickets by the Monday (UTC) of the week they were received.
* Channels (feedback.domain.channels.Channel: SMS, WhatsApp, the web form, in person, by
  phone, ...): a query may keep the tickets of one channel only, the one they came by; every
  measure is then over those tickets, the incidents are those with at least one of them, and
  the escalations theirs. Split by channel, each group (and the total) also has its figures
  per channel, in the Channel order, for each channel with a figure in it: an incident with
  reports by several channels counts under each, so channels may add up to more.

The page reads them from rollups (feedback.services.stats_rollup), refreshed every few minutes
by `flask rollups-refresh`: the same figures as of the refresh, overdue included; until the
first refresh they are computed here from every ticket (scorecard_by_definition).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler

from feedback.domain.channels import Channel
from feedback.domain.events import EventKind, Verdict
from feedback.domain.lifecycle import OPEN_STATUSES
from feedback.domain.rollup import DURATION_BOUNDS
from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    Escalation,
    Ticket,
    TicketEvent,
    UTCDateTime,
    Verification,
    utcnow,
)
from feedback.models.incidents import Incident, incident_area

DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 3 * 366
ACK_LIMIT_SECONDS = 24 * 3600
TREND_GROUPS = 5
# The key under which totals over every group (or channel) are kept; no code is ever this.
ALL = "*"
# Where a figure is counted: (group code or ALL, channel or ALL).
Cell = tuple[str, str]


class Grouping(StrEnum):
    DIRECTORATE = "directorate"
    CATEGORY = "category"
    DISTRICT = "district"


class Measure(StrEnum):
    """What the ranking can be sorted by; each has a direction in which "better" lies."""

    RECEIVED = "received"
    ACK_24H = "ack_24h"
    ACK_MEDIAN = "ack_median"
    ACK_P90 = "ack_p90"
    RESOLVE_MEDIAN = "resolve_median"
    RESOLVE_P90 = "resolve_p90"
    WITHIN_SLA = "within_sla"
    REOPENED = "reopened"
    DISPUTED = "disputed"
    CONFIRMED_FIXED = "confirmed_fixed"
    NOT_FIXED = "not_fixed"
    OVERDUE = "overdue"
    ESCALATIONS = "escalations"


# Higher is better for these; lower is better for the others (times, reopened, disputed, ...).
HIGHER_IS_BETTER = frozenset(
    {Measure.RECEIVED, Measure.ACK_24H, Measure.WITHIN_SLA, Measure.CONFIRMED_FIXED}
)
# Measures whose value is a Ratio's percent; the others are counts or hours.
PERCENT_MEASURES = frozenset(
    {
        Measure.ACK_24H,
        Measure.WITHIN_SLA,
        Measure.REOPENED,
        Measure.DISPUTED,
        Measure.CONFIRMED_FIXED,
        Measure.NOT_FIXED,
    }
)


class InvalidPeriod(ValueError):
    """A period that ends before it starts, or is longer than MAX_PERIOD_DAYS."""


@dataclass(frozen=True)
class StatsQuery:
    start: date
    end: date  # inclusive
    grouping: Grouping = Grouping.DIRECTORATE
    sort: Measure = Measure.WITHIN_SLA
    descending: bool = True
    trend_all: bool = False  # True: one series for all tickets; False: the top groups
    zone: tzinfo = UTC  # whose midnights bound the days; the rollups hold UTC days only
    channel: Channel | None = None  # only the tickets that came by this channel
    by_channel: bool = False  # each group's figures per channel as well

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidPeriod("the period ends before it starts")
        if (self.end - self.start).days >= MAX_PERIOD_DAYS:
            raise InvalidPeriod("the period is too long")


def default_period(today: date) -> tuple[date, date]:
    """The last DEFAULT_PERIOD_DAYS days, today included."""
    return today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        """Rounded to one decimal; None when there is nothing to divide by."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass(frozen=True)
class Spread:
    """Nearest-rank median and 90th percentile of `count` durations; None without data."""

    count: int
    median_seconds: int | None
    p90_seconds: int | None

    @property
    def median_hours(self) -> float | None:
        return _hours(self.median_seconds)

    @property
    def p90_hours(self) -> float | None:
        return _hours(self.p90_seconds)


def _hours(seconds: int | None) -> float | None:
    """Hours to one decimal, as the page shows them."""
    return None if seconds is None else round(int(seconds) / 3600, 1)


@dataclass(frozen=True)
class GroupScore:
    key: str  # directorate/category/area code, "" for tickets without one
    name: str
    received: int
    acknowledged_24h: Ratio
    to_acknowledge: Spread
    to_resolve: Spread
    within_sla: Ratio
    reopened: Ratio
    disputed: Ratio
    confirmed_fixed: Ratio  # of the tickets whose citizen was asked
    not_fixed: Ratio
    overdue: int
    incidents: int = 0
    escalations: int = 0
    # Split by channel: the same figures per channel (key: the Channel value, name "").
    channels: tuple[GroupScore, ...] = ()

    def value(self, measure: Measure) -> float | int | None:
        return {
            Measure.RECEIVED: self.received,
            Measure.ACK_24H: self.acknowledged_24h.percent,
            Measure.ACK_MEDIAN: self.to_acknowledge.median_hours,
            Measure.ACK_P90: self.to_acknowledge.p90_hours,
            Measure.RESOLVE_MEDIAN: self.to_resolve.median_hours,
            Measure.RESOLVE_P90: self.to_resolve.p90_hours,
            Measure.WITHIN_SLA: self.within_sla.percent,
            Measure.REOPENED: self.reopened.percent,
            Measure.DISPUTED: self.disputed.percent,
            Measure.CONFIRMED_FIXED: self.confirmed_fixed.percent,
            Measure.NOT_FIXED: self.not_fixed.percent,
            Measure.OVERDUE: self.overdue,
            Measure.ESCALATIONS: self.escalations,
        }[measure]


@dataclass(frozen=True)
class WeekPoint:
    week: str  # the Monday, YYYY-MM-DD
    received: int
    within_sla: Ratio


@dataclass(frozen=True)
class TrendSeries:
    key: str | None  # None: all tickets; "": tickets without a group
    name: str
    points: list[WeekPoint]


@dataclass(frozen=True)
class Scorecard:
    query: StatsQuery
    generated_at: datetime
    groups: list[GroupScore]  # ranked by query.sort; groups without a value for it come last
    total: GroupScore  # every ticket, whatever its group
    weeks: list[str]
    trends: list[TrendSeries] = field(default_factory=list)
    # When the rollups these figures come from were refreshed; None: computed just now.
    refreshed_at: datetime | None = None


# --- dialect-aware SQL pieces ---------------------------------------------------------------


class seconds_between(sa.sql.functions.FunctionElement[int]):  # noqa: N801 - SQL function
    """Whole seconds from the first timestamp to the second (NULL if either is): julianday on
    SQLite, EXTRACT EPOCH on PostgreSQL, rounded so both dialects agree to the second."""

    type = sa.BigInteger()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS BIGINT)"


class week_of(sa.sql.functions.FunctionElement[str]):  # noqa: N801 - SQL function
    """The Monday (UTC) of the week a timestamp falls in, as text YYYY-MM-DD."""

    type = sa.String()
    name = "week_of"
    inherit_cache = True


@compiles(week_of, "sqlite")
def _week_sqlite(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_of, "postgresql")
def _week_postgresql(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    stamp = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('week', {stamp} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


class utc_day(sa.sql.functions.FunctionElement[date]):  # noqa: N801 - SQL function
    """The UTC calendar day of a timestamp, as a date."""

    type = sa.Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


class span_start(sa.sql.functions.FunctionElement[date]):  # noqa: N801 - SQL function
    """The first day of the month, or the Monday of the week, a date falls in:
    span_start("month" | "week", day)."""

    type = sa.Date()
    name = "span_start"
    inherit_cache = True


@compiles(span_start, "sqlite")
def _span_start_sqlite(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    span, day = (compiler.process(clause, **kw) for clause in element.clauses)
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is Monday.
    return (
        f"CASE {span} WHEN 'month' THEN date({day}, 'start of month') "
        f"ELSE date({day}, 'weekday 0', '-6 days') END"
    )


@compiles(span_start, "postgresql")
def _span_start_postgresql(
    element: sa.sql.functions.FunctionElement[Any], compiler: SQLCompiler, **kw: Any
) -> str:
    span, day = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(date_trunc({span}, {day}) AS DATE)"


def duration_bucket(seconds: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """feedback.domain.rollup.duration_bucket in SQL: how many DURATION_BOUNDS are at or
    below `seconds`, by a binary search of CASEs; NULL stays NULL."""

    def search(
        low: int, high: int
    ) -> sa.ColumnElement[int]:  # the bucket is known to lie in [low, high]
        if low == high:
            return sa.literal(low, sa.Integer())
        middle = (low + high + 1) // 2
        return sa.case(
            (seconds < DURATION_BOUNDS[middle - 1], search(low, middle - 1)),
            else_=search(middle, high),
        )

    return sa.case((seconds.is_(None), sa.null()), else_=search(0, len(DURATION_BOUNDS)))


def _nearest_rank(percent: int, count: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """ceil(percent × count / 100) in integer arithmetic, the same on every dialect."""
    return (count * percent + 99) // 100


# --- the scorecard ---------------------------------------------------------------------------


def scorecard(query: StatsQuery, language: str, now: datetime | None = None) -> Scorecard:
    """Every group's figures for the period, ranked, with the weekly trends (see module doc):
    from the rollups as of their last refresh, or by definition (overdue as of `now`) while
    there has been none."""
    from feedback.services.stats_rollup import scorecard_from_rollups  # it builds on this one

    card = scorecard_from_rollups(query, language) if query.zone is UTC else None
    return card if card is not None else scorecard_by_definition(query, language, now)


def scorecard_by_definition(
    query: StatsQuery,
    language: str,
    now: datetime | None = None,
    scoped: sa.CTE | None = None,
) -> Scorecard:
    """The figures computed from every ticket, as the module doc defines them. `scoped` may
    name the tickets and their groups instead (the columns period_tickets gives, any key)."""
    now = now or utcnow()
    if scoped is None:
        scoped = period_tickets(query).cte("scoped")
    split = query.by_channel
    return assemble(
        query,
        group_names(query.grouping, language),
        Figures(
            counts=_counts(scoped, split),
            ack=_spreads(scoped, scoped.c.ack_seconds, split),
            resolve=_spreads(scoped, scoped.c.resolve_seconds, split),
            overdue=_overdue(query, now),
            incidents=incident_counts(query),
            escalations=escalation_counts(query),
        ),
        weekly=lambda keys: _weekly(scoped, keys),
        generated_at=now,
    )


@dataclass(frozen=True)
class Figures:
    """Every cell's figures, as computed from the tickets or read from the rollups: `counts`
    rows with received and each ratio's numerators, the spreads, and the other counts."""

    counts: dict[Cell, Any]
    ack: dict[Cell, Spread]
    resolve: dict[Cell, Spread]
    overdue: dict[Cell, int]
    incidents: dict[Cell, int]
    escalations: dict[Cell, int]

    def cells(self) -> set[Cell]:
        """The cells with a ticket received, overdue or escalated, or an incident."""
        return set(self.counts) | set(self.overdue) | set(self.incidents) | set(self.escalations)

    def score(self, cell: Cell, name: str) -> GroupScore:
        row = self.counts.get(cell)
        received = row.received if row else 0
        resolved = row.resolved if row else 0
        asked = row.fix_asked if row else 0

        def ratio(column: str, denominator: int) -> Ratio:
            return Ratio(getattr(row, column) if row else 0, denominator)

        return GroupScore(
            key=cell[0] if cell[1] == ALL else cell[1],
            name=name,
            received=received,
            acknowledged_24h=ratio("ack_24h", received),
            to_acknowledge=self.ack.get(cell, Spread(0, None, None)),
            to_resolve=self.resolve.get(cell, Spread(0, None, None)),
            within_sla=ratio("within_sla", resolved),
            reopened=ratio("reopened", resolved),
            disputed=ratio("disputed", resolved),
            confirmed_fixed=ratio("confirmed_fixed", asked),
            not_fixed=ratio("not_fixed", asked),
            overdue=self.overdue.get(cell, 0),
            incidents=self.incidents.get(cell, 0),
            escalations=self.escalations.get(cell, 0),
        )


def assemble(
    query: StatsQuery,
    names: dict[str, str],
    figures: Figures,
    weekly: Callable[[list[str]], dict[tuple[str, str], Any]],
    generated_at: datetime,
    refreshed_at: datetime | None = None,
) -> Scorecard:
    """The scorecard from each cell's figures, keyed by (group code or ALL, ALL) and, split
    by channel, (group code or ALL, channel); `weekly(keys)` gives {(key, week): row with
    received, resolved, within_sla} for the groups whose trend is drawn."""
    cells = figures.cells()
    keys = {key for key, _ in cells if key != ALL}
    channels = sorted({channel for _, channel in cells if channel != ALL}, key=channel_order)

    def scored(key: str, name: str) -> GroupScore:
        split = tuple(
            figures.score((key, channel), "")
            for channel in channels
            if key == ALL or (key, channel) in cells
        )
        return replace(figures.score((key, ALL), name), channels=split)

    groups = [scored(key, _name(names, query.grouping, key)) for key in keys]
    groups = rank(groups, query.sort, query.descending)
    total = scored(ALL, "")

    weeks = _weeks(query.start, query.end)
    if query.trend_all:
        chosen = [ALL]
    else:
        by_volume = sorted(groups, key=lambda g: (-g.received, g.name))
        chosen = [g.key for g in by_volume[:TREND_GROUPS] if g.received]
    found = weekly(chosen) if chosen else {}
    trends = _series(chosen, weeks, found, names, query.grouping)
    return Scorecard(query, generated_at, groups, total, weeks, trends, refreshed_at)


def channel_order(channel: str) -> tuple[int, str]:
    """Channels in the Channel enum's order; a value it does not know after them."""
    values = [member.value for member in Channel]
    return (values.index(channel), "") if channel in values else (len(values), channel)


def rank(groups: list[GroupScore], measure: Measure, descending: bool) -> list[GroupScore]:
    """Sorted by `measure`; groups with no value for it ("—") last, ties by name."""
    with_value = [g for g in groups if g.value(measure) is not None]
    without = [g for g in groups if g.value(measure) is None]
    with_value.sort(key=lambda g: g.name)
    with_value.sort(key=lambda g: cast(float, g.value(measure)), reverse=descending)
    return with_value + sorted(without, key=lambda g: g.name)


def _grouped(
    select: sa.Select[*tuple[Any, ...]], grouping: Grouping
) -> tuple[sa.Select[*tuple[Any, ...]], sa.ColumnElement[str]]:
    """`select` outer-joined to the grouping's table, and the group's code ("" when the
    ticket has none: unrouted, uncategorised, or placed above or outside any district)."""
    if grouping == Grouping.DIRECTORATE:
        select = select.outerjoin(Directorate, Ticket.directorate_id == Directorate.id)
        return select, sa.func.coalesce(Directorate.code, "")
    if grouping == Grouping.CATEGORY:
        select = select.outerjoin(Category, Ticket.category_id == Category.id)
        return select, sa.func.coalesce(Category.code, "")
    district = district_of_area()
    district_area = aliased(Area, name="district_area")
    select = select.outerjoin(district, Ticket.area_id == district.c.area_id).outerjoin(
        district_area, district.c.district_id == district_area.id
    )
    return select, sa.func.coalesce(district_area.code, "")


def district_of_area() -> sa.CTE:
    """(area_id, district_id) for every district and every place under one (recursive CTE)."""
    districts = (
        sa.select(Area.id.label("area_id"), Area.id.label("district_id"))
        .where(Area.kind == "district")
        .cte("area_district", recursive=True)
    )
    child = aliased(Area, name="child_area")
    return districts.union_all(
        sa.select(child.id, districts.c.district_id)
        .join(districts, child.parent_id == districts.c.area_id)
        .where(child.kind != "district")
    )


def incident_counts(query: StatsQuery) -> dict[Cell, int]:
    """Incidents opened in the period per group and over all (ALL), and per channel when the
    query splits by channel; see the module doc."""
    start, end = _period_bounds(query)
    in_period = [
        Incident.opened_at >= sa.literal(start, UTCDateTime()),
        Incident.opened_at < sa.literal(end, UTCDateTime()),
    ]
    whole = sa.select(Incident.id.label("counted")).select_from(Incident).where(*in_period)
    if query.channel or query.by_channel:  # by the channels of the incident's tickets
        # Its tickets found from the incidents of the period (by Ticket.incident_id's index).
        reported = sa.select(Ticket.incident_id, Ticket.channel).where(
            Ticket.incident_id.in_(sa.select(Incident.id).where(*in_period))
        )
        if query.channel:
            reported = reported.where(Ticket.channel == query.channel)
        by = reported.distinct().subquery("reported")
        whole = whole.join(by, by.c.incident_id == Incident.id).add_columns(by.c.channel)
    select = whole
    key: sa.ColumnElement[str]
    if query.grouping == Grouping.DIRECTORATE:
        select = select.outerjoin(Directorate, Incident.directorate_id == Directorate.id)
        key = sa.func.coalesce(Directorate.code, "")
    elif query.grouping == Grouping.CATEGORY:
        select = select.outerjoin(Category, Incident.category_id == Category.id)
        key = sa.func.coalesce(Category.code, "")
    else:
        district = district_of_area()
        district_area = aliased(Area, name="district_area")
        select = (
            select.join(incident_area, incident_area.c.incident_id == Incident.id)
            .join(district, incident_area.c.area_id == district.c.area_id)
            .join(district_area, district.c.district_id == district_area.id)
        )
        key = sa.func.coalesce(district_area.code, "")
    select = select.add_columns(key.label("group_key"))
    return _distinct_counts(select.subquery(), whole.subquery(), query.by_channel)


def escalation_counts(query: StatsQuery) -> dict[Cell, int]:
    """Escalations in the period per group and over all (ALL), and per channel when the
    query splits by channel; see the module doc."""
    start, end = _period_bounds(query)
    whole = (
        sa.select(Escalation.id.label("counted"))
        .select_from(Escalation)
        .where(
            Escalation.created_at >= sa.literal(start, UTCDateTime()),
            Escalation.created_at < sa.literal(end, UTCDateTime()),
        )
    )
    if query.channel or query.by_channel or query.grouping != Grouping.DIRECTORATE:
        whole = whole.join(Ticket, Escalation.ticket_id == Ticket.id)
        whole = whole.add_columns(Ticket.channel.label("channel"))
        if query.channel:
            whole = whole.where(Ticket.channel == query.channel)
    key: sa.ColumnElement[str]
    if query.grouping == Grouping.DIRECTORATE:
        select = whole.outerjoin(Directorate, Escalation.directorate_id == Directorate.id)
        key = sa.func.coalesce(Directorate.code, "")
    else:
        select, key = _grouped(whole, query.grouping)
    select = select.add_columns(key.label("group_key"))
    return _distinct_counts(select.subquery(), whole.subquery(), query.by_channel)


def _distinct_counts(grouped: sa.Subquery, whole: sa.Subquery, by_channel: bool) -> dict[Cell, int]:
    """How many distinct `counted` ids there are per cell: per group_key in `grouped`, over
    all in `whole` (which no group's join leaves anything out of), and per channel too when
    `by_channel`."""
    found: dict[Cell, int] = {}
    for rows, key in ((grouped, ["group_key"]), (whole, [])):
        for names in [key, [*key, "channel"]] if by_channel else [key]:
            by = [rows.c[name] for name in names]
            counted = sa.func.count(sa.distinct(rows.c.counted)).label("n")
            select = sa.select(*by, counted).select_from(rows).group_by(*by)
            for row in db.session.execute(select):
                found[_cell(row)] = row.n
    found.setdefault((ALL, ALL), 0)
    return found


def _cell_columns(rows: sa.CTE, by_channel: bool) -> list[list[Any]]:
    """The columns to group by for each kind of cell: by group, over all, and each of them by
    channel too when `by_channel`."""
    kinds: list[list[Any]] = [[rows.c.group_key], []]
    if by_channel:
        kinds += [[rows.c.group_key, rows.c.channel], [rows.c.channel]]
    return kinds


def _cell(row: sa.Row[*tuple[Any, ...]]) -> Cell:
    """The cell a row grouped by some of group_key and channel counts in."""
    fields = row._fields
    return (
        row.group_key if "group_key" in fields else ALL,
        row.channel if "channel" in fields else ALL,
    )


def _period_bounds(query: StatsQuery) -> tuple[datetime, datetime]:
    """From the first day's midnight to the day after the last's, in the query's zone, as UTC
    (see the module doc)."""
    return (
        datetime.combine(query.start, time(), query.zone).astimezone(UTC),
        datetime.combine(query.end + timedelta(days=1), time(), query.zone).astimezone(UTC),
    )


def period_tickets(query: StatsQuery) -> sa.Select[*tuple[Any, ...]]:
    """One row per ticket received in the period: its group, week of receipt, durations and
    flags."""
    start, end = _period_bounds(query)
    columns: list[sa.Label[Any]] = [
        Ticket.id.label("ticket_id"),
        week_of(Ticket.created_at).label("week"),
        Ticket.channel.label("channel"),
        *ticket_fact_columns(),
    ]
    select, key = _grouped(sa.select(*columns).select_from(Ticket), query.grouping)
    select = select.add_columns(key.label("group_key")).where(
        Ticket.created_at >= sa.literal(start, UTCDateTime()),
        Ticket.created_at < sa.literal(end, UTCDateTime()),
    )
    return select.where(Ticket.channel == query.channel) if query.channel else select


def ticket_fact_columns() -> list[sa.Label[Any]]:
    """A ticket's durations and flags, as defined above (the rollups store these too)."""
    reopened = (
        sa.select(TicketEvent.id)
        .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.to_status == "reopened")
        .exists()
    )

    def has_event(kind: EventKind) -> sa.ColumnElement[bool]:
        return (
            sa.select(TicketEvent.id)
            .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == kind.value)
            .exists()
        )

    disputed = (
        sa.select(Verification.id)
        .where(Verification.ticket_id == Ticket.id, Verification.verdict == Verdict.DISPUTED)
        .exists()
    )
    is_resolved = Ticket.resolved_at.is_not(None)
    return [
        seconds_between(Ticket.created_at, Ticket.acknowledged_at).label("ack_seconds"),
        seconds_between(Ticket.created_at, Ticket.resolved_at).label("resolve_seconds"),
        _flag(is_resolved).label("resolved"),
        _flag(
            sa.and_(is_resolved, Ticket.due_at.is_not(None), Ticket.resolved_at <= Ticket.due_at)
        ).label("within_sla"),
        _flag(sa.and_(is_resolved, reopened)).label("reopened"),
        _flag(sa.and_(is_resolved, disputed)).label("disputed"),
        _flag(has_event(EventKind.FIX_ASKED)).label("fix_asked"),
        _flag(has_event(EventKind.CONFIRMED_FIXED)).label("confirmed_fixed"),
        _flag(has_event(EventKind.NOT_FIXED)).label("not_fixed"),
    ]


def acknowledged_in_time(ack_seconds: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """1 when acknowledged within ACK_LIMIT_SECONDS of receipt, else 0."""
    return _flag(ack_seconds <= ACK_LIMIT_SECONDS)


def late(now: datetime) -> sa.ColumnElement[bool]:
    """The overdue backlog's condition: open now and past the deadline."""
    return sa.and_(
        Ticket.status.in_([status.value for status in OPEN_STATUSES]),
        Ticket.due_at < sa.literal(now, UTCDateTime()),
    )


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.case((condition, 1), else_=0)


def _counts(scoped: sa.CTE, by_channel: bool) -> dict[Cell, sa.Row[*tuple[Any, ...]]]:
    """Received and every ratio's numerator and denominator, per group and over all, and per
    channel too when `by_channel`."""
    ack_24h = acknowledged_in_time(scoped.c.ack_seconds)
    columns = [
        sa.func.count().label("received"),
        sa.func.coalesce(sa.func.sum(ack_24h), 0).label("ack_24h"),
        sa.func.coalesce(sa.func.sum(scoped.c.resolved), 0).label("resolved"),
        sa.func.coalesce(sa.func.sum(scoped.c.within_sla), 0).label("within_sla"),
        sa.func.coalesce(sa.func.sum(scoped.c.reopened), 0).label("reopened"),
        sa.func.coalesce(sa.func.sum(scoped.c.disputed), 0).label("disputed"),
        *(
            sa.func.coalesce(sa.func.sum(scoped.c[name]), 0).label(name)
            for name in ("fix_asked", "confirmed_fixed", "not_fixed")
        ),
    ]
    rows: dict[Cell, sa.Row[*tuple[Any, ...]]] = {}
    for by in _cell_columns(scoped, by_channel):
        select = sa.select(*by, *columns).select_from(scoped).group_by(*by)
        rows.update((_cell(row), row) for row in db.session.execute(select))
    return rows


def _spreads(
    scoped: sa.CTE, seconds: sa.ColumnElement[Any], by_channel: bool
) -> dict[Cell, Spread]:
    """Count, median and p90 of `seconds` per group and over all, and per channel too when
    `by_channel`, by nearest rank."""
    result = {}
    for by in _cell_columns(scoped, by_channel):
        window: dict[str, Any] = {"partition_by": by} if by else {}
        ranked = (
            sa.select(
                *by,
                seconds.label("seconds"),
                sa.func.row_number().over(order_by=seconds, **window).label("position"),
                sa.func.count().over(**window).label("n"),
            )
            .where(seconds.is_not(None))
            .subquery()
        )
        columns = [
            sa.func.max(ranked.c.n).label("n"),
            _at_rank(ranked, 50).label("median"),
            _at_rank(ranked, 90).label("p90"),
        ]
        by_ranked = [ranked.c[column.name] for column in by]
        picked = sa.select(*by_ranked, *columns).group_by(*by_ranked)
        for row in db.session.execute(picked):
            result[_cell(row)] = Spread(row.n or 0, row.median, row.p90)
    return result


def _at_rank(ranked: sa.Subquery, percent: int) -> sa.ColumnElement[Any]:
    """The value at the nearest rank for `percent` within each partition."""
    wanted = _nearest_rank(percent, ranked.c.n)
    return sa.func.max(sa.case((ranked.c.position == wanted, ranked.c.seconds)))


def _overdue(query: StatsQuery, now: datetime) -> dict[Cell, int]:
    """Open tickets past their deadline now (of the query's channel), per group and over all,
    and per channel too when the query splits by channel; any period."""
    # The channel only when asked for: the late count otherwise reads an index alone.
    split = [Ticket.channel.label("channel")] if query.by_channel else []
    select, key = _grouped(sa.select(Ticket.id, *split).select_from(Ticket), query.grouping)
    select = select.add_columns(key.label("group_key")).where(late(now))
    if query.channel:
        select = select.where(Ticket.channel == query.channel)
    late_ones = select.cte("late_ones")
    rows: dict[Cell, int] = {}
    for by in _cell_columns(late_ones, query.by_channel):
        counted = sa.select(*by, sa.func.count().label("n")).select_from(late_ones).group_by(*by)
        rows.update((_cell(row), row.n) for row in db.session.execute(counted))
    return rows


def _weekly(scoped: sa.CTE, keys: list[str]) -> dict[tuple[str, str], sa.Row[*tuple[Any, ...]]]:
    """Received, resolved and within SLA per week for each chosen group (ALL: all tickets)."""
    columns = [
        scoped.c.week,
        sa.func.count().label("received"),
        sa.func.coalesce(sa.func.sum(scoped.c.resolved), 0).label("resolved"),
        sa.func.coalesce(sa.func.sum(scoped.c.within_sla), 0).label("within_sla"),
    ]
    found: dict[tuple[str, str], sa.Row[*tuple[Any, ...]]] = {}
    if ALL in keys:
        for row in db.session.execute(sa.select(*columns).group_by(scoped.c.week)):
            found[(ALL, row.week)] = row
    others = [k for k in keys if k != ALL]
    if others:
        select = (
            sa.select(scoped.c.group_key, *columns)
            .where(scoped.c.group_key.in_(others))
            .group_by(scoped.c.group_key, scoped.c.week)
        )
        for row in db.session.execute(select):
            found[(row.group_key, row.week)] = row
    return found


def _series(
    keys: list[str],
    weeks: list[str],
    found: dict[tuple[str, str], Any],
    names: dict[str, str],
    grouping: Grouping,
) -> list[TrendSeries]:
    series = []
    for key in keys:
        points = []
        for week in weeks:
            row = found.get((key, week))
            points.append(
                WeekPoint(week, row.received, Ratio(row.within_sla, row.resolved))
                if row
                else WeekPoint(week, 0, Ratio(0, 0))
            )
        name = "" if key == ALL else _name(names, grouping, key)
        series.append(TrendSeries(None if key == ALL else key, name, points))
    return series


def _weeks(start: date, end: date) -> list[str]:
    monday = start - timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        weeks.append(monday.isoformat())
        monday += timedelta(days=7)
    return weeks


def empty_score(key: str, name: str) -> GroupScore:
    """The figures of a group with no ticket in the period and none overdue: zeros and None."""
    return Figures({}, {}, {}, {}, {}, {}).score((key, ALL), name)


def group_names(grouping: Grouping, language: str) -> dict[str, str]:
    models: dict[Grouping, type[Directorate] | type[Category] | type[Area]] = {
        Grouping.DIRECTORATE: Directorate,
        Grouping.CATEGORY: Category,
        Grouping.DISTRICT: Area,
    }
    # select() of a union of models is typed as of their common base
    rows = cast(
        Iterable[Directorate | Category | Area], db.session.scalars(sa.select(models[grouping]))
    )
    return {row.code: row.name(language) for row in rows}


def _name(names: dict[str, str], grouping: Grouping, key: str) -> str:
    """The group's name; "" stands for tickets without one and is named by the page."""
    return names.get(key, key) if key else ""
