"""Citizens' photos and voice notes: kept with the ticket they came with, fetched from
WhatsApp by the worker (never inside the webhook), read by the staff who may read the ticket,
and by the public only once a moderator approved a photo (feedback.services.photo_review).

Nothing holds a transaction across a download: the worker claims due media for a lease,
commits, fetches, then records what came back in a transaction of its own."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa

from feedback.domain.attachments import (
    AUDIO_TYPES,
    MAX_AUDIO_BYTES,
    AttachmentKind,
    Fetch,
    Review,
    audio_type,
    media_kind,
)
from feedback.domain.backoff import retry_delay
from feedback.domain.inbound import InboundMedia
from feedback.extensions import db
from feedback.models import Ticket, User, utcnow
from feedback.models.attachments import Attachment
from feedback.services.attachment_storage import MissingAttachment, attachment_storage, new_key
from feedback.services.casework import ticket_to_read
from feedback.services.errors import NotFound
from feedback.services.photos import MAX_CITIZEN_PHOTO_BYTES, BadPhoto, CleanPhoto, clean_photo
from feedback.services.tickets import ticket_by_reference

_log = logging.getLogger(__name__)
# A worker that dies mid-download leaves its media to the others after this.
FETCH_LEASE = timedelta(minutes=2)


class FetchError(Exception):
    """A download that did not work; `retryable` says whether trying later may."""

    def __init__(self, detail: str, retryable: bool):
        super().__init__(detail)
        self.retryable = retryable


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    content_type: str


class MediaFetcher(Protocol):
    """The channel's side (feedback.sms.twilio_media): a media URL's content, at most
    `max_bytes` of it, or FetchError."""

    def fetch(self, url: str, max_bytes: int) -> FetchedMedia: ...


@dataclass(frozen=True)
class FetchPolicy:
    max_attempts: int
    retry_seconds: int


@dataclass(frozen=True)
class FetchResult:
    stored: int = 0
    retried: int = 0
    failed: int = 0


def add_photos(ticket: Ticket, photos: Iterable[CleanPhoto]) -> list[str]:
    """Store cleaned photos and attach them to `ticket` in the caller's transaction, waiting
    for a moderator; the storage keys written, for the caller to remove if it rolls back."""
    keys = []
    for photo in photos:
        key = new_key(photo.extension)
        attachment_storage().put(key, photo.content, photo.mimetype)
        keys.append(key)
        db.session.add(
            Attachment(
                ticket=ticket,
                kind=AttachmentKind.PHOTO,
                content_type=photo.mimetype,
                storage_key=key,
                size_bytes=len(photo.content),
                fetch=Fetch.STORED,
                review=Review.PENDING,
            )
        )
    return keys


def forget_stored(keys: Iterable[str]) -> None:
    """Remove content whose rows were never committed."""
    for key in keys:
        attachment_storage().delete(key)


def queue_media(ticket: Ticket, media: Iterable[InboundMedia], now: datetime) -> None:
    """A channel's photos and voice notes join `ticket` as URLs to fetch, in the caller's
    transaction; anything else sent (a video, a document) stays in the message's raw record."""
    for item in media:
        kind = media_kind(item.content_type)
        if kind is None:
            continue
        db.session.add(
            Attachment(
                ticket=ticket,
                kind=kind,
                content_type=item.content_type.split(";", 1)[0].strip().lower(),
                source_url=item.url,
                fetch=Fetch.WAITING,
                fetch_attempts=0,
                next_fetch_at=now,
                review=Review.PENDING,
            )
        )


def fetch_due_media(
    fetcher: MediaFetcher, policy: FetchPolicy, batch: int = 10, now: datetime | None = None
) -> FetchResult:
    """Fetch the media whose time has come: each stored (a photo cleaned first), tried again
    later with backoff, or FAILED after its last attempt or when it is no photo or audio."""
    claimed = _claim_due(batch, now or utcnow())
    stored = retried = failed = 0
    for attachment_id, url, kind in claimed:
        try:
            limit = MAX_CITIZEN_PHOTO_BYTES if kind == AttachmentKind.PHOTO else MAX_AUDIO_BYTES
            fetched = fetcher.fetch(url, limit)
            outcome = _keep(attachment_id, kind, fetched)
        except FetchError as error:
            db.session.rollback()
            outcome = _retry_or_fail(attachment_id, policy, error)
        stored += outcome is Fetch.STORED
        failed += outcome is Fetch.FAILED
        retried += outcome is Fetch.WAITING
    return FetchResult(stored, retried, failed)


