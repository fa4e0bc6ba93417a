"""How much one phone number may cost us. A sender past its flood limit still has every
message kept, but they make no new tickets and get one answer a window: 200 texts in a few
seconds must not become 200 tickets and 200 billed replies."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class MessageHandling(StrEnum):
    """Why an inbound message was not handled as usual (None on the row: it was)."""

    OVER_LIMIT = "over_limit"  # past its sender's flood limit: a follow-up, answered once a window


@dataclass(frozen=True)
class FloodLimit:
    """At most `messages` from one sender on one channel within `window` are handled as usual."""

    messages: int
    window: timedelta

    def is_exceeded(self, received: int) -> bool:
        """`received`: the sender's messages within the window, this one included."""
        return received > self.messages
