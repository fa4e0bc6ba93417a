"""The rollups the scorecards and the map's clusters read (feedback.models.rollups), brought
up to date from the tickets by `flask rollups-refresh`, run every few minutes.

A refresh rereads only the tickets changed since the last one: a higher id, or updated_at at
or after the last refresh less CHANGE_MARGIN (so that a transaction still open then, or a clock
a little behind, is read next time; reading a ticket twice changes nothing). What each counted
before is taken out of the day, histogram and map-cell counts and what it counts now put in;
the overdue backlog, which moves with the clock, is recounted whole.
Everything is rebuilt when there is no rollup yet, when places may have moved between
districts (the reference data changed), or when asked (--full). All in one transaction, so a
page sees the rollups before or after a refresh, never half of one."""

import hashlib
import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import product
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from feedback.domain.rollup import month_start, week_start
from feedback.extensions import db
from feedback.models import ReferenceDataVersion, Ticket, utcnow
from feedback.models.rollups import (
    DAY_COUNTS,
    EVERY_CHANNEL,
    GROUPINGS,
    MEASURES,
    MapCell,
    RollupState,
    ScorecardDay,
    ScorecardHistogram,
    ScorecardOverdue,
    ScorecardTicket,
)
from feedback.services.map_filter import GRID_E3, grid_cell, thousandths
from feedback.services.stats import (
    acknowledged_in_time,
    district_of_area,
    duration_bucket,
    late,
    span_start,
    ticket_fact_columns,
    utc_day,
)

CHANGE_MARGIN = timedelta(minutes=15)
# More changed tickets than this (the job was off for a while): rebuild everything instead.
MAX_CHANGED = 10_000
SPANS = {"month": month_start, "week": week_start}
GROUP_IDS = tuple(f"{grouping}_id" for grouping in GROUPINGS)
MAP_CELL_KEY = ("row", "col", "status", "category_id", "directorate_id", "district_id")
DAY_KEY = ("grouping", "day", "group_id", "channel")
HISTOGRAM_KEY = ("grouping", "measure", "span", "start", "group_id", "bucket", "channel")
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rollups-refresh").digest()[:8], "big", signed=True)


@dataclass(frozen=True)
class Refreshed:
    full: bool
    tickets: int  # tickets whose facts were read again
    days: int  # days of receipt whose counts changed (all of them, rebuilt)
    refreshed_at: datetime
    seconds: float


def refresh_rollups(full: bool = False, now: datetime | None = None) -> Refreshed:
    """Bring every rollup up to date with the tickets as they are now; one transaction."""
    started = clock.perf_counter()
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        # Two refreshes at once would each count the other's rows; the second waits.
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
    state = db.session.get(RollupState, 1)
    version = db.session.scalar(sa.select(ReferenceDataVersion.version)) or 0
    # The rollups hold the tickets up to this id; any written since waits for the next refresh.
    last_ticket_id = db.session.scalar(sa.select(sa.func.max(Ticket.id))) or 0
    changed: list[int] = []
    full = full or state is None or state.reference_version != version
    if state is not None and not full:
        changed = list(
            db.session.scalars(
                sa.select(Ticket.id).where(
                    sa.or_(
                        Ticket.id > state.last_ticket_id,
                        Ticket.updated_at >= state.changed_since,
                    ),
                    Ticket.id <= last_ticket_id,
                )
            )
        )
        full = len(changed) > MAX_CHANGED
    if full:
        db.session.execute(sa.delete(ScorecardTicket))
        _write_facts(Ticket.id <= last_ticket_id)
        tickets = _count(ScorecardTicket.ticket_id)
        _recount_days()
        _recount_histograms()
        _recount_map_cells()
        days = _count(sa.distinct(ScorecardDay.day))
    else:
        # The ids were read once: every statement below works on the same tickets.
        before = _facts_of(changed)
        db.session.execute(sa.delete(ScorecardTicket).where(ScorecardTicket.ticket_id.in_(changed)))
        if changed:
            _write_facts(Ticket.id.in_(changed))
        after = _facts_of(changed)
        _apply_changes(before, after)
        tickets = len(changed)
        days = len({fact.day for fact in (*before, *after)})
    _recount_overdue(now)
    if full and db.session.get_bind().dialect.name == "postgresql":
        for model in (ScorecardTicket, ScorecardDay, ScorecardHistogram):
            db.session.execute(sa.text(f"ANALYZE {model.__tablename__}"))  # for the planner
    if state is None:
        state = RollupState(id=1)
        db.session.add(state)
    state.refreshed_at = now
    state.changed_since = now - CHANGE_MARGIN
    state.last_ticket_id = last_ticket_id
    state.reference_version = version
    db.session.commit()
    return Refreshed(
        full=full,
        tickets=tickets,
        days=days,
        refreshed_at=now,
        seconds=clock.perf_counter() - started,
    )


