"""Moderators deciding which citizens' photos the public sees: a photo may show a face, a
house or a car plate, so none is public until one approves it (DESIGN.md, "Photos"). Each
decision is one transaction: the attachment's review and a ticket event saying who and why."""

import sqlalchemy as sa

from feedback.domain.attachments import AttachmentKind, Fetch, Review
from feedback.domain.events import EventKind
from feedback.domain.roles import may_moderate
from feedback.extensions import db
from feedback.models import User, utcnow
from feedback.models.attachments import Attachment
from feedback.services.attachments import stored_content
from feedback.services.errors import NotFound
from feedback.services.events import record_event

MAX_REASON = 500
WAITING_PAGE = 50


class NotModerator(Exception):
    """Only admins and accounts an admin made moderators review photos."""


class ReasonNeeded(ValueError):
    """A rejection says why, for the colleagues who read the ticket."""


# A photo waiting for a moderator: stored (one still to fetch cannot be looked at yet) and
# neither approved nor rejected.
WAITING_FOR_REVIEW = (
    Attachment.kind == AttachmentKind.PHOTO,
    Attachment.review == Review.PENDING,
    Attachment.fetch == Fetch.STORED,
)


def photos_waiting(limit: int = WAITING_PAGE) -> list[Attachment]:
    """Stored photos no moderator has decided on, oldest first, with their tickets."""
    return list(
        db.session.scalars(
            sa.select(Attachment)
            .where(*WAITING_FOR_REVIEW)
            .order_by(Attachment.created_at, Attachment.id)
            .limit(limit)
            .options(sa.orm.joinedload(Attachment.ticket))
        )
    )


def review_photo(moderator: User, attachment_id: int, review: Review, reason: str) -> Attachment:
    """Approve or reject a photo for the public page; a rejection needs a reason. A decision
    may be changed later (an approved photo taken down), each change on the timeline."""
    if not may_moderate(moderator.role, moderator.moderator):
        raise NotModerator(moderator.id)
    reason = reason.strip()[:MAX_REASON]
    if review is Review.REJECTED and not reason:
        raise ReasonNeeded()
    attachment = db.session.get(Attachment, attachment_id, with_for_update=True)
    if (
        attachment is None
        or attachment.kind != AttachmentKind.PHOTO
        or attachment.fetch != Fetch.STORED
        or review is Review.PENDING
    ):
        raise NotFound(str(attachment_id))
    now = utcnow()
    attachment.review = review
    attachment.reviewed_by = moderator
    attachment.reviewed_at = now
    attachment.review_reason = reason or None
    record_event(
        attachment.ticket,
        EventKind.PHOTO_REVIEWED,
        at=now,
        actor=moderator,
        actor_label=moderator.role,
        internal_note=reason or None,
        details={"attachment": attachment.id, "review": review.value},
    )
    db.session.commit()
    return attachment


def photo_for_moderator(moderator: User, attachment_id: int) -> tuple[Attachment, bytes]:
    """A stored photo's content for a moderator deciding on it, whatever its directorate:
    moderators judge what the public may see, not the casework."""
    if not may_moderate(moderator.role, moderator.moderator):
        raise NotModerator(moderator.id)
    attachment = db.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.kind != AttachmentKind.PHOTO
        or attachment.fetch != Fetch.STORED
    ):
        raise NotFound(str(attachment_id))
    return attachment, stored_content(attachment)
