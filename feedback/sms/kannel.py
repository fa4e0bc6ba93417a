"""Kannel, the open-source SMS gateway that operators' SMPP links reach us through: turning
its sms-service request into an InboundMessage, and sending through its sendsms interface.

Kannel's get-url substitutes %p (sender), %P (receiver), %a (text), %c (coding), %C (charset),
%I (message id) and %t (time); with `mo-recode = true` smsbox hands us UCS-2 as UTF-8."""

import ipaddress
import secrets
import urllib.error
import urllib.parse
import urllib.request

from feedback.domain.channels import Channel
from feedback.domain.inbound import InboundMessage
from feedback.domain.phone import normalise_phone
from feedback.services.outbox import SEND_TIMEOUT_SECONDS, SendError

# Kannel sits beside us on the operator's side of the network: never through an HTTP proxy.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Kannel's DLR types (dlr-mask bits) -> our delivery states.
DLR_STATES = {1: "delivered", 2: "undelivered", 4: "sent", 8: "sent", 16: "undelivered"}


def is_enabled(config) -> bool:
    return bool(config.get("KANNEL_INBOUND_SECRET") and config.get("KANNEL_SENDSMS_URL"))


def is_trusted(config, secret: str | None, remote_addr: str | None) -> bool:
    """The shared secret, from an allowed source address."""
    expected = (config.get("KANNEL_INBOUND_SECRET") or "").encode()
    # As bytes: compare_digest refuses str with anything but ASCII in it.
    if not expected or not secret or not secrets.compare_digest(secret.encode(), expected):
        return False
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    allowed = [a.strip() for a in config.get("KANNEL_ALLOWED_IPS", "").split(",") if a.strip()]
    return any(address in ipaddress.ip_network(network, strict=False) for network in allowed)


def decode_text(raw_query: bytes, charset: str | None) -> str | None:
    """The `text` parameter in the charset Kannel says it used (UTF-8 after mo-recode;
    UTF-16BE when recoding was not possible)."""
    encoding = {"UTF-16BE": "utf-16-be", "UCS-2": "utf-16-be", "ISO-8859-1": "latin-1"}.get(
        (charset or "UTF-8").upper(), "utf-8"
    )
    for pair in raw_query.split(b"&"):
        key, _, value = pair.partition(b"=")
        if key == b"text":
            return urllib.parse.unquote_to_bytes(value.replace(b"+", b" ")).decode(
                encoding, errors="replace"
            )
    return None


def inbound_message(args, text: str) -> InboundMessage:
    sender = args.get("from", "")
    international = "+" + sender if sender.startswith("964") else sender
    return InboundMessage(
        channel=Channel.KANNEL,
        message_id=args.get("id") or f"{sender}:{args.get('time', '')}",
        sender=normalise_phone(international) or sender,
        recipient=args.get("to", ""),
        text=text,
        raw=dict(args),
    )


class KannelGateway:
    """Sends through Kannel's sendsms HTTP interface, always as UCS-2 (coding=2) from UTF-8."""

    def __init__(self, sendsms_url: str, username: str, password: str, sender: str):
        self.sendsms_url = sendsms_url
        self.credentials = {"username": username, "password": password, "from": sender}

    def send(
        self,
        to: str,
        body: str,
        status_callback: str | None = None,
        client_reference: str | None = None,
    ) -> str:
        params = {**self.credentials, "to": to, "text": body, "coding": "2", "charset": "UTF-8"}
        if status_callback:
            params |= {"dlr-mask": "31", "dlr-url": status_callback}
        url = self.sendsms_url + "?" + urllib.parse.urlencode(params)
        try:
            with _DIRECT.open(url, timeout=SEND_TIMEOUT_SECONDS) as response:
                answer = response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            # 4xx: refused (bad number, bad credentials); 5xx/503: queue full, try later.
            raise SendError(f"Kannel {error.code}", retryable=error.code >= 500) from error
        except OSError as error:
            raise SendError(f"Kannel unreachable: {error}", retryable=True) from error
        return "kannel-" + secrets.token_hex(8) + ":" + answer.strip()[:40]