def _count(column: sa.SQLColumnExpression[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count(column))) or 0


def _facts_of(tickets: list[int]) -> list[sa.Row[*tuple[Any, ...]]]:
    """The facts of these tickets as the table holds them now (plain rows, never objects a
    session would keep from an earlier read)."""
    if not tickets:
        return []
    facts = ScorecardTicket.__table__
    return list(db.session.execute(sa.select(facts).where(facts.c.ticket_id.in_(tickets))))


def _write_facts(which: sa.ColumnElement[bool]) -> None:
    """The facts of the tickets `which` picks, as feedback.services.stats defines them."""
    district = district_of_area()
    inner = (
        sa.select(
            Ticket.id.label("ticket_id"),
            utc_day(Ticket.created_at).label("day"),
            sa.func.coalesce(Ticket.directorate_id, 0).label("directorate_id"),
            sa.func.coalesce(Ticket.category_id, 0).label("category_id"),
            sa.func.coalesce(district.c.district_id, 0).label("district_id"),
            Ticket.channel.label("channel"),
            *ticket_fact_columns(),
            Ticket.status.label("status"),
            thousandths(Ticket.lat).label("lat_e3"),
            thousandths(Ticket.lon).label("lon_e3"),
        )
        .select_from(Ticket)
        .outerjoin(district, Ticket.area_id == district.c.area_id)
        .where(which)
        .subquery()
    )
    # The day's counts (DAY_COUNTS: received, the ack_24h worked out here, then the flags).
    flags = DAY_COUNTS[2:]
    keys = ("ticket_id", "day", *GROUP_IDS, "channel", "ack_seconds", "resolve_seconds")
    facts = sa.select(
        *(inner.c[name] for name in keys),
        duration_bucket(inner.c.ack_seconds),
        duration_bucket(inner.c.resolve_seconds),
        acknowledged_in_time(inner.c.ack_seconds),
        *(inner.c[name] for name in (*flags, "status", "lat_e3", "lon_e3")),
    )
    names = [*keys, "ack_bucket", "resolve_bucket", "ack_24h", *flags, "status", "lat_e3", "lon_e3"]
    db.session.execute(sa.insert(ScorecardTicket).from_select(names, facts))


def _recount_days() -> None:
    """Received and each ratio's numerators per group, day and channel (and every channel),
    from all the facts."""
    facts = ScorecardTicket
    db.session.execute(sa.delete(ScorecardDay))
    for grouping in GROUPINGS:
        group = getattr(facts, f"{grouping}_id")
        for split in (True, False):
            select = sa.select(
                sa.literal(grouping),
                facts.day,
                group,
                facts.channel if split else sa.literal(EVERY_CHANNEL),
                sa.func.count(),
                *(sa.func.sum(getattr(facts, name)) for name in DAY_COUNTS[1:]),
            ).group_by(facts.day, group, *([facts.channel] if split else []))
            columns = [*DAY_KEY, *DAY_COUNTS]
            db.session.execute(sa.insert(ScorecardDay).from_select(columns, select))


def _recount_histograms() -> None:
    """Durations per bucket, group, channel (and every channel) and month or week of receipt,
    from all the facts."""
    facts = ScorecardTicket
    db.session.execute(sa.delete(ScorecardHistogram))
    for span in SPANS:
        start = span_start(sa.literal(span), facts.day)
        for grouping in GROUPINGS:
            group = getattr(facts, f"{grouping}_id")
            for measure, split in product(MEASURES, (True, False)):
                bucket = getattr(facts, f"{measure}_bucket")
                select = (
                    sa.select(
                        sa.literal(grouping),
                        sa.literal(measure),
                        sa.literal(span),
                        start,
                        group,
                        bucket,
                        facts.channel if split else sa.literal(EVERY_CHANNEL),
                        sa.func.count(),
                    )
                    .where(bucket.is_not(None))
                    .group_by(start, group, bucket, *([facts.channel] if split else []))
                )
                columns = [*HISTOGRAM_KEY, "count"]
                db.session.execute(sa.insert(ScorecardHistogram).from_select(columns, select))


