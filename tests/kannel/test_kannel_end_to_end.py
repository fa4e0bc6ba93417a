"""The Kannel channel end to end, with Debian's real Kannel (packages kannel, kannel-extras):
Kannel's fake SMS centre sends an Arabic (UCS-2) and an English complaint through bearerbox
and smsbox to the app's /sms/kannel/inbound; each becomes a water-supply ticket; the
sms-worker sends the replies through Kannel's sendsms, and they reach the fake SMS centre in
Arabic and English; the delivery reports mark the Outbox rows delivered.

`make test` installs Kannel when it is missing; the test is skipped only when it is not
installed (e.g. a developer machine without root). Everything runs on 127.0.0.1."""

import threading
import time

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket
from tests.kannel.harness import Kannel, is_installed

pytestmark = [
    pytest.mark.kannel,
    pytest.mark.skipif(
        not is_installed(),
        reason="Kannel is not installed: apt-get install -y kannel kannel-extras (make test does)",
    ),
]

SECRET = "kannel-e2e-secret"
ARABIC = "ماكو ماي بحي الحسين من يومين"
ENGLISH = "No water in Al-Ashar since yesterday"
ARABIC_SENDER = "9647801234567"
ENGLISH_SENDER = "9647709876543"


@pytest.fixture
def server():
    """A threaded HTTP server on a free loopback port whose app is set afterwards, so that the
    app's PUBLIC_BASE_URL (for Kannel's dlr-url) can name the server's own port."""
    holder = {}
    server = make_server(
        "127.0.0.1", 0, lambda env, reply: holder["app"](env, reply), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.serve = lambda app: holder.__setitem__("app", app)
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def kannel(server, tmp_path):
    with Kannel(tmp_path / "kannel", server.url, SECRET) as running:
        yield running


@pytest.fixture
def kannel_app(app_with, server, kannel):
    app = app_with(PUBLIC_BASE_URL=server.url, **kannel.app_config())
    server.serve(app)
    return app


def wait_for(what: str, check, kannel: Kannel, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}\n{kannel.status()}\n{kannel.logs()}")


def ticket_from(app, phone: str) -> dict | None:
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.citizen_phone == phone))
        found = ticket and {
            "reference": ticket.reference,
            "text": ticket.original_text,
            "language": ticket.language,
            "category": ticket.category.code if ticket.category else None,
        }
        db.session.remove()
        return found


def outbox_rows(app) -> list[Outbox]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Outbox).order_by(Outbox.id)))
        db.session.expunge_all()
        db.session.remove()
        return rows


def test_arabic_and_english_sms_through_real_kannel(kannel_app, kannel):
    app = kannel_app

    # Mobile-originated: the fake SMS centre -> bearerbox -> smsbox -> get-url -> ticket.
    kannel.send_mo(ARABIC_SENDER, ARABIC, ucs2=True)
    arabic = wait_for("the Arabic ticket", lambda: ticket_from(app, "+" + ARABIC_SENDER), kannel)
    kannel.send_mo(ENGLISH_SENDER, ENGLISH, ucs2=False)
    english = wait_for("the English ticket", lambda: ticket_from(app, "+" + ENGLISH_SENDER), kannel)

    assert arabic["text"] == ARABIC  # UCS-2 recoded to UTF-8 by smsbox, intact
    assert (arabic["language"], arabic["category"]) == ("ar", "water-supply")
    assert english["text"] == ENGLISH
    assert (english["language"], english["category"]) == ("en", "water-supply")
    with app.app_context():
        inbound = db.session.scalars(sa.select(Message).where(Message.direction == "in")).all()
        assert {m.channel for m in inbound} == {"kannel"}
        assert len(inbound) == 2
        db.session.remove()

    # The replies wait in the Outbox on the kannel channel until the worker runs.
    rows = outbox_rows(app)
    assert [(r.channel, r.status) for r in rows] == [("kannel", "pending")] * 2
    assert kannel.received() == []
    result = app.test_cli_runner().invoke(args=["sms-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 2, to retry 0, failed 0" in result.output, result.output

    # Mobile-terminated: sendsms -> smsbox -> bearerbox -> the fake SMS centre.
    received = {m.receiver.lstrip("+"): m for m in kannel.wait_for_received(2)}
    assert set(received) == {ARABIC_SENDER, ENGLISH_SENDER}, received
    arabic_reply, english_reply = received[ARABIC_SENDER], received[ENGLISH_SENDER]
    assert arabic_reply.sender == english_reply.sender == kannel.short_code
    assert arabic["reference"] in arabic_reply.text
    assert "حالة" in arabic_reply.text  # the Arabic STATUS command word
    assert english_reply.text.startswith("Your complaint is registered as " + english["reference"])
    by_phone = {r.to_number.lstrip("+"): r for r in rows}
    assert arabic_reply.text == by_phone[ARABIC_SENDER].body
    assert english_reply.text == by_phone[ENGLISH_SENDER].body

    # Delivery reports: the fake SMS centre acknowledges, smsbox calls the dlr-url.
    wait_for(
        "both Outbox rows delivered",
        lambda: {r.status for r in outbox_rows(app)} == {"delivered"},
        kannel,
    )
    assert all(r.delivered_at is not None for r in outbox_rows(app))


def test_kannel_calls_again_while_the_app_answers_5xx(kannel_app, kannel, server):
    """Issue 10: the app answers 503 (its database down) to Kannel's first two calls; smsbox
    keeps the message and calls again (http-request-retry), and one ticket is made."""
    refused = []

    def down_twice(environ, start_response):
        if environ["PATH_INFO"] == "/sms/kannel/inbound" and len(refused) < 2:
            refused.append(environ["QUERY_STRING"])
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"database unavailable"]
        return kannel_app(environ, start_response)

    server.serve(down_twice)
    kannel.send_mo(ARABIC_SENDER, ARABIC, ucs2=True)
    ticket = wait_for(
        "the ticket after Kannel's retries",
        lambda: ticket_from(kannel_app, "+" + ARABIC_SENDER),
        kannel,
        timeout=40,
    )
    assert len(refused) == 2 and ticket["text"] == ARABIC
    with kannel_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1
        db.session.remove()
