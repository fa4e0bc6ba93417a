"""'Me too' (issue 14): someone affected by an incident's fault counts as one more report of
it without a ticket of their own, once per incident. Who said so is kept only as a keyed hash
of their phone number or address: enough to refuse a second "me too", never to recover either."""

import hashlib
import hmac
from enum import StrEnum


class SupportChannel(StrEnum):
    WEB = "web"  # the button on /incidents/<id>, one per client address
    SMS = "sms"  # +1 <ref> / انا هم <ref>, one per phone


class SupportOutcome(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # this phone or address said so before, or the phone reported it
    CLOSED = "closed"  # resolved or rejected: the fault is no longer being counted
    NOT_FOUND = "not_found"  # no such incident, or the reference is in none


def supporter_key(secret: bytes, channel: SupportChannel, identity: str) -> str:
    """The hash a supporter is remembered by; without `secret` an address cannot be found from
    it by trying the four billion of them."""
    return hmac.new(secret, f"{channel}:{identity}".encode(), hashlib.sha256).hexdigest()
