"""Answering citizens' STATUS and REOPEN commands. Only the number that filed a ticket learns
anything about it: to anyone else the reference does not exist, so scraping refs is useless.
STOP and START turn the number's notices off and on, each confirmed by its one reply. ME TOO
(+1 <ref>) takes anyone's ref, as a neighbour passes it on, and tells only what the public
incident page shows: whether the ref is in an incident, and its count. FOLLOW and UNFOLLOW
name an area, not a ref (feedback.services.follow)."""

import sqlalchemy as sa

from feedback.domain.commands import Command, ParsedCommand
from feedback.domain.confirmation import FixAnswer
from feedback.domain.lifecycle import ReopenWindowClosed, Status, check_reopen_window
from feedback.domain.replies import notice_text, reply_text, status_word
from feedback.domain.support import SupportChannel, SupportOutcome
from feedback.extensions import db
from feedback.models import Ticket, utcnow
from feedback.services.confirmation import answer_fix_question
from feedback.services.follow import follow, unfollow
from feedback.services.incident_support import Support, add_supporter
from feedback.services.phones import start_notices, stop_notices
from feedback.services.ticket_status import change_status


def answer_command(command: ParsedCommand, sender: str, language: str) -> tuple[str, Ticket | None]:
    """The reply text, and the ticket it concerned (for the message record)."""
    if command.command == Command.STOP:
        stop_notices(sender)
        return reply_text("stopped", language), None
    if command.command == Command.START:
        start_notices(sender)
        return reply_text("started", language), None
    if command.command == Command.FOLLOW:
        return follow(sender, command.text, language), None
    if command.command == Command.UNFOLLOW:
        return unfollow(sender, command.text, language), None
    if command.reference is None:
        return reply_text("help", language), None
    if command.command == Command.ME_TOO:
        return _me_too(command.reference, sender, language), None
    ticket = db.session.scalar(
        sa.select(Ticket).where(
            Ticket.reference == command.reference, Ticket.citizen_phone == sender
        )
    )
    if ticket is None:
        return notice_text("not_found", language), None
    if command.command == Command.STATUS:
        return _status(ticket, language), ticket
    return _reopen(ticket, command.text, language), ticket


SUPPORT_REPLIES = {
    SupportOutcome.ADDED: "supported",
    SupportOutcome.ALREADY: "already_supported",
    SupportOutcome.CLOSED: "support_closed",
    SupportOutcome.NOT_FOUND: "support_unknown",
}


def _me_too(reference: str, sender: str, language: str) -> str:
    incident_id = db.session.scalar(
        sa.select(Ticket.incident_id).where(Ticket.reference == reference)
    )
    support = (
        add_supporter(incident_id, SupportChannel.SMS, sender, utcnow())
        if incident_id is not None
        else Support(SupportOutcome.NOT_FOUND)
    )
    return reply_text(
        SUPPORT_REPLIES[support.outcome], language, ref=reference, count=support.reports
    )


def _status(ticket: Ticket, language: str) -> str:
    last_public = next(
        (event.public_message for event in reversed(ticket.events) if event.public_message), ""
    )
    return notice_text(
        "status",
        language,
        last_public,
        ref=ticket.reference,
        status=status_word(ticket.status, language),
    )


def _reopen(ticket: Ticket, text: str, language: str) -> str:
    now = utcnow()
    values = {"ref": ticket.reference}
    if ticket.status not in (Status.RESOLVED.value, Status.REJECTED.value):
        key = "reopen_too_late" if ticket.status == Status.CLOSED.value else "reopen_not_closed"
        return notice_text(key, language, **values)
    try:
        check_reopen_window(ticket.resolved_at, now)
    except ReopenWindowClosed:
        return notice_text("reopen_too_late", language, **values)
    if text.strip():
        ticket.original_text += "\n" + text.strip()
    if ticket.fix_asked_at is not None:  # asked "is it fixed?", the citizen says it is not
        return answer_fix_question(ticket, FixAnswer.NOT_FIXED, language)
    # The citizen is answered by this very reply; no separate notice is queued.
    change_status(ticket, Status.REOPENED, None, None, actor_label="citizen", notify=False)
    directorate = ticket.directorate.name(language) if ticket.directorate else ""
    return notice_text("reopened", language, ref=ticket.reference, directorate=directorate)
