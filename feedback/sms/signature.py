"""Is a webhook really from Twilio? The SDK's RequestValidator against the URL Twilio called."""

import hashlib
import hmac

from twilio.request_validator import RequestValidator


def webhook_token(config: dict) -> str | None:
    """The token webhooks are signed with: Twilio's auth token, or where the simulator is
    served one derived from SECRET_KEY so it can sign. None: every request is refused."""
    if config.get("TWILIO_AUTH_TOKEN"):
        return config["TWILIO_AUTH_TOKEN"]
    if config.get("SMS_SIMULATOR"):
        key = config["SECRET_KEY"].encode()
        return hmac.new(key, b"console-sms-webhook", hashlib.sha256).hexdigest()
    return None


def signed_url(public_base_url: str | None, request_url: str, full_path: str) -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path (+ query) when set, since a proxy in front
    changes scheme and host; otherwise the URL as this app saw it."""
    if not public_base_url:
        return request_url
    path = full_path[:-1] if full_path.endswith("?") else full_path
    return public_base_url.rstrip("/") + path


def is_signed_by_twilio(token: str | None, url: str, params, signature: str | None) -> bool:
    if not token or not signature:
        return False
    return RequestValidator(token).validate(url, params, signature)


def sign(token: str, url: str, params: dict) -> str:
    """The signature Twilio would send: for the simulator and tests."""
    return RequestValidator(token).compute_signature(url, params)
