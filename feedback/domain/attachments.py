"""What citizens send besides text: photos and voice notes, and whether the public may see them.

A citizen's photo may show a face, a house or a car plate, so it is private to staff until a
moderator approves it (contract, DESIGN.md "Photos"); a voice note is never public."""

from enum import StrEnum


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    AUDIO = "audio"  # a WhatsApp voice note, for people who cannot write


class Review(StrEnum):
    """A moderator's decision on showing an attachment to the public."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Fetch(StrEnum):
    """Where a channel's media stands: WhatsApp sends a URL, fetched later by the worker."""

    WAITING = "waiting"  # its URL is known, its content not yet stored
    STORED = "stored"
    FAILED = "failed"  # every retry spent; the URL is kept for the record
