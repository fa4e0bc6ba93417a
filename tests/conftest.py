"""Fixtures: a real database (SQLite file, or PostgreSQL when DATABASE_URL says so) migrated
once per session with `flask db upgrade`, Basra reference data loaded once, and the
ticket tables emptied after every test."""

import email
import email.policy
import os
import secrets
import socketserver
import tempfile
import threading
import unicodedata
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from hypothesis import settings
from werkzeug.serving import make_server

from feedback import create_app
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, RoutingRule
from feedback.services.parser_cache import reference_data_changed
from feedback.sms.signature import sign

# Property tests try a fixed number of examples, few enough for `make test`;
# HYPOTHESIS_PROFILE=long searches harder. No example database is written into the tree.
settings.register_profile("quick", max_examples=200, database=None, deadline=None)
settings.register_profile("long", settings.get_profile("quick"), max_examples=20_000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

# Everything people put between the digits of a phone number, visible or not.
PHONE_SEPARATORS = (
    " \u00a0-\u2013\u2014/,\u060c._\u0640\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c"
)


def shows_phone(text: str, national: str) -> bool:
    """Whether seven digits in a row of the `national` number (7XXXXXXXXX) can still be read
    in `text`, in any digit script, once the separators between them are taken out."""
    plain = "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
        for ch in text
        if ch not in PHONE_SEPARATORS
    )
    return any(national[i : i + 7] in plain for i in range(len(national) - 6))


TICKET_TABLES = (
    "follow_notice",
    "area_follow",
    "corrections",
    "verification",
    "follow",
    "api_key",
    "escalation",
    "attachment",
    "ticket_event",
    "attachment",
    "message",
    "outbox",
    "ticket",
    "incident_support",
    "incident_event",
    "incident_area",
    "incident",
    "number_block",
    "notice_stop",
    # Rollups (feedback.models.rollups): derived from the tickets above.
    "scorecard_ticket",
    "scorecard_day",
    "scorecard_histogram",
    "scorecard_overdue",
    "map_cell",
    "rollup_state",
)


def _test_database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgresql", "postgres")):
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


# Attachments of every test app go under one temporary folder, never into instance/.
ATTACHMENTS = tempfile.mkdtemp(prefix="feedback-attachments-")


def make_app(database_url: str, **overrides):
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "ATTACHMENT_DIR": ATTACHMENTS}
    return create_app({**config, **overrides})


def reset_schema(app) -> None:
    """Start from an empty database, whatever an earlier run left behind."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _test_database_url(tmp_path_factory)
    app = make_app(url)
    reset_schema(app)
    with app.app_context():
        upgrade()
        from feedback.services.seed import load_reference_data

        load_reference_data()
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    empty_ticket_tables(app)


def empty_ticket_tables(app) -> None:
    """Remove what a test created; the reference data stays for the next test."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in TICKET_TABLES:
                connection.execute(sa.text(f'DELETE FROM "{table}"'))  # noqa: S608 - fixed names
        db.engine.dispose()


@pytest.fixture
def app_with(database_url):
    """app_with(**config) -> an app on the test database with other settings; its
    connections are closed afterwards."""
    made = []

    def build(**overrides):
        made.append(make_app(database_url, **overrides))
        return made[-1]

    yield build
    for built in made:
        empty_ticket_tables(built)


