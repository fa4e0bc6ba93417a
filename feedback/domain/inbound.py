"""An inbound citizen message as every channel delivers it to the intake service.

Whatever a channel hands over is made storable here, once for all of them: text cleaned of
control characters and lone surrogates (feedback.domain.text.clean_text), the raw request as
plain JSON, a pin off the Earth dropped. A message with no usable id or address is refused
(UnusableMessage), not half-kept."""

import math
from dataclasses import dataclass, field
from typing import Any

from feedback.domain.attachments import MAX_MEDIA_ITEMS
from feedback.domain.text import clean_text

# Longer than any real one (Twilio's ids have 34 characters, "whatsapp:" + E.164 at most 25),
# and what the message and ticket tables hold.
MAX_ID = 64
MAX_SENDER = 40
MAX_RECIPIENT = 64
MAX_NAME = 200
MAX_MEDIA_URL = 1000  # what the attachment table holds; Twilio's are under 200
MAX_TYPE = 100
# A channel's raw request is a few levels deep; anything deeper is no message of theirs.
MAX_RAW_DEPTH = 16


class UnusableMessage(ValueError):
    """No message a gateway sends looks like this: the webhook is refused and nothing stored."""


@dataclass(frozen=True)
class InboundMedia:
    """A photo or voice note sent with the message, as a URL the worker fetches later."""

    url: str
    content_type: str


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # sms | whatsapp | kannel | android
    message_id: str  # the channel's own id: the dedupe key with the channel
    sender: str
    recipient: str
    text: str
    lat: float | None = None
    lon: float | None = None
    sender_name: str | None = None  # the name the sender's app shows (WhatsApp's ProfileName)
    raw: dict[str, Any] = field(default_factory=dict)
    media: tuple[InboundMedia, ...] = ()  # WhatsApp's photos and voice notes

    def __post_init__(self) -> None:
        name = clean_text(self.sender_name or "")[:MAX_NAME].strip()
        on_earth = is_on_earth(self.lat, self.lon)
        cleaned = {
            "lat": self.lat if on_earth else None,
            "lon": self.lon if on_earth else None,
            "message_id": clean_text(self.message_id),
            "sender": clean_text(self.sender),
            "recipient": clean_text(self.recipient),
            "text": clean_text(self.text),
            "sender_name": name or None,
            "raw": plain_json(self.raw),
            "media": tuple(
                InboundMedia(clean_text(item.url), clean_text(item.content_type)[:MAX_TYPE])
                for item in self.media[:MAX_MEDIA_ITEMS]
                if 0 < len(item.url) <= MAX_MEDIA_URL
            ),
        }
        for attribute, value in cleaned.items():
            object.__setattr__(self, attribute, value)
        if not 0 < len(self.message_id) <= MAX_ID:
            raise UnusableMessage("message id missing or too long")
        if not 0 < len(self.sender) <= MAX_SENDER:
            raise UnusableMessage("sender missing or too long")
        if len(self.recipient) > MAX_RECIPIENT:
            raise UnusableMessage("recipient too long")


def is_on_earth(lat: float | None, lon: float | None) -> bool:
    """A pin is a point on Earth or no pin at all: one at 1e308 kept the message but broke
    every map and export (PostgreSQL overflowed rounding it)."""
    if lat is None or lon is None:
        return False
    return abs(lat) <= 90 and abs(lon) <= 180  # False for NaN too


def plain_json(value: Any, depth: int = 0) -> Any:
    """`value` as JSON any database stores: strings cleaned (keys too), NaN and infinities
    (which Python's json reads, but PostgreSQL's does not) as text."""
    if depth > MAX_RAW_DEPTH:
        raise UnusableMessage("raw request nested too deep")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): plain_json(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(item, depth + 1) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean_text(str(value))
