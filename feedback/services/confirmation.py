"""Citizens answering "is it fixed?", asked by the resolved notice (feedback.domain.confirmation):
1 records their confirmation, 2 reopens the complaint to the same directorate with priority.
Each function works in the caller's transaction (intake's, for an SMS); none commits."""

from datetime import datetime

import sqlalchemy as sa

from feedback.domain.confirmation import FixAnswer
from feedback.domain.escalation import EscalationReason
from feedback.domain.events import CITIZEN, EventKind
from feedback.domain.lifecycle import Status
from feedback.domain.replies import reply_text
from feedback.extensions import db
from feedback.models import Ticket, utcnow
from feedback.services.escalations import escalate_now
from feedback.services.events import record_event
from feedback.services.ticket_status import change_status


def awaiting_fix_answer(sender: str) -> Ticket | None:
    """The sender's ticket asked "is it fixed?" most recently and not yet answered."""
    return db.session.scalar(
        sa.select(Ticket)
        .where(
            Ticket.citizen_phone == sender,
            Ticket.fix_asked_at.is_not(None),
            Ticket.status == Status.RESOLVED.value,
        )
        .order_by(Ticket.fix_asked_at.desc(), Ticket.id.desc())
        .limit(1)
    )


def answer_fix_question(ticket: Ticket, answer: FixAnswer, language: str) -> str:
    """Record the citizen's answer about `ticket` and say what became of it."""
    now = utcnow()
    if answer is FixAnswer.FIXED:
        ticket.fix_asked_at = None
        ticket.updated_at = now
        record_event(ticket, EventKind.CONFIRMED_FIXED, at=now, actor_label=CITIZEN)
        return reply_text("confirmed_fixed", language, ref=ticket.reference)
    citizen_said_not_fixed(ticket, now)
    directorate = ticket.directorate.name(language) if ticket.directorate else ""
    return reply_text("not_fixed", language, ref=ticket.reference, directorate=directorate)


def citizen_said_not_fixed(ticket: Ticket, now: datetime) -> None:
    """The citizen says the resolution did not fix it: a 'not_fixed' step on the timeline,
    reopened to the same directorate and flagged priority, which puts it first in its
    officers' queue, marked, until it is resolved again. The citizen is answered by the
    caller, so no notice is queued. It goes up at once: to the directorate's head the first
    time, the governor's office the next."""
    record_event(ticket, EventKind.NOT_FIXED, at=now, actor_label=CITIZEN)
    change_status(ticket, Status.REOPENED, None, None, actor_label=CITIZEN, notify=False, at=now)
    ticket.priority = True
    escalate_now(ticket.id, EscalationReason.NOT_FIXED, now)
