"""An inbound citizen message as every channel delivers it to the intake service."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # sms | whatsapp
    message_id: str  # the channel's own id: the dedupe key with the channel
    sender: str
    recipient: str
    text: str
    lat: float | None = None
    lon: float | None = None
    raw: dict = field(default_factory=dict)
