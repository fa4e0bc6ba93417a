"""The console gateway: development, demos and tests. Nothing leaves the machine; each
message is recorded as an outbound Message row (shown by /dev/sms) and logged."""

import logging
import secrets

from feedback.domain.channels import Channel
from feedback.extensions import db
from feedback.models import Message

log = logging.getLogger(__name__)


class ConsoleGateway:
    def __init__(self, sender: str):
        self.sender = sender

    def send(
        self,
        to: str,
        body: str,
        status_callback: str | None = None,
        client_reference: str | None = None,
    ) -> str:
        """Recorded in the worker's transaction, so it commits with the row marked sent."""
        message_id = "CONSOLE" + secrets.token_hex(12)
        db.session.add(
            Message(
                channel=Channel.WHATSAPP if to.startswith("whatsapp:") else Channel.SMS,
                direction="out",
                external_id=message_id,
                from_number=self.sender,
                to_number=to,
                body=body,
                raw={"status_callback": status_callback},
            )
        )
        log.info("SMS to %s: %s", to, body)
        return message_id
