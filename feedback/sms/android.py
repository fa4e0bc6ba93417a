"""SMS Gateway for Android (capcom6/android-sms-gateway, sms-gate.app): an Android phone with a
local SIM. Its signed webhooks bring us what the phone receives, and the state of what we sent;
its API sends through the phone.

As documented at docs.sms-gate.app (features/webhooks, features/sending-messages):
- every webhook is a JSON POST {"id", "webhookId", "deviceId", "event", "payload"}; the
  `sms:received` payload has messageId, message, phoneNumber (deprecated for `sender`),
  sender, recipient, simNumber, receivedAt; `sms:sent` / `sms:delivered` / `sms:failed` carry the
  messageId the send API returned (and `reason` when failed);
- X-Signature is the hex HMAC-SHA256, keyed with the app's signing key, of the raw body followed
  by the X-Timestamp header (Unix seconds);
- POST {api}/messages with Basic auth and {"textMessage": {"text"}, "phoneNumbers": [...]}
  answers 202 with {"id", "state", "recipients"}."""

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request

from feedback.domain.channels import Channel
from feedback.domain.inbound import InboundMessage
from feedback.domain.phone import normalise_phone
from feedback.services.outbox import SEND_TIMEOUT_SECONDS, SendError

# The app's delivery events -> our delivery states (feedback.services.outbox.DELIVERY_STATES).
DELIVERY_EVENTS = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}


def is_enabled(config) -> bool:
    return bool(config.get("ANDROID_GATEWAY_SIGNING_KEY") and config.get("ANDROID_GATEWAY_URL"))


def signature(key: str, body: bytes, timestamp: str) -> str:
    """What the app puts in X-Signature for this body and X-Timestamp."""
    message = body + timestamp.encode("ascii")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def is_signed(
    config, body: bytes, timestamp: str | None, given: str | None, now: float | None = None
) -> bool:
    """The signature over the raw body and timestamp verifies, and the timestamp is recent
    (a captured request replayed later is refused; the app signs every retry afresh)."""
    now = time.time() if now is None else now
    key = config.get("ANDROID_GATEWAY_SIGNING_KEY") or ""
    if not (key and given and timestamp and len(timestamp) <= 12):
        return False
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(now - int(timestamp)) > config["ANDROID_GATEWAY_MAX_SKEW_SECONDS"]:
        return False
    expected = signature(key, body, timestamp).encode("ascii")
    return hmac.compare_digest(expected, given.strip().lower().encode("utf-8", "replace"))


def parse_event(body: bytes) -> dict | None:
    """The webhook's JSON object, once its signature has verified."""
    try:
        event = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past what Python reads
        return None
    return event if isinstance(event, dict) else None


def delivery_report(event: dict) -> tuple[str, str | None, str | None] | None:
    """(our delivery state, the app's message id, the failure reason) for a delivery event."""
    kind = event.get("event")
    state = DELIVERY_EVENTS.get(kind) if isinstance(kind, str) else None
    payload = event.get("payload")
    if state is None or not isinstance(payload, dict):
        return None
    message_id = payload.get("messageId")
    reason = payload.get("reason")
    return (
        state,
        str(message_id)[:64] if message_id else None,
        str(reason)[:200] if reason else None,
    )


def inbound_message(event: dict) -> InboundMessage | None:
    """The `sms:received` event as an InboundMessage; None when it lacks a sender or text.

    The app derives messageId from a 32-bit hash of the message (sender, time, text, SIM), so it
    is the same however often the event is retried or the inbox re-exported, but two different
    messages can share it: the sender is part of our dedupe key."""
    payload = event.get("payload")
    if not isinstance(payload, dict):
        return None
    sender = payload.get("sender") or payload.get("phoneNumber")
    text = payload.get("message")
    if not isinstance(sender, str) or not sender or not isinstance(text, str):
        return None
    phone = normalise_phone(sender) or sender
    message_id = payload.get("messageId") or event.get("id")
    if not message_id:
        return None
    return InboundMessage(
        channel=Channel.ANDROID,
        message_id=f"{message_id}:{phone}"[:64],
        sender=phone,
        recipient=str(payload.get("recipient") or ""),
        text=text,
        raw=event,
    )


class AndroidGateway:
    """Sends through the app's API: the phone's local server (http://<phone>:8080) or the
    cloud/private server relaying to it (https://api.sms-gate.app/3rdparty/v1)."""

    def __init__(self, api_url: str, username: str, password: str):
        self.messages_url = api_url.rstrip("/") + "/messages"
        credentials = f"{username}:{password}".encode()
        self.authorization = "Basic " + base64.b64encode(credentials).decode("ascii")

    def send(
        self,
        to: str,
        body: str,
        status_callback: str | None = None,
        client_reference: str | None = None,
    ) -> str:
        """The app's message id; its sms:sent/delivered/failed webhooks carry it. The app has
        no per-message callback URL, so `status_callback` is not used. Our `client_reference`
        is the message's id in the app, which keeps one message per id: a send repeated after
        a worker died is not sent twice."""
        message = {"textMessage": {"text": body}, "phoneNumbers": [to], "withDeliveryReport": True}
        if client_reference:
            message["id"] = client_reference
        request = urllib.request.Request(  # noqa: S310 - the configured http(s) URL
            self.messages_url,
            data=json.dumps(message, ensure_ascii=False).encode("utf-8"),
            headers={
                "Authorization": self.authorization,
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = response.read()
        except urllib.error.HTTPError as error:
            # 409: a message with this id is there already (an earlier attempt got through);
            # 429 and 5xx: the phone or its server is busy or down; other 4xx: refused
            # (bad number, bad credentials), so retrying is pointless.
            error.close()  # its unread answer holds the connection open
            if error.code == 409 and client_reference:
                return client_reference
            retryable = error.code == 429 or error.code >= 500
            raise SendError(f"Android gateway {error.code}", retryable=retryable) from error
        except OSError as error:  # unreachable, refused, timed out
            raise SendError(f"Android gateway unreachable: {error}", retryable=True) from error
        return _message_id(answer)


def _message_id(answer: bytes) -> str:
    """The id in the 202 answer. The message is queued on the phone even if the answer is
    odd, so that is no reason to send it again: it then gets an id of our own."""
    try:
        state = json.loads(answer)
    except ValueError:
        state = None
    message_id = state.get("id") if isinstance(state, dict) else None
    if isinstance(message_id, str) and message_id:
        return message_id[:64]
    return "android-" + secrets.token_hex(8)
