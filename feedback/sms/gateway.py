"""The one thing the platform asks of an SMS provider: send this text to this number."""

from typing import Protocol

# Every gateway gives up on a send after this many seconds: well within the Outbox's lease
# (feedback.services.outbox), so a live worker never loses a row it is sending.
SEND_TIMEOUT_SECONDS = 10


class SendError(Exception):
    """A send that did not happen. `retryable`: a later attempt may succeed (network, 5xx,
    rate limit); otherwise retrying is pointless (invalid number, blocked recipient)."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class SmsGateway(Protocol):
    def send(
        self,
        to: str,
        body: str,
        status_callback: str | None = None,
        client_reference: str | None = None,
    ) -> str:
        """Send and return the provider's message id; raise SendError when it did not go.
        `client_reference` is the same on every attempt at one message: a provider that
        accepts an id of ours uses it to drop a repeat."""
