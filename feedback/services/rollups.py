"""The rollups the scorecards and the map's clusters read (feedback.models.rollups), brought
up to date from the tickets by `flask rollups-refresh`, run every few minutes.

A refresh rereads only the tickets changed since the last one: a higher id, or updated_at at
or after the last refresh less CHANGE_MARGIN (so that a transaction still open then, or a clock
a little behind, is read next time; reading a ticket twice changes nothing). It then recounts
the days, weeks and months those tickets were received in, and the overdue backlog and the
map's cells whole.
Everything is rebuilt when there is no rollup yet, when places may have moved between
districts (the reference data changed), or when asked (--full). All in one transaction, so a
page sees the rollups before or after a refresh, never half of one."""

import hashlib
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from feedback.domain.rollup import month_start, week_start
from feedback.extensions import db
from feedback.models import ReferenceDataVersion, Ticket, utcnow
from feedback.models.rollups import (
    GROUPINGS,
    MEASURES,
    MapCell,
    RollupState,
    ScorecardDay,
    ScorecardHistogram,
    ScorecardOverdue,
    ScorecardTicket,
)
from feedback.services.public_map import grid_cell, thousandths
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
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"rollups-refresh").digest()[:8], "big", signed=True)


@dataclass(frozen=True)
class Refreshed:
    full: bool
    tickets: int  # tickets whose facts were read again
    days: int  # days of receipt recounted
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
    if not full:
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
        days = None
    else:
        # The ids were read once: every statement below works on the same tickets.
        days = _days_of(changed)
        db.session.execute(sa.delete(ScorecardTicket).where(ScorecardTicket.ticket_id.in_(changed)))
        if changed:
            _write_facts(Ticket.id.in_(changed))
        tickets = len(changed)
        days |= _days_of(changed)
    _recount_days(days)
    _recount_histograms(days)
    _recount_overdue(now)
    _recount_map_cells()
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
        days=len(days) if days is not None else _count(sa.distinct(ScorecardDay.day)),
        refreshed_at=now,
        seconds=clock.perf_counter() - started,
    )


def _count(column) -> int:
    return db.session.scalar(sa.select(sa.func.count(column))) or 0


def _days_of(tickets: list[int]) -> set[date]:
    query = sa.select(ScorecardTicket.day).where(ScorecardTicket.ticket_id.in_(tickets)).distinct()
    return set(db.session.scalars(query))


