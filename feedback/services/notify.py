"""Telling the citizen: an Outbox row written in the caller's transaction, never a send from
inside it. The sms-worker sends after commit, so a rolled-back change texts nobody and a
committed one is never forgotten."""

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.sms.replies import notice_text


def queue_sms(ticket: Ticket, body: str) -> Outbox | None:
    """Queue `body` to the citizen who filed `ticket`; None when they left no number."""
    if not ticket.citizen_phone:
        return None
    row = Outbox(
        ticket=ticket,
        to_number=ticket.citizen_phone,
        body=body,
        language=ticket.language,
        channel="whatsapp" if ticket.citizen_phone.startswith("whatsapp:") else "sms",
    )
    db.session.add(row)
    return row


def queue_notice(ticket: Ticket, key: str, message: str = "") -> Outbox | None:
    """A notice about `ticket` in the citizen's language, naming its current directorate."""
    language = ticket.language
    directorate = ticket.directorate.name(language) if ticket.directorate else ""
    body = notice_text(key, language, message or "", ref=ticket.reference, directorate=directorate)
    return queue_sms(ticket, body)
