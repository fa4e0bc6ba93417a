"""Service-level deadlines: when a ticket is due, whether it is late, and how waiting on the
citizen stops the clock."""

from datetime import datetime, timedelta


def due_at(received_at: datetime, sla_hours: int | None) -> datetime | None:
    """Deadline for resolving a ticket received at `received_at`; None without an SLA."""
    if sla_hours is None:
        return None
    return received_at + timedelta(hours=sla_hours)


def is_overdue(due: datetime | None, now: datetime, is_open: bool) -> bool:
    return is_open and due is not None and now > due


def paused(due: datetime | None, paused_from: datetime, resumed_at: datetime) -> datetime | None:
    """The deadline pushed back by the time the clock stood still (waiting on the citizen)."""
    if due is None or resumed_at <= paused_from:
        return due
    return due + (resumed_at - paused_from)
