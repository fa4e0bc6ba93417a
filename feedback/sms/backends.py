"""Which gateways send, by configuration: Twilio for WhatsApp and international numbers (or
the console without Twilio), Kannel for Iraqi mobiles when the operator link is set up, else
the Android phone with a local SIM when that is."""

from datetime import timedelta

from feedback.domain.channels import Channel
from feedback.services.outbox import SendPolicy, SmsGateway
from feedback.sms import android, kannel
from feedback.sms.console import ConsoleGateway


def enabled_channels(config) -> frozenset[str]:
    """The local routes that are configured (see feedback.domain.channels)."""
    routes = {
        Channel.KANNEL: kannel.is_enabled(config),
        Channel.ANDROID: android.is_enabled(config),
    }
    return frozenset(route for route, enabled in routes.items() if enabled)


def gateways_for(config) -> dict[str, SmsGateway]:
    """A gateway per channel; 'sms' serves any channel without its own."""
    if config["SMS_BACKEND"] == "twilio":
        from feedback.sms.twilio import TwilioGateway

        general: SmsGateway = TwilioGateway.for_account(
            config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_FROM"]
        )
    else:
        general = ConsoleGateway(config["SMS_PUBLIC_NUMBER"])
    gateways: dict[str, SmsGateway] = {Channel.SMS: general, Channel.WHATSAPP: general}
    if kannel.is_enabled(config):
        gateways[Channel.KANNEL] = kannel.KannelGateway(
            config["KANNEL_SENDSMS_URL"],
            config["KANNEL_USERNAME"],
            config["KANNEL_PASSWORD"],
            config["KANNEL_FROM"],
        )
    if android.is_enabled(config):
        gateways[Channel.ANDROID] = android.AndroidGateway(
            config["ANDROID_GATEWAY_URL"],
            config["ANDROID_GATEWAY_USERNAME"],
            config["ANDROID_GATEWAY_PASSWORD"],
        )
    return gateways


def send_policy(config) -> SendPolicy:
    """Delivery reports: Twilio to /sms/status, Kannel to /sms/kannel/dlr (with its secret),
    when we know our public URL. The Android app reports through the webhooks registered in
    it (/sms/android/inbound), by its message id, so it needs no callback here."""
    base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    callbacks: dict[str, str] = {}
    if base and config["SMS_BACKEND"] == "twilio":
        callbacks[Channel.SMS] = callbacks[Channel.WHATSAPP] = base + "/sms/status?outbox={id}"
    if base and kannel.is_enabled(config):
        secret = config["KANNEL_INBOUND_SECRET"]
        callbacks[Channel.KANNEL] = (
            base + "/sms/kannel/dlr?secret=" + secret + "&outbox={id}&status=%d"
        )
    return SendPolicy(
        config["SMS_MAX_ATTEMPTS"],
        config["SMS_RETRY_SECONDS"],
        callbacks,
        timedelta(seconds=config["SMS_LEASE_SECONDS"]),
    )