@pytest.fixture
def live_server(app):
    """The app on a real threaded HTTP server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class TwilioWebhook:
    """Posts to /sms/inbound as Twilio does: form fields, signed with the test auth token."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def params(self, body: str, sender: str = "+9647801234567", sid: str | None = None, **extra):
        return {
            "MessageSid": sid or "SM" + secrets.token_hex(16),
            "AccountSid": self.app.config["TWILIO_ACCOUNT_SID"],
            "From": sender,
            "To": "4455",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def signature(self, params: dict, path: str = "/sms/inbound") -> str:
        url = self.app.config["PUBLIC_BASE_URL"] + path
        return sign(self.app.config["TWILIO_AUTH_TOKEN"], url, params)

    def send(self, body: str, **kwargs):
        params = self.params(body, **kwargs)
        return self.post(params, self.signature(params))

    def post(self, params: dict, signature: str | None):
        headers = {"X-Twilio-Signature": signature} if signature is not None else {}
        return self.client.post("/sms/inbound", data=params, headers=headers)


@pytest.fixture
def twilio(app, client):
    return TwilioWebhook(app, client)


@pytest.fixture
def restore_rules(app):
    """Puts the routing rules back as they were: added ones go, deleted ones return."""
    with app.app_context():
        before = {
            r.id: (r.category_id, r.area_id, r.directorate_id)
            for r in db.session.scalars(sa.select(RoutingRule))
        }
    yield
    with app.app_context():
        now = {r.id: r for r in db.session.scalars(sa.select(RoutingRule))}
        for rule_id, rule in now.items():
            if rule_id not in before:
                db.session.delete(rule)
            else:
                rule.directorate_id = before[rule_id][2]
        db.session.flush()
        for rule_id, (category_id, area_id, directorate_id) in before.items():
            if rule_id not in now:
                db.session.add(
                    RoutingRule(
                        id=rule_id,
                        category_id=category_id,
                        area_id=area_id,
                        directorate_id=directorate_id,
                    )
                )
        reference_data_changed()
        db.session.commit()


def _snapshot(row, names):
    return {name: getattr(row, name) for name in names}


CATEGORY_FIELDS = ("name_ar", "name_en", "sla_hours", "active", "keywords")
AREA_FIELDS = (
    "name_ar",
    "name_en",
    "alt_names",
    "lat",
    "lon",
    "parent_id",
    "point_confidence",
    "point_source",
)


@pytest.fixture
def restore_reference_data(app, restore_rules):
    """Categories (with their keywords), areas and directorates as they were, and the parsers
    rebuilt from them; anything a test created is removed."""
    with app.app_context():
        categories = {
            c.code: _snapshot(c, CATEGORY_FIELDS) for c in db.session.scalars(sa.select(Category))
        }
        areas = {a.code: _snapshot(a, AREA_FIELDS) for a in db.session.scalars(sa.select(Area))}
        directorates = {
            d.code: _snapshot(d, ("name_ar", "name_en", "description_en"))
            for d in db.session.scalars(sa.select(Directorate))
        }
    yield
    with app.app_context():
        for model, saved in ((Category, categories), (Area, areas), (Directorate, directorates)):
            for row in db.session.scalars(sa.select(model)):
                if row.code not in saved:
                    db.session.delete(row)
                    continue
                for name, value in saved[row.code].items():
                    setattr(row, name, value)
        reference_data_changed()
        db.session.commit()


@pytest.fixture
def restore_response_templates(app):
    """The seeded response templates as they were; any a test created are removed."""
    from feedback.models.responses import ResponseTemplate

    fields = ("directorate_id", "title", "body_ar", "body_en", "active")
    with app.app_context():
        saved = {
            t.id: _snapshot(t, fields) for t in db.session.scalars(sa.select(ResponseTemplate))
        }
    yield
    with app.app_context():
        for row in db.session.scalars(sa.select(ResponseTemplate)):
            if row.id not in saved:
                db.session.delete(row)
                continue
            for name, value in saved[row.id].items():
                setattr(row, name, value)
        db.session.commit()


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


DEMO_PASSWORDS = {
    "admin": "demo-admin-2026",
    "officer.water": "demo-water-2026",
    "officer.electricity": "demo-electricity-2026",
    "monitor": "demo-monitor-2026",
    "manager.water": "demo-manager-2026",
    "governorate": "demo-governorate-2026",
}


def csrf_from(client, path: str) -> str:
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


class AuthActions:
    """Log a demo user in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str | None = None, next_path: str = ""):
        token = csrf_from(self.client, "/login")
        return self.client.post(
            "/login" + (f"?next={next_path}" if next_path else ""),
            data={
                "csrf_token": token,
                "username": username,
                "password": password or DEMO_PASSWORDS[username],
            },
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_from(self.client, "/")})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    password: str


@pytest.fixture
def moderator(app, staff_user):
    """moderator(role) -> a new account of that role that an admin made a moderator."""
    from feedback.services.accounts import set_moderator
    from tests.factories import demo_user

    def make(role: str = "monitor") -> StaffUser:
        made = staff_user(role)
        with app.app_context():
            set_moderator(demo_user("admin"), made.id, True)
        return made

    return make


@pytest.fixture
def staff_user(app):
    """staff_user(role) -> a new account of that role, removed after the test, for tests that
    lock, sign out or enrol someone without changing the shared demo users."""
    from feedback.models import RecoveryCode, User
    from feedback.services.accounts import create_user

    made = []

    def make(role: str = "officer") -> StaffUser:
        username = f"test-{role}-{secrets.token_hex(4)}"
        password = "a-long-test-password-" + secrets.token_hex(4)
        with app.app_context():
            user = create_user(
                username,
                f"Test {role}",
                role,
                password,
                directorate_code="water" if role in ("officer", "manager") else None,
                organisation="Test CSO" if role == "monitor" else None,
            )
            made.append(user.id)
            return StaffUser(user.id, username, password)

    yield make
    empty_ticket_tables(app)  # events and tickets may name these accounts
    with app.app_context():
        db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id.in_(made)))
        db.session.execute(sa.delete(User).where(User.id.in_(made)))
        db.session.commit()


class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for smtplib to hand over a message: no TLS, no login."""

    def handle(self) -> None:
        self._say("220 sink")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("ascii").strip()
            verb = command[:4].upper()
            if verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
            if verb == "DATA":
                self._say("354 end with a lone dot")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                parsed = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                self.server.received.append((recipients, parsed))  # type: ignore[attr-defined]
                recipients = []
            if verb == "QUIT":
                self._say("221 bye")
                return
            self._say("250 queued" if verb == "DATA" else "250 ok")

    def _say(self, reply: str) -> None:
        self.wfile.write(reply.encode("ascii") + b"\r\n")


@pytest.fixture
def smtp_sink():
    """A local SMTP server on a free loopback port (a real socket); .received holds each
    message as ([recipients], email.message.EmailMessage), .port where it listens."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSession)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    server.port = server.server_address[1]  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
