"""Civil-society monitors checking fixes in the field. A monitor may verify or dispute a
resolved ticket; a dispute reopens it to the same directorate and counts on its scorecard.
Monitors change nothing else: they read, follow, and report what they saw."""

import secrets
from pathlib import Path

import sqlalchemy as sa

from feedback.domain.events import PUBLIC_EVENT_KINDS, EventKind, Verdict
from feedback.domain.lifecycle import Status
from feedback.domain.roles import Role
from feedback.extensions import db
from feedback.models import Area, Follow, Ticket, TicketEvent, User, Verification
from feedback.services.areas import area_ids_within
from feedback.services.errors import NotFound
from feedback.services.events import record_event
from feedback.services.photos import clean_photo
from feedback.services.rows import by_code
from feedback.services.ticket_status import change_status
from feedback.services.tickets import ticket_by_reference


class NotVerifiable(Exception):
    """Only a resolved ticket can be verified or disputed."""


def record_verdict(
    monitor: User,
    reference: str,
    verdict: Verdict,
    note: str,
    photo: bytes | None,
    upload_dir: Path,
) -> Verification:
    """Record what a monitor found; a dispute reopens the ticket. One transaction. The photo,
    if any, is stored re-encoded (BadPhoto when it is not one)."""
    if verdict not in tuple(Verdict) or not note.strip():
        raise ValueError("a verdict and a note are needed")
    ticket = ticket_by_reference(reference)
    if ticket is None:
        raise NotFound(reference)
    if ticket.status != Status.RESOLVED.value:
        raise NotVerifiable(ticket.status)
    photo_path = None
    if photo is not None:
        cleaned = clean_photo(photo)
        upload_dir.mkdir(parents=True, exist_ok=True)
        photo_path = f"{secrets.token_hex(16)}.{cleaned.extension}"
        (upload_dir / photo_path).write_bytes(cleaned.content)
    found = Verification(
        ticket=ticket, monitor=monitor, verdict=verdict, note=note.strip(), photo_path=photo_path
    )
    db.session.add(found)
    if verdict == Verdict.DISPUTED:
        change_status(ticket, Status.REOPENED, monitor, note, actor_label=Role.MONITOR)
        ticket.events[-1].details = {"disputed_by": monitor.organisation}
    else:
        record_event(
            ticket,
            EventKind.VERIFIED,
            actor=monitor,
            actor_label=Role.MONITOR,
            public_message=note.strip(),
            details={"verified_by": monitor.organisation},
        )
    db.session.commit()
    return found


def awaiting_verification(limit: int = 100) -> list[Ticket]:
    """Resolved tickets no monitor has checked yet, most recently resolved first."""
    checked = sa.exists().where(Verification.ticket_id == Ticket.id)
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(Ticket.status == Status.RESOLVED.value, ~checked)
            .order_by(Ticket.resolved_at.desc())
            .limit(limit)
        )
    )


def follow_ticket(user: User, reference: str) -> None:
    _follow(user, ticket_by_reference(reference), Follow.ticket_id, "ticket_id")


def follow_area(user: User, code: str) -> None:
    area = by_code(Area, code)
    _follow(user, area, Follow.area_id, "area_id")


def _follow(
    user: User,
    target: Ticket | Area | None,
    column: sa.orm.InstrumentedAttribute[int | None],
    field: str,
) -> None:
    """Follow a ticket or an area once; following it again changes nothing."""
    if target is None:
        raise NotFound()
    known = sa.select(Follow.id).where(Follow.user_id == user.id, column == target.id)
    if db.session.scalar(known) is None:
        db.session.add(Follow(user_id=user.id, **{field: target.id}))
    db.session.commit()


def unfollow(user: User, follow_id: int) -> None:
    db.session.execute(sa.delete(Follow).where(Follow.id == follow_id, Follow.user_id == user.id))
    db.session.commit()


def follows_of(user: User) -> list[Follow]:
    return list(db.session.scalars(sa.select(Follow).where(Follow.user_id == user.id)))


def feed(user: User, limit: int = 50) -> list[TicketEvent]:
    """Public changes to the tickets this user follows, or to tickets in areas they follow
    (and those areas' sub-areas), newest first."""
    follows = follows_of(user)
    ticket_ids = [f.ticket_id for f in follows if f.ticket_id]
    area_ids = area_ids_within([f.area_id for f in follows if f.area_id])
    if not ticket_ids and not area_ids:
        return []
    in_followed = sa.or_(Ticket.id.in_(ticket_ids), Ticket.area_id.in_(area_ids))
    return list(
        db.session.scalars(
            sa.select(TicketEvent)
            .join(Ticket, TicketEvent.ticket_id == Ticket.id)
            .where(in_followed, TicketEvent.kind.in_(sorted(PUBLIC_EVENT_KINDS)))
            .order_by(TicketEvent.created_at.desc(), TicketEvent.id.desc())
            .limit(limit)
        )
    )
