"""Production mode cannot be left open (issue 9, defects 1 and 2): no public phone simulator,
no public signing key, a start that refuses a weak one, and `flask check-config`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask_login.utils import _create_identifier

from config import DEVELOPMENT_SECRET_KEY
from feedback.extensions import db
from feedback.models import User
from feedback.sms.signature import sign

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))
GOOD_KEY = "k" * 24 + "-good-production-key-0123456789"
FORGER_AGENT = "forger/1.0"
REFUSED_TO_START = 3  # wsgi.REFUSED_TO_START, the exit status gunicorn stops on


def production_app(app_with, **overrides):
    return app_with(FEEDBACK_ENV="production", SECRET_KEY=GOOD_KEY, **overrides)


# Defect 1: /dev/sms only in development with the console backend.


def test_simulator_is_not_served_in_production_without_twilio(app_with):
    app = production_app(app_with)
    assert app.config["SMS_BACKEND"] == "console"  # Kannel- or Android-only production
    client = app.test_client()
    assert client.get("/dev/sms?phone=%2B9647809990001").status_code == 404
    assert client.post("/dev/sms", data={"phone": "+9647809990001", "body": "x"}).status_code == 404
    assert "/dev/sms" not in client.get("/").get_data(as_text=True)


def test_production_webhook_is_not_signed_with_a_key_derived_from_secret_key(app_with):
    """The console token exists for the simulator; in production it would let anyone who
    learnt SECRET_KEY post as any phone."""
    import hashlib
    import hmac

    app = production_app(app_with, PUBLIC_BASE_URL="https://feedback.test")
    token = hmac.new(GOOD_KEY.encode(), b"console-sms-webhook", hashlib.sha256).hexdigest()
    params = {"From": "+9647809990001", "Body": "ماكو ماي", "MessageSid": "SM" + "9" * 32}
    url = "https://feedback.test/sms/inbound"
    response = app.test_client().post(
        "/sms/inbound", data=params, headers={"X-Twilio-Signature": sign(token, url, params)}
    )
    assert response.status_code == 403


def test_simulator_is_served_in_development_with_the_console_backend(app):
    assert app.test_client().get("/dev/sms").status_code == 200


# Defect 2: no public key; production refuses a weak one; check-config lists every check.


def _forged_admin_cookie(app, secret_key: str) -> str:
    """What an attacker builds from a known key: a session naming user 1 as logged in."""
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.role == "admin"))
        admin_id = admin.get_id()  # its session version is a small number, easily guessed
    with app.test_request_context(
        headers={"User-Agent": FORGER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    ):
        identifier = _create_identifier()
    forger = Flask("forger")
    forger.secret_key = secret_key
    serializer = forger.session_interface.get_signing_serializer(forger)
    return serializer.dumps({"_user_id": admin_id, "_fresh": True, "_id": identifier})


def _admin_users_with_cookie(app, cookie: str) -> int:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/admin/users", headers={"User-Agent": FORGER_AGENT}).status_code


def test_the_forgery_works_with_the_key_an_app_really_uses(app):
    """The attack as written succeeds when the key is known: the check below is meaningful."""
    assert _admin_users_with_cookie(app, _forged_admin_cookie(app, app.secret_key)) == 200


def test_development_default_does_not_sign_with_the_public_key(app_with):
    app = app_with(FEEDBACK_ENV="development", SECRET_KEY=None)
    assert app.secret_key and app.secret_key != DEVELOPMENT_SECRET_KEY
    assert len(app.secret_key) >= 32
    assert _admin_users_with_cookie(app, _forged_admin_cookie(app, DEVELOPMENT_SECRET_KEY)) == 302
    # The key is kept, so every process of the instance (web, worker) shares it.
    assert app_with(FEEDBACK_ENV="development", SECRET_KEY=None).secret_key == app.secret_key


@pytest.mark.parametrize("key", [None, "", DEVELOPMENT_SECRET_KEY, "x" * 31])
def test_production_refuses_a_missing_public_or_short_key(app_with, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        app_with(FEEDBACK_ENV="production", SECRET_KEY=key)


def test_production_accepts_a_long_random_key(app_with):
    assert production_app(app_with).config["PRODUCTION"]


def _run(args, **env):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FEEDBACK_", "SECRET_KEY", "TWILIO_", "KANNEL_", "ANDROID_"))
        and key not in ("DATABASE_URL", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI")
    }
    return subprocess.run(  # noqa: S603 - our own flask, fixed arguments
        [FLASK, "--app", "wsgi", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("key", [None, DEVELOPMENT_SECRET_KEY, "short-key"])
def test_flask_run_in_production_without_a_good_key_exits_with_one_line(key):
    env = {"FEEDBACK_ENV": "production"} | ({"SECRET_KEY": key} if key else {})
    result = _run(["run", "--port", "0"], **env)
    assert result.returncode == REFUSED_TO_START
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]


def test_an_unknown_environment_name_is_refused():
    result = _run(["routes"], FEEDBACK_ENV="testing")
    assert result.returncode == REFUSED_TO_START
    assert result.stderr.strip().splitlines() == [
        "feedback: not starting: FEEDBACK_ENV must be 'development' or 'production', not 'testing'"
    ]


GOOD_PRODUCTION = {
    "FEEDBACK_ENV": "production",
    "SECRET_KEY": GOOD_KEY,
    "PUBLIC_BASE_URL": "https://feedback.basra.example",
    "DATABASE_URL": "postgresql://feedback@127.0.0.1:5432/feedback",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "TRUSTED_PROXY_COUNT": "1",
    "KANNEL_INBOUND_SECRET": "s" * 32,
    "KANNEL_SENDSMS_URL": "http://127.0.0.1:13013/cgi-bin/sendsms",
    "KANNEL_USERNAME": "feedback",
    "KANNEL_PASSWORD": "p" * 20,
}


def test_check_config_on_a_correct_production_environment_prints_all_ticks():
    result = _run(["check-config"], **GOOD_PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    checks = [line for line in lines if line.startswith(("✓", "✗"))]
    assert len(checks) >= 8
    assert all(line.startswith("✓") for line in checks), result.stdout


def test_check_config_lists_every_failure_even_when_the_app_would_not_start():
    result = _run(
        ["check-config"],
        FEEDBACK_ENV="production",
        SECRET_KEY="short",
        PUBLIC_BASE_URL="http://feedback.basra.example",
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,  # half of Twilio's settings
    )
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    text = "\n".join(failed)
    for subject in (
        "SECRET_KEY",
        "PUBLIC_BASE_URL",
        "SQLite",
        "RATELIMIT_STORAGE_URI",
        "TRUSTED_PROXY_COUNT",
        "Twilio",
    ):
        assert subject in text, result.stdout
    assert any(line.startswith("✓") and "Secure" in line for line in result.stdout.splitlines())


def test_check_config_allows_sqlite_only_when_told():
    env = GOOD_PRODUCTION | {"DATABASE_URL": "sqlite:////var/lib/feedback/feedback.sqlite3"}
    assert _run(["check-config"], **env).returncode == 1
    allowed = _run(["check-config"], **env, ALLOW_SQLITE_IN_PRODUCTION="1")
    assert allowed.returncode == 0, allowed.stdout
