"""Telling the citizen: an Outbox row written in the caller's transaction, never a send from
inside it. The sms-worker sends after commit, so a rolled-back change texts nobody and a
committed one is never forgotten."""

from flask import current_app

from feedback.domain.channels import outbound_channel
from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.sms.replies import notice_text


def queue_sms(ticket: Ticket, body: str) -> Outbox | None:
    """Queue `body` to the citizen who filed `ticket`; None when they left no number."""
    if not ticket.citizen_phone:
        return None
    return queue_to(ticket.citizen_phone, body, ticket.language, ticket)


def queue_to(to_number: str, body: str, language: str, ticket: Ticket | None = None) -> Outbox:
    """An outbox row on the channel the recipient and our configuration call for."""
    from feedback.sms.backends import enabled_channels

    channel = outbound_channel(to_number, enabled_channels(current_app.config))
    row = Outbox(ticket=ticket, to_number=to_number, body=body, language=language, channel=channel)
    db.session.add(row)
    return row


def queue_notice(ticket: Ticket, key: str, message: str = "") -> Outbox | None:
    """A notice about `ticket` in the citizen's language, naming its current directorate."""
    language = ticket.language
    directorate = ticket.directorate.name(language) if ticket.directorate else ""
    body = notice_text(key, language, message or "", ref=ticket.reference, directorate=directorate)
    return queue_sms(ticket, body)