def _claim_due(batch: int, now: datetime) -> list[tuple[int, str, str]]:
    """Due media, leased to this worker (committed), so two workers never fetch one twice
    and a dead worker's are fetched after the lease."""
    rows = db.session.execute(
        sa.select(Attachment.id, Attachment.source_url, Attachment.kind)
        .where(Attachment.fetch == Fetch.WAITING, Attachment.next_fetch_at <= now)
        .order_by(Attachment.next_fetch_at, Attachment.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    if rows:
        db.session.execute(
            sa.update(Attachment)
            .where(Attachment.id.in_([row.id for row in rows]))
            .values(next_fetch_at=now + FETCH_LEASE)
        )
    db.session.commit()
    return [(row.id, row.source_url or "", row.kind) for row in rows]


class NotAudio(Exception):
    """Sent as audio, but its bytes are no audio we keep."""


def _keep(attachment_id: int, kind: str, fetched: FetchedMedia) -> Fetch:
    """Store what was fetched: a photo re-encoded, audio as sent once its bytes prove its
    type; what is neither is FAILED for good (trying again fetches the same bytes)."""
    attachment = db.session.get_one(Attachment, attachment_id)
    attachment.fetch_attempts += 1
    try:
        content, content_type, extension = _checked(kind, fetched.content)
    except (BadPhoto, NotAudio) as error:
        _log.warning("media %s refused: %s", attachment_id, error)
        attachment.fetch, attachment.next_fetch_at = Fetch.FAILED, None
        db.session.commit()
        return Fetch.FAILED
    key = new_key(extension)
    try:
        attachment_storage().put(key, content, content_type)
    except Exception as error:  # the disk full, the bucket unreachable: try again later
        raise FetchError(f"not stored: {error}", retryable=True) from error
    attachment.storage_key, attachment.content_type = key, content_type
    attachment.size_bytes, attachment.fetch = len(content), Fetch.STORED
    attachment.next_fetch_at = None
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        forget_stored([key])
        raise
    return Fetch.STORED


def _checked(kind: str, content: bytes) -> tuple[bytes, str, str]:
    """(content, type, file extension) to store."""
    if kind == AttachmentKind.PHOTO:
        photo = clean_photo(content, max_bytes=MAX_CITIZEN_PHOTO_BYTES)
        return photo.content, photo.mimetype, photo.extension
    found = audio_type(content)
    if found is None or len(content) > MAX_AUDIO_BYTES:
        raise NotAudio(found or "unknown")
    return content, found, AUDIO_TYPES[found]


def _retry_or_fail(attachment_id: int, policy: FetchPolicy, error: FetchError) -> Fetch:
    attachment = db.session.get_one(Attachment, attachment_id)
    attachment.fetch_attempts += 1
    _log.warning("media %s not fetched: %s", attachment_id, error)
    if error.retryable and attachment.fetch_attempts < policy.max_attempts:
        delay = retry_delay(attachment.fetch_attempts, policy.retry_seconds)
        attachment.next_fetch_at = utcnow() + delay
        outcome = Fetch.WAITING
    else:
        attachment.fetch, attachment.next_fetch_at = Fetch.FAILED, None
        outcome = Fetch.FAILED
    db.session.commit()
    return outcome


def attachments_for_staff(ticket: Ticket) -> list[Attachment]:
    """Everything a ticket came with, in the order it came, fetched or not."""
    return list(
        db.session.scalars(
            sa.select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)
        )
    )


def staff_attachment(user: User, reference: str, attachment_id: int) -> tuple[Attachment, bytes]:
    """An attachment's content for a member of staff who may read its ticket; NotFound for
    anyone else, as for the ticket itself."""
    ticket = ticket_to_read(user, reference)
    return _stored(ticket, attachment_id, public=False)


def public_photo(reference: str, attachment_id: int) -> tuple[Attachment, bytes]:
    """An approved photo of that ticket, for anyone; NotFound for anything else (a photo
    waiting or rejected, a voice note, another ticket's)."""
    ticket = ticket_by_reference(reference)
    if ticket is None:
        raise NotFound(reference)
    return _stored(ticket, attachment_id, public=True)


def _stored(ticket: Ticket, attachment_id: int, public: bool) -> tuple[Attachment, bytes]:
    attachment = db.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.ticket_id != ticket.id
        or attachment.fetch != Fetch.STORED
        or (public and not _is_public(attachment))
    ):
        raise NotFound(str(attachment_id))
    return attachment, stored_content(attachment)


def stored_content(attachment: Attachment) -> bytes:
    """A stored attachment's content; NotFound when storage no longer has it."""
    if attachment.storage_key is None:
        raise NotFound(str(attachment.id))
    try:
        return attachment_storage().get(attachment.storage_key)
    except MissingAttachment as error:
        raise NotFound(str(attachment.id)) from error


def _is_public(attachment: Attachment) -> bool:
    return attachment.kind == AttachmentKind.PHOTO and attachment.review == Review.APPROVED