def _write_facts(which) -> None:
    """The facts of the tickets `which` picks, as feedback.services.stats defines them."""
    district = district_of_area()
    inner = (
        sa.select(
            Ticket.id.label("ticket_id"),
            utc_day(Ticket.created_at).label("day"),
            sa.func.coalesce(Ticket.directorate_id, 0).label("directorate_id"),
            sa.func.coalesce(Ticket.category_id, 0).label("category_id"),
            sa.func.coalesce(district.c.district_id, 0).label("district_id"),
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
    facts = sa.select(
        inner.c.ticket_id,
        inner.c.day,
        inner.c.directorate_id,
        inner.c.category_id,
        inner.c.district_id,
        inner.c.ack_seconds,
        inner.c.resolve_seconds,
        duration_bucket(inner.c.ack_seconds),
        duration_bucket(inner.c.resolve_seconds),
        acknowledged_in_time(inner.c.ack_seconds),
        inner.c.resolved,
        inner.c.within_sla,
        inner.c.reopened,
        inner.c.disputed,
        inner.c.status,
        inner.c.lat_e3,
        inner.c.lon_e3,
    )
    names = [
        "ticket_id",
        "day",
        "directorate_id",
        "category_id",
        "district_id",
        "ack_seconds",
        "resolve_seconds",
        "ack_bucket",
        "resolve_bucket",
        "ack_24h",
        "resolved",
        "within_sla",
        "reopened",
        "disputed",
        "status",
        "lat_e3",
        "lon_e3",
    ]
    db.session.execute(sa.insert(ScorecardTicket).from_select(names, facts))


def _recount_days(days: set[date] | None) -> None:
    """Received and each ratio's numerators per group and day; `days` None: all of them."""
    facts = ScorecardTicket
    if days is not None and not days:
        return
    delete = sa.delete(ScorecardDay)
    if days is not None:
        delete = delete.where(ScorecardDay.day.in_(days))
    db.session.execute(delete)
    for grouping in GROUPINGS:
        group = getattr(facts, f"{grouping}_id")
        select = sa.select(
            sa.literal(grouping),
            facts.day,
            group,
            sa.func.count(),
            sa.func.sum(facts.ack_24h),
            sa.func.sum(facts.resolved),
            sa.func.sum(facts.within_sla),
            sa.func.sum(facts.reopened),
            sa.func.sum(facts.disputed),
        ).group_by(facts.day, group)
        if days is not None:
            select = select.where(facts.day.in_(days))
        columns = ["grouping", "day", "group_id", "received", "ack_24h", "resolved"]
        columns += ["within_sla", "reopened", "disputed"]
        db.session.execute(sa.insert(ScorecardDay).from_select(columns, select))


def _recount_histograms(days: set[date] | None) -> None:
    """Durations per bucket, group and month or week of receipt, for the months and weeks
    that hold one of `days` (None: all)."""
    facts = ScorecardTicket
    for span, start_of in (("month", month_start), ("week", week_start)):
        delete = sa.delete(ScorecardHistogram).where(ScorecardHistogram.span == span)
        within = sa.true()
        if days is not None:
            starts = sorted({start_of(day) for day in days})
            if not starts:
                continue
            delete = delete.where(ScorecardHistogram.start.in_(starts))
            within = sa.or_(*(facts.day.between(*_span_days(span, s)) for s in starts))
        db.session.execute(delete)
        start = span_start(sa.literal(span), facts.day)
        for grouping in GROUPINGS:
            group = getattr(facts, f"{grouping}_id")
            for measure in MEASURES:
                bucket = getattr(facts, f"{measure}_bucket")
                select = (
                    sa.select(
                        sa.literal(grouping),
                        sa.literal(measure),
                        sa.literal(span),
                        start,
                        group,
                        bucket,
                        sa.func.count(),
                    )
                    .where(within, bucket.is_not(None))
                    .group_by(start, group, bucket)
                )
                columns = ["grouping", "measure", "span", "start", "group_id", "bucket", "count"]
                db.session.execute(sa.insert(ScorecardHistogram).from_select(columns, select))


def _span_days(span: str, start: date) -> tuple[date, date]:
    if span == "week":
        return start, start + timedelta(days=6)
    return start, (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _recount_overdue(now: datetime) -> None:
    """The overdue backlog per group as of `now` (feedback.services.stats.late)."""
    db.session.execute(sa.delete(ScorecardOverdue))
    for grouping in GROUPINGS:
        select = sa.select(sa.literal(grouping)).select_from(Ticket)
        if grouping == "district":
            district = district_of_area()
            select = select.outerjoin(district, Ticket.area_id == district.c.area_id)
            group = sa.func.coalesce(district.c.district_id, 0)
        else:
            group = sa.func.coalesce(getattr(Ticket, f"{grouping}_id"), 0)
        select = select.add_columns(group, sa.func.count()).where(late(now)).group_by(group)
        columns = ["grouping", "group_id", "count"]
        db.session.execute(sa.insert(ScorecardOverdue).from_select(columns, select))


def _recount_map_cells() -> None:
    """Tickets with a point per cell of the map's finest grid and status."""
    facts = ScorecardTicket
    db.session.execute(sa.delete(MapCell))
    row, col = grid_cell(facts.lat_e3), grid_cell(facts.lon_e3)
    select = (
        sa.select(
            row,
            col,
            facts.status,
            sa.func.count(),
            sa.func.sum(facts.lat_e3),
            sa.func.sum(facts.lon_e3),
        )
        .where(facts.lat_e3.is_not(None), facts.lon_e3.is_not(None))
        .group_by(row, col, facts.status)
    )
    columns = ["row", "col", "status", "count", "lat_e3_sum", "lon_e3_sum"]
    db.session.execute(sa.insert(MapCell).from_select(columns, select))
