"""Service-level deadlines: when a ticket is due, and whether it is late."""

from datetime import datetime, timedelta


def due_at(received_at: datetime, sla_hours: int | None) -> datetime | None:
    """Deadline for resolving a ticket received at `received_at`; None without an SLA."""
    if sla_hours is None:
        return None
    return received_at + timedelta(hours=sla_hours)


def is_overdue(due: datetime | None, now: datetime, is_open: bool) -> bool:
    return is_open and due is not None and now > due
