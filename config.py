"""Configuration classes: the only place the environment is read (see DESIGN.md, Configuration)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'feedback.sqlite3'}"
    # Heroku-style and bare postgresql:// URLs would pick psycopg2; we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _default_sms_backend() -> str:
    has_twilio = os.environ.get("TWILIO_ACCOUNT_SID") and os.environ.get("TWILIO_AUTH_TOKEN")
    return "twilio" if has_twilio else "console"


# Keys that are public (this file, earlier defaults, the deploy example): refused in production.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105
PUBLIC_SECRET_KEYS = frozenset(
    {DEVELOPMENT_SECRET_KEY, "change-me", "testing-secret", "REPLACE-ME"}
)
MIN_SECRET_KEY_LENGTH = 32
ENVIRONMENTS = ("development", "production")


class ConfigError(RuntimeError):
    """A configuration the application refuses to start with."""


class Config:
    ENVIRONMENT = "development"
    PRODUCTION = False
    SMS_SIMULATOR = False
    # Unset in development: create_app() keeps a random key in instance/ instead.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_FROM = os.environ.get("TWILIO_FROM")
    SMS_BACKEND = os.environ.get("SMS_BACKEND", _default_sms_backend())
    # The number or short code citizens text, as shown to them.
    SMS_PUBLIC_NUMBER = os.environ.get("SMS_PUBLIC_NUMBER", "4455")
    # Kannel (operator short code over SMPP): on when the secret and sendsms URL are set.
    KANNEL_INBOUND_SECRET = os.environ.get("KANNEL_INBOUND_SECRET")
    KANNEL_ALLOWED_IPS = os.environ.get("KANNEL_ALLOWED_IPS", "127.0.0.1")
    KANNEL_SENDSMS_URL = os.environ.get("KANNEL_SENDSMS_URL")
    KANNEL_USERNAME = os.environ.get("KANNEL_USERNAME", "")
    KANNEL_PASSWORD = os.environ.get("KANNEL_PASSWORD", "")
    KANNEL_FROM = os.environ.get("KANNEL_FROM", "")
    # SMS Gateway for Android (a phone with a local SIM): on when the signing key and API URL
    # are set. The URL is the app's API base: http://<phone>:8080 (local server) or
    # https://api.sms-gate.app/3rdparty/v1 (cloud); the key is the app's webhook signing key.
    ANDROID_GATEWAY_URL = os.environ.get("ANDROID_GATEWAY_URL")
    ANDROID_GATEWAY_USERNAME = os.environ.get("ANDROID_GATEWAY_USERNAME", "")
    ANDROID_GATEWAY_PASSWORD = os.environ.get("ANDROID_GATEWAY_PASSWORD", "")
    ANDROID_GATEWAY_SIGNING_KEY = os.environ.get("ANDROID_GATEWAY_SIGNING_KEY")
    # Webhooks whose X-Timestamp is further than this from our clock are refused (replays).
    ANDROID_GATEWAY_MAX_SKEW_SECONDS = int(
        os.environ.get("ANDROID_GATEWAY_MAX_SKEW_SECONDS", "300")
    )
    # Production only: SQLite is refused unless this says it is meant (one small host).
    ALLOW_SQLITE_IN_PRODUCTION = os.environ.get("ALLOW_SQLITE_IN_PRODUCTION", "") == "1"
    # The URL Twilio signs; behind a proxy the URL Flask sees differs from it.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

    # Base map tiles; pages still work offline (district outlines are served locally).
    TILE_URL = os.environ.get("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    TILE_ATTRIBUTION = os.environ.get("TILE_ATTRIBUTION", "© OpenStreetMap contributors")

    LANGUAGES = ("ar", "en")
    BABEL_DEFAULT_LOCALE = "ar"
    BABEL_DEFAULT_TIMEZONE = "Asia/Baghdad"
    SMS_MAX_BODY = 1600
    # Twilio posts a few KB at most; anything far larger is refused before parsing.
    SMS_MAX_REQUEST_BYTES = 64 * 1024
    # The largest request at all: a citizen's report with its photos (3 of 10 MB at most).
    MAX_CONTENT_LENGTH = 31 * 1024 * 1024

    # Citizens' photos and voice notes (feedback.services.attachment_storage): "local" keeps
    # them in ATTACHMENT_DIR (default instance/attachments, never under static/), "s3" in an
    # S3-compatible bucket (AWS, MinIO, ...; S3_ENDPOINT_URL empty for AWS itself).
    ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE", "local")
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_BUCKET = os.environ.get("S3_BUCKET")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY")
    # WhatsApp media are fetched by the worker from these hosts only (Twilio's API redirects
    # to its media CDN, listed too), with the account's credentials; comma-separated.
    MEDIA_FETCH_HOSTS = os.environ.get(
        "MEDIA_FETCH_HOSTS", "api.twilio.com,media.twiliocdn.com,mms.twiliocdn.com"
    )
    MEDIA_FETCH_MAX_ATTEMPTS = int(os.environ.get("MEDIA_FETCH_MAX_ATTEMPTS", "6"))
    MEDIA_FETCH_RETRY_SECONDS = int(os.environ.get("MEDIA_FETCH_RETRY_SECONDS", "30"))

    # Login throttling; shared across hosts with e.g. redis://127.0.0.1:6379/0.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Off: Flask-Limiter would put its window's reset in Retry-After on every login response,
    # overriding the backoff's own; a refused request says when to retry (app.py, auth.py).
    RATELIMIT_HEADERS_ENABLED = False
    # Failed logins from one address, whatever the account.
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per 10 minutes")
    # Failed logins on one account from one address before each further try there waits
    # LOGIN_BACKOFF_SECONDS, doubling up to an hour. Never per account alone: that would let
    # anyone lock a staff member out. (Wrong two-factor codes count per account: only the
    # holder of the password reaches that step.)
    LOGIN_LIMIT_PER_ACCOUNT_AND_IP = os.environ.get(
        "LOGIN_LIMIT_PER_ACCOUNT_AND_IP", "5 per 10 minutes"
    )
    LOGIN_BACKOFF_SECONDS = int(os.environ.get("LOGIN_BACKOFF_SECONDS", "30"))
    # Outbound SMS: attempts before giving up, and the first retry delay (doubling after).
    SMS_MAX_ATTEMPTS = int(os.environ.get("SMS_MAX_ATTEMPTS", "10"))
    SMS_RETRY_SECONDS = int(os.environ.get("SMS_RETRY_SECONDS", "30"))
    # A worker that dies mid-send leaves its row to others after this (the double-send window).
    SMS_LEASE_SECONDS = int(os.environ.get("SMS_LEASE_SECONDS", "60"))

    # Flood control: past this many messages from one sender on one channel within the window,
    # messages join the sender's latest open ticket and get one answer a window.
    FLOOD_MESSAGES_PER_SENDER = int(os.environ.get("FLOOD_MESSAGES_PER_SENDER", "10"))
    FLOOD_WINDOW_MINUTES = int(os.environ.get("FLOOD_WINDOW_MINUTES", "10"))
    # SMS to any one recipient in a (Basra) day, whatever caused them; past it replies are
    # dropped and notices wait for the next day, each with its reason shown to admins.
    SMS_PER_RECIPIENT_PER_DAY = int(os.environ.get("SMS_PER_RECIPIENT_PER_DAY", "20"))
    # ... and to a number that has never texted us (typed into /report, maybe by a stranger).
    SMS_PER_UNCONFIRMED_NUMBER_PER_DAY = int(
        os.environ.get("SMS_PER_UNCONFIRMED_NUMBER_PER_DAY", "3")
    )
    # Reports giving a phone number accepted from one address (Flask-Limiter's storage).
    REPORT_PHONE_LIMIT_PER_ADDRESS = os.environ.get("REPORT_PHONE_LIMIT_PER_ADDRESS", "10 per hour")
    # "Me too" on public incident pages from one address, whatever the incident (each incident
    # counts an address once anyway).
    SUPPORT_LIMIT_PER_ADDRESS = os.environ.get("SUPPORT_LIMIT_PER_ADDRESS", "20 per hour")

    # Email for staff (the daily escalation digest); no MAIL_SERVER: no email, SMS only.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") == "1"  # STARTTLS before logging in
    MAIL_FROM = os.environ.get("MAIL_FROM", "feedback@localhost")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # one working day
    WTF_CSRF_TIME_LIMIT = None


class DevelopmentConfig(Config):
    ENVIRONMENT = "development"
    DEBUG = False
    # The /dev/sms phone simulator, served only with the console backend.
    SMS_SIMULATOR = True


class TestingConfig(DevelopmentConfig):
    ENVIRONMENT = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105 - fixed so signed requests are reproducible
    TWILIO_AUTH_TOKEN = "test-auth-token-0123456789abcdef"  # noqa: S105
    TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    SMS_BACKEND = "console"
    PUBLIC_BASE_URL = "https://feedback.test"
    MAIL_SERVER = None  # a test that emails points it at its own SMTP sink


class ProductionConfig(Config):
    ENVIRONMENT = "production"
    PRODUCTION = True
    SMS_SIMULATOR = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_values(config_class: type[Config]) -> dict:
    """A config class's settings as the mapping app.config would hold."""
    return {name: getattr(config_class, name) for name in dir(config_class) if name.isupper()}


def config_for(name: str | None = None) -> type[Config]:
    """The config class named (tests name "testing"), else by FEEDBACK_ENV, development
    unless told otherwise; the testing class, with its fixed keys, is never chosen from the
    environment."""
    if name:
        return CONFIGS[name]
    chosen = os.environ.get("FEEDBACK_ENV") or "development"
    if chosen not in ENVIRONMENTS:
        raise ConfigError(f"FEEDBACK_ENV must be 'development' or 'production', not {chosen!r}")
    return CONFIGS[chosen]
