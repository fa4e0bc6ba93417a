"""Which gateway sends, by SMS_BACKEND: 'console' records, 'twilio' sends for real."""

from feedback.services.outbox import SendPolicy
from feedback.sms.console import ConsoleGateway
from feedback.sms.gateway import SmsGateway


def gateway_for(config) -> SmsGateway:
    if config["SMS_BACKEND"] == "twilio":
        from twilio.rest import Client

        from feedback.sms.twilio import TwilioGateway

        client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
        return TwilioGateway(client, config["TWILIO_FROM"])
    return ConsoleGateway(config["SMS_PUBLIC_NUMBER"])


def send_policy(config) -> SendPolicy:
    """Twilio reports delivery to /sms/status when we know our public URL."""
    base = config.get("PUBLIC_BASE_URL")
    callback = None
    if base and config["SMS_BACKEND"] == "twilio":
        callback = base.rstrip("/") + "/sms/status?outbox={id}"
    return SendPolicy(config["SMS_MAX_ATTEMPTS"], config["SMS_RETRY_SECONDS"], callback)
