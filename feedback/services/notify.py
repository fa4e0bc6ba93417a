"""Telling the citizen: an Outbox row written in the caller's transaction, never a send from
inside it. The sms-worker sends after commit, so a rolled-back change texts nobody and a
committed one is never forgotten.

Every SMS passes here, so here each recipient's daily allowance is kept: decided when the SMS
is queued, under the number's lock, from the Outbox rows to that number. The decision is
then in the very transaction that caused the SMS (the /report page can say at once that no
SMS will come), and the worker stays a sender that never has to judge."""

from datetime import datetime

import sqlalchemy as sa

from feedback.domain.channels import outbound_channel
from feedback.domain.limits import Recipient, SmsKind, day_bounds, decide_sms
from feedback.domain.outbox import SmsState
from feedback.domain.phone import addresses
from feedback.domain.replies import notice_text
from feedback.extensions import db
from feedback.models import Outbox, Ticket, utcnow
from feedback.services.phones import active_block, has_texted_us, lock_recipient, notices_off
from feedback.services.settings import settings


def queue_sms(ticket: Ticket, body: str, kind: SmsKind = SmsKind.NOTICE) -> Outbox | None:
    """Queue `body` to the citizen who filed `ticket`; None when they left no number."""
    if not ticket.citizen_phone:
        return None
    return queue_to(ticket.citizen_phone, body, ticket.language, ticket, kind)


def queue_to(
    to_number: str,
    body: str,
    language: str,
    ticket: Ticket | None = None,
    kind: SmsKind = SmsKind.NOTICE,
) -> Outbox:
    """An outbox row on the channel the recipient and our configuration call for: due now,
    held for the recipient's next day, or dropped, with the reason kept on the row."""
    deployment = settings()
    channel = outbound_channel(to_number, deployment.channels)
    lock_recipient(to_number)
    now = utcnow()
    today, tomorrow, after = day_bounds(now, deployment.timezone)
    recipient = Recipient(
        sent_today=_counted(to_number, today, tomorrow),
        due_tomorrow=_counted(to_number, tomorrow, after),
        confirmed=has_texted_us(to_number),
        blocked=active_block(to_number) is not None,
        notices_off=notices_off(to_number),
    )
    decision = decide_sms(kind, recipient, deployment.allowance)
    row = Outbox(
        ticket=ticket,
        to_number=to_number,
        body=body,
        language=language,
        channel=channel,
        status=SmsState.DROPPED if decision.dropped else SmsState.PENDING,
        withheld=decision.withheld,
        held_until=tomorrow if decision.next_day else None,
        next_attempt_at=tomorrow if decision.next_day else now,
        created_at=now,
    )
    db.session.add(row)
    return row


def _counted(to_number: str, start: datetime, end: datetime) -> int:
    """SMS to this number (SMS and WhatsApp) that count on the day from `start` to `end`:
    all but dropped ones, on the day they were queued, or for a held one the day it waits for."""
    counts_on = sa.func.coalesce(Outbox.held_until, Outbox.created_at)
    query = sa.select(sa.func.count(Outbox.id)).where(
        Outbox.to_number.in_(addresses(to_number)),
        Outbox.status != SmsState.DROPPED,
        counts_on >= start,
        counts_on < end,
    )
    return db.session.scalar(query) or 0


def queue_notice(ticket: Ticket, key: str, message: str = "") -> Outbox | None:
    """A notice about `ticket` in the citizen's language, naming its current directorate."""
    language = ticket.language
    directorate = ticket.directorate.name(language) if ticket.directorate else ""
    body = notice_text(key, language, message or "", ref=ticket.reference, directorate=directorate)
    return queue_sms(ticket, body)
