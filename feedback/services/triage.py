"""What waits for an admin: tickets no routing rule could place (the triage queue), and SMS
that did not go out; each change one transaction."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.domain.corrections import CorrectionKind
from feedback.domain.events import EventKind
from feedback.domain.outbox import SmsState
from feedback.domain.roles import Role
from feedback.extensions import Model, db
from feedback.models import (
    Area,
    Category,
    Directorate,
    Outbox,
    RoutingRule,
    Ticket,
    User,
    utcnow,
)
from feedback.services.casework import set_category
from feedback.services.corrections import codes_of, record_correction
from feedback.services.errors import NotFound, Refused, all_or_nothing
from feedback.services.events import record_event
from feedback.services.moderation import ModerationFigures, figures
from feedback.services.notify import queue_notice
from feedback.services.rows import by_code

TRIAGE_REASON = "assigned by admin from triage"
# How far back the overview counts SMS that were not sent (held, dropped, failed).
NOT_SENT_RECENT = timedelta(days=7)


@dataclass(frozen=True)
class Overview:
    triage: int
    users: int
    active_users: int
    directorates: int
    categories: int
    active_categories: int
    areas: int
    rules: int
    sms_not_sent: int  # held back, dropped or failed within NOT_SENT_RECENT
    moderation: ModerationFigures  # photos waiting, the oldest wait, texts moderated lately


def overview() -> Overview:
    """The counts on the admin home page."""

    def count(model: type[Model], *where: sa.ColumnExpressionArgument[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(model)
        return db.session.scalar(query.where(*where)) or 0

    return Overview(
        triage=count(Ticket, *_in_triage()),
        users=count(User),
        active_users=count(User, User.active),
        directorates=count(Directorate),
        categories=count(Category),
        active_categories=count(Category, Category.active),
        areas=count(Area),
        rules=count(RoutingRule),
        sms_not_sent=count(Outbox, _not_sent(), Outbox.created_at >= utcnow() - NOT_SENT_RECENT),
        moderation=figures(),
    )


def _in_triage() -> tuple[sa.ColumnElement[bool], ...]:
    return Ticket.directorate_id.is_(None), Ticket.awaiting.is_(None)


def triage_queue(limit: int = 500) -> list[Ticket]:
    """Tickets no rule could route (and no longer waiting for the citizen), oldest first."""
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(*_in_triage())
            .options(joinedload(Ticket.category), joinedload(Ticket.area))
            .order_by(Ticket.created_at, Ticket.id)
            .limit(limit)
        )
    )


@all_or_nothing
def assign_from_triage(
    admin_user: User, reference: str, directorate_code: str, category_code: str | None = None
) -> Ticket:
    """Route a triage ticket by hand: set its directorate (and maybe its category, kept as a
    correction of the parser), record the routing and queue the citizen's notice; one commit."""
    ticket = db.session.scalar(
        sa.select(Ticket)
        .where(Ticket.reference == reference.strip().upper(), *_in_triage())
        .with_for_update()
    )
    if ticket is None:
        raise NotFound(reference)
    directorate = by_code(Directorate, directorate_code)
    if directorate is None:
        raise Refused("directorate", "unknown_directorate")
    details = {"reason": TRIAGE_REASON, "directorate": directorate.code}
    before = codes_of(ticket)
    category = by_code(Category, category_code)
    if category_code and category is None:
        raise Refused("category", "unknown_category")
    recategorised = category is not None and category.id != ticket.category_id
    if recategorised:
        assert category is not None
        set_category(ticket, category)
        details["category"] = category.code
    now = utcnow()
    ticket.directorate = directorate
    ticket.triage_reason = None
    ticket.updated_at = now
    record_event(
        ticket, EventKind.ROUTED, at=now, actor=admin_user, actor_label=Role.ADMIN, details=details
    )
    if recategorised:
        record_correction(ticket, CorrectionKind.CATEGORY, admin_user, before, now)
    queue_notice(ticket, "transferred")
    db.session.commit()
    return ticket


def _not_sent() -> sa.ColumnElement[bool]:
    """Held back or dropped by the limits, or given up on after every retry (or refused by
    the network): what an admin must see, since the citizen was not told."""
    return sa.or_(
        Outbox.withheld.is_not(None),
        Outbox.status.in_((SmsState.FAILED, SmsState.UNDELIVERED)),
    )


def sms_not_sent(limit: int = 300) -> list[Outbox]:
    """Every SMS that did not go as written, newest first, with why: none goes silently."""
    return list(
        db.session.scalars(
            sa.select(Outbox)
            .where(_not_sent())
            .options(joinedload(Outbox.ticket))
            .order_by(Outbox.id.desc())
            .limit(limit)
        )
    )


def send_again(outbox_id: int) -> Outbox:
    """An admin sends a failed SMS again, once the gateway is back: a fresh set of attempts."""
    row = db.session.get(Outbox, outbox_id)
    if row is None or row.status not in (SmsState.FAILED, SmsState.UNDELIVERED):
        raise NotFound(outbox_id)
    row.status = SmsState.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    db.session.commit()
    return row
