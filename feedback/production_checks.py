"""What a production configuration must satisfy, as a list an operator can read
(`flask check-config`). The secret key is also enforced at start-up: a public or short key
lets anyone forge a staff session."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from config import MIN_SECRET_KEY_LENGTH, PUBLIC_SECRET_KEYS
from feedback.sms import android, kannel

TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM")


@dataclass(frozen=True)
class Check:
    passed: bool
    subject: str  # what is checked, in the operator's words
    advice: str = ""  # what to change when it fails


def secret_key_problem(key: str | None) -> str | None:
    """Why this key cannot sign production sessions, or None when it can."""
    if not key:
        return "SECRET_KEY is not set"
    if key in PUBLIC_SECRET_KEYS:
        return "SECRET_KEY is a public development value"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return None


def production_checks(config: Mapping) -> list[Check]:
    """Every check, passed or not, in the order an operator would fix them."""
    key_problem = secret_key_problem(config.get("SECRET_KEY"))
    base_url = config.get("PUBLIC_BASE_URL") or ""
    database = config.get("SQLALCHEMY_DATABASE_URI") or ""
    limits = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    twilio_set = [name for name in TWILIO_SETTINGS if config.get(name)]
    return [
        Check(
            config.get("PRODUCTION", False),
            "FEEDBACK_ENV=production",
            "set FEEDBACK_ENV=production (Secure cookies, no simulator, these checks at start)",
        ),
        Check(
            key_problem is None,
            f"SECRET_KEY: set, not a public value, at least {MIN_SECRET_KEY_LENGTH} characters",
            (key_problem or "") + "; generate one: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'",
        ),
        Check(
            urlsplit(base_url).scheme == "https" and bool(urlsplit(base_url).netloc),
            "PUBLIC_BASE_URL is an https:// URL (the URL Twilio signs and SMS links point to)",
            f"now {base_url or 'unset'!r}",
        ),
        Check(
            not database.startswith("sqlite") or config.get("ALLOW_SQLITE_IN_PRODUCTION", False),
            "database is PostgreSQL (SQLite only with ALLOW_SQLITE_IN_PRODUCTION=1)",
            "set DATABASE_URL=postgresql://…",
        ),
        Check(
            not limits.startswith("memory"),
            "RATELIMIT_STORAGE_URI is shared (each gunicorn worker and host would count alone)",
            "set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0",
        ),
        Check(
            int(config.get("TRUSTED_PROXY_COUNT") or 0) >= 1,
            "TRUSTED_PROXY_COUNT ≥ 1: per-address limits see the citizen's address, "
            "not the proxy's",
            "set TRUSTED_PROXY_COUNT=1 behind the reverse proxy of deploy/",
        ),
        Check(
            bool(config.get("SESSION_COOKIE_SECURE") and config.get("REMEMBER_COOKIE_SECURE")),
            "session cookies are Secure (sent over HTTPS only)",
            "comes with FEEDBACK_ENV=production",
        ),
        Check(
            config.get("SMS_BACKEND") == "twilio"
            or kannel.is_enabled(config)
            or android.is_enabled(config),
            "a channel sends SMS to citizens (Twilio, Kannel or the Android gateway)",
            "configure Kannel (KANNEL_*), the Android gateway (ANDROID_GATEWAY_*) or Twilio",
        ),
        Check(
            len(twilio_set) in (0, len(TWILIO_SETTINGS)),
            "Twilio: " + ", ".join(TWILIO_SETTINGS) + " all set or none",
            "only " + (", ".join(twilio_set) or "none") + " set",
        ),
        Check(
            bool(config.get("KANNEL_INBOUND_SECRET")) == bool(config.get("KANNEL_SENDSMS_URL")),
            "Kannel: KANNEL_INBOUND_SECRET and KANNEL_SENDSMS_URL both set or neither",
        ),
        Check(
            bool(config.get("ANDROID_GATEWAY_URL"))
            == bool(config.get("ANDROID_GATEWAY_SIGNING_KEY")),
            "Android gateway: ANDROID_GATEWAY_URL and ANDROID_GATEWAY_SIGNING_KEY both set "
            "or neither",
        ),
    ]
