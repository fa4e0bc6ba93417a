"""The Twilio gateway: the only place twilio.rest is used."""

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from feedback.services.outbox import SEND_TIMEOUT_SECONDS, SendError


class TwilioGateway:
    def __init__(self, client: Client, sender: str):
        self.client = client
        self.sender = sender

    @classmethod
    def for_account(cls, account_sid: str, auth_token: str, sender: str) -> "TwilioGateway":
        # The SDK waits forever by default; a send must end well within the worker's lease.
        http = TwilioHttpClient(timeout=SEND_TIMEOUT_SECONDS)
        return cls(Client(account_sid, auth_token, http_client=http), sender)

    def send(
        self,
        to: str,
        body: str,
        status_callback: str | None = None,
        client_reference: str | None = None,
    ) -> str:
        sender = f"whatsapp:{self.sender}" if to.startswith("whatsapp:") else self.sender
        try:
            message = self.client.messages.create(
                to=to, from_=sender, body=body, status_callback=status_callback
            )
        except TwilioRestException as error:
            # 4xx is about this message (invalid number, opted out): retrying will not help.
            retryable = error.status >= 500 or error.status == 429
            detail = f"Twilio {error.status}/{error.code}: {error.msg}"
            raise SendError(detail, retryable) from error
        except (TwilioException, OSError) as error:
            raise SendError(f"Twilio unreachable: {error}", retryable=True) from error
        return message.sid
