"""Two-step login rules: time-based one-time codes (TOTP, RFC 6238: 6 digits, 30-second steps,
one step of clock drift either way, each step's code usable once) and one-time recovery codes
for a lost phone. Plain values in and out; the database and the pages live elsewhere."""

import hashlib
import hmac
import secrets

import pyotp

from feedback.domain.roles import Role

ISSUER = "Basra Services Feedback"
DRIFT_STEPS = 1  # a phone clock 30 s fast or slow still works
RECOVERY_CODE_COUNT = 10
# Roles that must use it where PRODUCTION is set; everyone else may.
REQUIRED_FOR_ROLES = (Role.ADMIN, Role.MANAGER, Role.GOVERNORATE)
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_HALF = 5


def required(role: str, production: bool) -> bool:
    """Whether a user of `role` may use the site only once two-factor login is on."""
    return production and role in REQUIRED_FOR_ROLES


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def is_time_code(text: str) -> bool:
    """Six digits: a code from the app; anything else is taken for a recovery code."""
    code = "".join(text.split())
    return len(code) == 6 and code.isascii() and code.isdigit()


def matching_step(secret: str, text: str, at: float, last_used_step: int | None) -> int | None:
    """The time step whose code `text` is, within DRIFT_STEPS of `at`, and later than the
    last step used (so a code, once used, is refused for the rest of its window); else None."""
    if not is_time_code(text):
        return None
    code = "".join(text.split())
    totp = pyotp.TOTP(secret)
    now = totp.timecode(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes like "k7m2p-x9qtr": about 50 random bits each, easy to read off paper."""

    def half() -> str:
        return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_HALF))

    return [f"{half()}-{half()}" for _ in range(count)]


def recovery_code_hash(text: str) -> str:
    """What is stored of a recovery code: the SHA-256 of it without case, spaces or hyphens
    (random enough that a slow hash adds nothing)."""
    code = "".join(ch for ch in text.lower() if ch.isalnum())
    return hashlib.sha256(code.encode()).hexdigest()
