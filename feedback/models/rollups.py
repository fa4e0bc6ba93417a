"""Rollups: what the scorecards and the map's clusters read instead of every ticket. Derived
data only, written by feedback.services.rollups (`flask rollups-refresh`): dropping every row
and refreshing gives the same rows back."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from feedback.extensions import Model
from feedback.models import UTCDateTime

# Group ids are 0 for "none" (unrouted, uncategorised, no district), never NULL.
GROUPINGS = ("directorate", "category", "district")
# The channel of the day and histogram rows that count every channel (no Channel is this):
# the scorecards of every channel read as many rows as before channels were counted.
EVERY_CHANNEL = "*"
MEASURES = ("ack", "resolve")
# What a day counts of its tickets (ScorecardDay's columns, in order): how many, and each
# ratio's numerators and denominators (feedback.services.stats).
DAY_COUNTS = (
    "received",
    "ack_24h",
    "resolved",
    "within_sla",
    "reopened",
    "disputed",
    "fix_asked",
    "confirmed_fixed",
    "not_fixed",
)


def _fine_step_indexes() -> list[sa.Index]:
    """One index per grouping and duration: a group's durations in one bucket, in order, with
    their day and channel, read until the wanted rank within the period (and channel) (the
    exact percentile inside the bucket the histograms point at) without touching the table."""
    indexes = []
    for measure in MEASURES:
        for grouping in (*GROUPINGS, None):
            columns = [f"{grouping}_id"] if grouping else []
            columns += [f"{measure}_bucket", f"{measure}_seconds", "day", "channel"]
            name = f"ix_scorecard_ticket_{measure}_{grouping or 'all'}"
            indexes.append(sa.Index(name, *columns))
    return indexes


class ScorecardTicket(Model):
    """A ticket's facts as feedback.services.stats defines them, and its status and public
    point for the map, as of the last refresh."""

    __tablename__ = "scorecard_ticket"
    __table_args__ = (
        # The loose days of a period, counted by group and bucket from the index alone.
        sa.Index(
            "ix_scorecard_ticket_day",
            "day",
            *(f"{grouping}_id" for grouping in GROUPINGS),
            *(f"{measure}_bucket" for measure in MEASURES),
            "channel",
        ),
        *_fine_step_indexes(),
    )

    ticket_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date]  # the UTC day of receipt
    directorate_id: Mapped[int]
    category_id: Mapped[int]
    district_id: Mapped[int]
    channel: Mapped[str] = mapped_column(sa.String(20))  # Ticket.channel
    ack_seconds: Mapped[int | None] = mapped_column(sa.BigInteger)
    resolve_seconds: Mapped[int | None] = mapped_column(sa.BigInteger)
    # feedback.services.stats.duration_bucket of the seconds: ordered like them, coarser.
    ack_bucket: Mapped[int | None]
    resolve_bucket: Mapped[int | None]
    ack_24h: Mapped[int] = mapped_column(sa.SmallInteger)  # 1 or 0
    resolved: Mapped[int] = mapped_column(sa.SmallInteger)
    within_sla: Mapped[int] = mapped_column(sa.SmallInteger)
    reopened: Mapped[int] = mapped_column(sa.SmallInteger)
    disputed: Mapped[int] = mapped_column(sa.SmallInteger)
    fix_asked: Mapped[int] = mapped_column(sa.SmallInteger)
    confirmed_fixed: Mapped[int] = mapped_column(sa.SmallInteger)
    not_fixed: Mapped[int] = mapped_column(sa.SmallInteger)
    status: Mapped[str] = mapped_column(sa.String(20))
    # The public point (feedback.services.map_filter) in thousandths of a degree.
    lat_e3: Mapped[int | None]
    lon_e3: Mapped[int | None]


class ScorecardDay(Model):
    """Per group, UTC day of receipt and channel (and EVERY_CHANNEL): how many tickets, and
    each ratio's numerators."""

    __tablename__ = "scorecard_day"

    grouping: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    received: Mapped[int]
    ack_24h: Mapped[int]
    resolved: Mapped[int]
    within_sla: Mapped[int]
    reopened: Mapped[int]
    disputed: Mapped[int]
    fix_asked: Mapped[int]
    confirmed_fixed: Mapped[int]
    not_fixed: Mapped[int]


class ScorecardHistogram(Model):
    """How many durations fell in each bucket, per group and channel (and EVERY_CHANNEL), for
    the tickets received in one calendar month or one week (Monday to Sunday, UTC)."""

    __tablename__ = "scorecard_histogram"

    grouping: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    measure: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    span: Mapped[str] = mapped_column(sa.String(5), primary_key=True)  # month | week
    start: Mapped[date] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int]


class ScorecardOverdue(Model):
    """Open tickets past their deadline at the last refresh, per group and channel."""

    __tablename__ = "scorecard_overdue"

    grouping: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    group_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    count: Mapped[int]


class MapCell(Model):
    """Tickets of one status, category, directorate and district (the map's filters) in one
    cell of its finest cluster grid (feedback.services.map_filter.GRID_E3), with the sums of
    their public points in thousandths of a degree, for the cluster's centre."""

    __tablename__ = "map_cell"

    row: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    col: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    category_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    directorate_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    district_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    count: Mapped[int]
    lat_e3_sum: Mapped[int] = mapped_column(sa.BigInteger)
    lon_e3_sum: Mapped[int] = mapped_column(sa.BigInteger)


class RollupState(Model):
    """The one row saying when the rollups were refreshed and from which point the next
    refresh reads tickets again."""

    __tablename__ = "rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the figures are as of this
    # Tickets updated at or after this, or with an id above last_ticket_id, are read again.
    changed_since: Mapped[datetime] = mapped_column(UTCDateTime)
    last_ticket_id: Mapped[int]
    reference_version: Mapped[int]  # places moved between districts: rebuild everything
