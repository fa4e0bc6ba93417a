"""Escalation: a late ticket goes up to the directorate's head, then to the governor's office.

The ladder (contract, DESIGN.md "Roles"): past its deadline (one SLA after receipt) a ticket
goes to its directorate's managers; past twice its SLA, to the governorate. A citizen saying a
"resolved" ticket is not fixed sends it up at once, one rung per time they say so. Each rung is
climbed at most once per ticket for each reason."""

from datetime import datetime
from enum import StrEnum


class EscalationLevel(StrEnum):
    DIRECTORATE = "directorate"  # the directorate's managers
    GOVERNORATE = "governorate"  # the governor's office


class EscalationReason(StrEnum):
    OVERDUE = "overdue"  # past its deadline (sla-check)
    NOT_FIXED = "not_fixed"  # the citizen said a resolved ticket is not fixed


LADDER = (EscalationLevel.DIRECTORATE, EscalationLevel.GOVERNORATE)

# The daily digest (the escalations since the recipient's last one) by SMS to a manager's or
# the governor's office's staff phone: both languages, about two UCS-2 segments with the link.
DIGEST_SMS = (
    "تصعيدات جديدة: {new}، شكاوى مصعدة ما زالت مفتوحة: {open}. {url}\n"
    "New escalations: {new}; escalated complaints still open: {open}."
)


def overdue_levels(
    received_at: datetime, due_at: datetime | None, now: datetime
) -> list[EscalationLevel]:
    """The rungs an open ticket has reached by lateness at `now`: the directorate once past its
    deadline, the governorate once past twice its SLA (the deadline plus as long again)."""
    if due_at is None or now <= due_at:
        return []
    if now > due_at + (due_at - received_at):
        return list(LADDER)
    return [EscalationLevel.DIRECTORATE]


def next_level(reached: set[EscalationLevel]) -> EscalationLevel | None:
    """The lowest rung not yet reached; None at the top."""
    return next((level for level in LADDER if level not in reached), None)
