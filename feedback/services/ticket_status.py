"""A ticket's change of status, with its event and the citizen's notice: the one step every
service that moves a ticket takes (officers' actions, incidents, commands, the clock)."""

from datetime import datetime

from feedback.domain.events import EventKind
from feedback.domain.lifecycle import Status
from feedback.domain.outbox import SmsState
from feedback.domain.roles import Role
from feedback.models import Ticket, User, utcnow
from feedback.services.events import record_event
from feedback.services.notify import queue_notice

# The notice each new status sends the citizen.
NOTICE_FOR = {
    Status.ACKNOWLEDGED: "acknowledged",
    Status.IN_PROGRESS: "in_progress",
    Status.RESOLVED: "resolved",
    Status.REJECTED: "rejected",
    Status.REOPENED: "reopened",
}


def change_status(
    ticket: Ticket,
    target: Status,
    user: User | None,
    public_message: str | None,
    internal_note: str | None = None,
    actor_label: str = Role.OFFICER,
    notify: bool = True,
    at: datetime | None = None,
) -> None:
    """Apply an already-checked status change, its event and its notice (no commit); `at`
    backdates it (the demo seed writes 90 days of history)."""
    now = at or utcnow()
    event = record_event(
        ticket,
        EventKind.STATUS,
        at=now,
        actor=user,
        actor_label=actor_label,
        from_status=ticket.status,
        to_status=target,
        public_message=(public_message or "").strip() or None,
        internal_note=(internal_note or "").strip() or None,
    )
    ticket.status = target.value
    ticket.updated_at = now
    ticket.fix_asked_at = None  # "is it fixed?" is about the resolution this change ends
    if target == Status.ACKNOWLEDGED and ticket.acknowledged_at is None:
        ticket.acknowledged_at = now
    if target in (Status.RESOLVED, Status.REJECTED):
        ticket.resolved_at = now
        ticket.priority = False  # answered again: the citizen's "not fixed" was seen to
    if target == Status.CLOSED:
        ticket.closed_at = now
    message = event.public_message or ""  # as stored: masked
    if notify and target == Status.RESOLVED:
        ask_if_fixed(ticket, message, now)
    elif notify and target in NOTICE_FOR:
        queue_notice(ticket, NOTICE_FOR[target], message)


def ask_if_fixed(ticket: Ticket, message: str, at: datetime | None = None) -> None:
    """The resolved notice, which asks the citizen to reply 1 (fixed) or 2 (not fixed) (no
    commit). The question is outstanding only when the SMS will go: not when they left no
    number, texted STOP, or the number is blocked."""
    sms = queue_notice(ticket, NOTICE_FOR[Status.RESOLVED], message)
    if sms is None or sms.status == SmsState.DROPPED:
        return
    now = at or utcnow()
    ticket.fix_asked_at = now
    record_event(ticket, EventKind.FIX_ASKED, at=now)
