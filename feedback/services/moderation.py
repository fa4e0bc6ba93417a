"""Moderating what the public reads of a complaint: redacting, hiding and restoring a ticket's
public text (each one transaction and one ticket event, with who and why), the moderation
queue's list of texts, and the figures the queue and the admin overview show.

Moderators may be monitors from civil society, so what they read here is a record of public
fields and the citizen's text with phone numbers masked: never the ticket row, the citizen's
number or name."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.domain.events import EventKind
from feedback.domain.moderation import (
    HIDDEN_TEXT,
    MAX_REASON,
    BadRedaction,
    ModerationAction,
    TextModeration,
    redacted,
)
from feedback.domain.roles import may_moderate
from feedback.domain.text import mask_phone_numbers
from feedback.extensions import db
from feedback.models import Ticket, TicketEvent, User, utcnow
from feedback.models.attachments import Attachment
from feedback.services.errors import NotFound, Refused, all_or_nothing
from feedback.services.events import record_event
from feedback.services.photo_review import WAITING_FOR_REVIEW
from feedback.services.tickets import ticket_by_reference

# The admin overview counts the texts moderated this long ago or less.
RECENT = timedelta(days=7)
PAGE_SIZE = 50


class NotAModerator(Exception):
    """The account may not moderate (feedback.domain.roles.may_moderate)."""


# ---------------------------------------------------------------- the three actions


@all_or_nothing
def redact_text(moderator: User, reference: str, text: str, reason: str) -> Ticket:
    """The ticket's public text becomes `text`, a cut of the citizen's original (Refused on
    the field "text" when it is not: empty, unchanged or not_a_cut)."""
    ticket, why = _moderated(moderator, reference, reason)
    try:
        public = redacted(ticket.original_text, text)
    except BadRedaction as error:
        raise Refused("text", error.reason) from error
    _record(moderator, ticket, ModerationAction.REDACT, why, TextModeration.REDACTED, public)
    return ticket


@all_or_nothing
def hide_text(moderator: User, reference: str, reason: str) -> Ticket:
    """The public reads HIDDEN_TEXT in place of the ticket's text; the original stays."""
    ticket, why = _moderated(moderator, reference, reason)
    if ticket.text_moderation == TextModeration.HIDDEN:
        raise Refused(None, "already_hidden")
    _record(moderator, ticket, ModerationAction.HIDE, why, TextModeration.HIDDEN, HIDDEN_TEXT)
    return ticket


@all_or_nothing
def restore_text(moderator: User, reference: str, reason: str) -> Ticket:
    """The public reads the citizen's text again, phone numbers masked as always."""
    ticket, why = _moderated(moderator, reference, reason)
    if ticket.text_moderation is None:
        raise Refused(None, "nothing_to_restore")
    public = mask_phone_numbers(ticket.original_text)
    _record(moderator, ticket, ModerationAction.RESTORE, why, None, public)
    return ticket


def _moderated(moderator: User, reference: str, reason: str) -> tuple[Ticket, str]:
    """The ticket to moderate, locked, and the reason given, after the checks all three
    actions share."""
    if not may_moderate(moderator.role, moderator.moderator):
        raise NotAModerator(moderator.username)
    why = (reason or "").strip()
    if not why:
        raise Refused("reason", "reason_required")
    if len(why) > MAX_REASON:
        raise Refused("reason", "reason_too_long", count=MAX_REASON)
    ticket = ticket_by_reference(reference, lock=True)
    if ticket is None:
        raise NotFound(reference)
    return ticket, why


def _record(
    moderator: User,
    ticket: Ticket,
    action: ModerationAction,
    reason: str,
    moderation: TextModeration | None,
    public: str,
) -> None:
    """Set the public text and its state, and record the step: the public timeline says the
    text was edited; the reason and the text as it now reads are kept for staff."""
    now = utcnow()
    record_event(
        ticket,
        EventKind.MODERATED,
        at=now,
        actor=moderator,
        actor_label=moderator.role,
        internal_note=reason,
        details={"action": action.value, "public_text": public},
    )
    ticket.text_moderation = moderation.value if moderation else None
    ticket.public_text = public
    ticket.text_moderated_at = now
    ticket.text_moderated_by = moderator
    ticket.updated_at = now
    db.session.commit()


# ---------------------------------------------------------------- the queue


