"""A ticket's timeline: the one place an event is recorded."""

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa

from feedback.domain.events import SYSTEM, EventKind
from feedback.domain.lifecycle import Status
from feedback.extensions import db
from feedback.models import Ticket, TicketEvent, User, utcnow


def record_event(
    ticket: Ticket,
    kind: EventKind,
    *,
    at: datetime | None = None,
    actor: User | None = None,
    actor_label: str = SYSTEM,
    from_status: str | None = None,
    to_status: Status | None = None,
    public_message: str | None = None,
    internal_note: str | None = None,
    details: Mapping[str, object] | None = None,
) -> TicketEvent:
    """Append a step to `ticket`'s timeline (written with the ticket, in the caller's
    transaction); `at` defaults to now. A public message is stored masked (the model)."""
    event = TicketEvent(
        created_at=at or utcnow(),
        actor=actor,
        actor_label=actor_label,
        kind=kind.value,
        from_status=from_status,
        to_status=to_status.value if to_status else None,
        public_message=public_message,
        internal_note=internal_note,
        details=dict(details) if details is not None else None,
    )
    state = sa.inspect(ticket)
    if state.persistent and "events" not in state.dict:
        # Appended to the timeline unread: loading it to add one step costs a statement.
        event.ticket = ticket
        db.session.add(event)
    else:
        ticket.events.append(event)
    return event