def _recount_overdue(now: datetime) -> None:
    """The overdue backlog per group and channel as of `now` (feedback.services.stats.late),
    every grouping from one pass over the late tickets."""
    db.session.execute(sa.delete(ScorecardOverdue))
    district = district_of_area()
    groups = (
        sa.func.coalesce(Ticket.directorate_id, 0).label("directorate"),
        sa.func.coalesce(Ticket.category_id, 0).label("category"),
        sa.func.coalesce(district.c.district_id, 0).label("district"),
        Ticket.channel.label("channel"),
    )
    late_ones = (
        sa.select(*groups, sa.func.count().label("late"))
        .select_from(Ticket)
        .outerjoin(district, Ticket.area_id == district.c.area_id)
        .where(late(now))
        .group_by(*groups)
    )
    counts: dict[tuple[str, int, str], int] = defaultdict(int)
    for row in db.session.execute(late_ones):
        for grouping in GROUPINGS:
            counts[(grouping, getattr(row, grouping), row.channel)] += row.late
    if counts:
        db.session.execute(
            sa.insert(ScorecardOverdue),
            [
                {"grouping": g, "group_id": i, "channel": c, "count": n}
                for (g, i, c), n in counts.items()
            ],
        )


def _recount_map_cells() -> None:
    """Tickets with a point per cell of the map's finest grid, status, category, directorate
    and district."""
    facts = ScorecardTicket
    db.session.execute(sa.delete(MapCell))
    row, col = grid_cell(facts.lat_e3), grid_cell(facts.lon_e3)
    key = (row, col, facts.status, facts.category_id, facts.directorate_id, facts.district_id)
    select = (
        sa.select(*key, sa.func.count(), sa.func.sum(facts.lat_e3), sa.func.sum(facts.lon_e3))
        .where(facts.lat_e3.is_not(None), facts.lon_e3.is_not(None))
        .group_by(*key)
    )
    columns = [*MAP_CELL_KEY, "count", "lat_e3_sum", "lon_e3_sum"]
    db.session.execute(sa.insert(MapCell).from_select(columns, select))


def _apply_changes(
    before: list[sa.Row[*tuple[Any, ...]]], after: list[sa.Row[*tuple[Any, ...]]]
) -> None:
    """Take the changed tickets' facts as the rollups counted them (`before`) out of the day,
    histogram and map-cell counts, and put their facts now (`after`) in."""
    days: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0] * len(DAY_COUNTS))
    histograms: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0])
    cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for sign, facts in ((-1, before), (1, after)):
        for fact in facts:
            flags = (1, *(getattr(fact, name) for name in DAY_COUNTS[1:]))
            for grouping, channel in product(GROUPINGS, (fact.channel, EVERY_CHANNEL)):
                group = getattr(fact, f"{grouping}_id")
                counted = days[(grouping, fact.day, group, channel)]
                for position, flag in enumerate(flags):
                    counted[position] += sign * flag
                for measure in MEASURES:
                    bucket = getattr(fact, f"{measure}_bucket")
                    if bucket is None:
                        continue
                    for span in SPANS:
                        start = SPANS[span](fact.day)
                        key = (grouping, measure, span, start, group, bucket, channel)
                        histograms[key][0] += sign
            if fact.lat_e3 is not None and fact.lon_e3 is not None:
                where = (fact.lat_e3 // GRID_E3, fact.lon_e3 // GRID_E3, fact.status)
                cell = cells[(*where, fact.category_id, fact.directorate_id, fact.district_id)]
                cell[0] += sign
                cell[1] += sign * fact.lat_e3
                cell[2] += sign * fact.lon_e3
    _add(ScorecardDay, DAY_KEY, DAY_COUNTS, days)
    _add(ScorecardHistogram, HISTOGRAM_KEY, ("count",), histograms)
    _add(MapCell, MAP_CELL_KEY, ("count", "lat_e3_sum", "lon_e3_sum"), cells)


def _add(
    model: type[ScorecardDay] | type[ScorecardHistogram] | type[MapCell],
    keys: tuple[str, ...],
    values: tuple[str, ...],
    changes: dict[tuple[Any, ...], list[int]],
) -> None:
    """Add `changes` ({key: [value, ...]}) to `model`'s rows (upsert), then drop the rows
    whose count is down to nothing."""
    rows = [
        {**dict(zip(keys, key, strict=True)), **dict(zip(values, added, strict=True))}
        for key, added in changes.items()
        if any(added)
    ]
    if not rows:
        return
    table = model.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    upsert = insert.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + insert.excluded[name] for name in values},
    )
    db.session.execute(upsert, rows)
    emptied = [dict(zip(keys, key, strict=True)) for key, added in changes.items() if added[0] < 0]
    if emptied:  # rows that may be down to nothing, each found by its primary key
        where = [table.c[name] == sa.bindparam(f"k_{name}") for name in keys]
        db.session.execute(
            sa.delete(table).where(*where, table.c[values[0]] <= 0),
            [{f"k_{name}": row[name] for name in keys} for row in emptied],
        )