@dataclass(frozen=True)
class ModerationStep:
    """One redaction, hiding or restoring of a ticket's text, for moderators."""

    at: datetime
    action: str  # ModerationAction
    moderator: str  # the account's name
    reason: str


@dataclass(frozen=True)
class TextToReview:
    """A ticket's text as a moderator sees it: what the public reads, what the citizen sent
    (phone numbers masked) and what moderators did to it."""

    reference: str
    status: str
    created_at: datetime
    public_text: str
    sent_text: str  # the original, masked: what a redaction cuts from
    moderation: str | None  # TextModeration
    moderated_at: datetime | None
    moderated_by: str | None  # the last moderator's name
    steps: tuple[ModerationStep, ...] = ()

    @property
    def draft(self) -> str:
        """What the redaction form starts from: the current redaction, else the whole text."""
        return self.public_text if self.moderation == TextModeration.REDACTED else self.sent_text


@dataclass(frozen=True)
class TextPage:
    texts: list[TextToReview]
    older: int | None  # the `before` of the next page, None: this is the last


def texts_to_review(
    *, moderated_only: bool = False, before: int | None = None, limit: int = PAGE_SIZE
) -> TextPage:
    """Tickets' texts, newest first (received, or with `moderated_only` last moderated),
    `limit` at a time; `before` is the id of the last ticket of the page before. Each page
    is one index range (ix_ticket_created_at or ix_ticket_text_moderated_at), however many
    tickets there are."""
    order = Ticket.text_moderated_at if moderated_only else Ticket.created_at
    query = sa.select(Ticket).options(joinedload(Ticket.text_moderated_by))
    if moderated_only:
        query = query.where(order.is_not(None))
    if before is not None:
        mark = db.session.execute(sa.select(order, Ticket.id).where(Ticket.id == before)).first()
        if mark is not None and mark[0] is not None:
            # The first condition alone bounds the index range; the second breaks ties.
            query = query.where(order <= mark[0], sa.or_(order < mark[0], Ticket.id < mark[1]))
    found = list(
        db.session.scalars(query.order_by(order.desc(), Ticket.id.desc()).limit(limit + 1))
    )
    older = found[limit - 1].id if len(found) > limit else None
    return TextPage([_text_of(ticket) for ticket in found[:limit]], older)


def text_to_review(reference: str) -> TextToReview | None:
    """One ticket's text with its moderation history, or None when no ticket has the
    reference."""
    ticket = ticket_by_reference(reference)
    if ticket is None:
        return None
    events = db.session.scalars(
        sa.select(TicketEvent)
        .options(joinedload(TicketEvent.actor))
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.MODERATED)
        .order_by(TicketEvent.id.desc())
    )
    steps = tuple(
        ModerationStep(
            event.created_at,
            (event.details or {}).get("action", ""),
            event.actor.name if event.actor else event.actor_label,
            event.internal_note or "",
        )
        for event in events
    )
    return _text_of(ticket, steps)


def _text_of(ticket: Ticket, steps: tuple[ModerationStep, ...] = ()) -> TextToReview:
    return TextToReview(
        reference=ticket.reference,
        status=ticket.status,
        created_at=ticket.created_at,
        public_text=ticket.public_text,
        sent_text=mask_phone_numbers(ticket.original_text),
        moderation=ticket.text_moderation,
        moderated_at=ticket.text_moderated_at,
        moderated_by=ticket.text_moderated_by.name if ticket.text_moderated_by else None,
        steps=steps,
    )


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class ModerationFigures:
    photos_waiting: int  # citizens' photos stored and not yet approved or rejected
    oldest_photo_since: datetime | None  # when the one waiting longest came
    texts_moderated: int  # tickets whose text was redacted, hidden or restored lately


def figures(now: datetime | None = None) -> ModerationFigures:
    """What waits for moderators and what they did in the last 7 days: two index ranges
    (ix_attachment_review_created_at, ix_ticket_text_moderated_at)."""
    now = now or utcnow()
    photos = db.session.execute(
        sa.select(sa.func.count(Attachment.id), sa.func.min(Attachment.created_at)).where(
            *WAITING_FOR_REVIEW
        )
    ).one()
    texts = db.session.scalar(
        sa.select(sa.func.count(Ticket.id)).where(Ticket.text_moderated_at >= now - RECENT)
    )
    return ModerationFigures(int(photos[0]), photos[1], int(texts or 0))
