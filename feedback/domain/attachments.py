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


MAX_MEDIA_ITEMS = 10  # Twilio's limit for one WhatsApp message
MAX_AUDIO_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for a voice note or audio file
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"})
# Audio kept as sent, under the type its first bytes prove, and the file name it is kept as.
AUDIO_TYPES = {
    "audio/ogg": "ogg",  # WhatsApp's voice notes (Opus in Ogg)
    "audio/mpeg": "mp3",
    "audio/amr": "amr",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
}


def media_kind(content_type: str) -> AttachmentKind | None:
    """What a channel's media item is by its declared type; None: neither a photo nor audio
    (a video, a document, a contact), which stays in the message's raw record only."""
    base = content_type.split(";", 1)[0].strip().lower()
    if base in PHOTO_TYPES:
        return AttachmentKind.PHOTO
    if base in AUDIO_TYPES:
        return AttachmentKind.AUDIO
    return None


def audio_type(content: bytes) -> str | None:
    """The audio type the content's first bytes show, whatever it was sent as; None when it
    is no audio we keep (so nothing else is ever stored and played as audio)."""
    if content.startswith(b"OggS"):
        return "audio/ogg"
    if content.startswith(b"#!AMR"):
        return "audio/amr"
    if content[4:8] == b"ftyp":
        return "audio/mp4"
    if content.startswith(b"ID3"):
        return "audio/mpeg"
    if len(content) > 1 and content[0] == 0xFF and content[1] & 0xF6 == 0xF0:  # ADTS
        return "audio/aac"
    if len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0:  # MPEG frame
        return "audio/mpeg"
    return None
