"""Issue 10, defects 1 and 2: the SMS worker never holds a transaction while a gateway
answers, so webhooks are stored while it waits; a delivery report that comes before the
worker has recorded its send still lands; a worker killed mid-send repeats at most that one
message, and the Android gateway, which keeps one message per id of ours, drops the repeat."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.services import outbox
from feedback.sms.console import ConsoleGateway
from tests.conftest import TwilioWebhook, count_rows
from tests.web.test_concurrency import post

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
POLICY = outbox.SendPolicy(max_attempts=3, retry_seconds=30, status_callbacks={})


def queue(app, count: int, to: str = "+9647801234567", channel: str = "sms") -> list[int]:
    with app.app_context():
        rows = [
            Outbox(to_number=to, body=f"رد رقم {n}", language="ar", channel=channel)
            for n in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


class HeldGateway(ConsoleGateway):
    """Answers only when the test lets it: a gateway as slow as the test needs."""

    def __init__(self):
        super().__init__("4455")
        self.inside = threading.Event()
        self.release = threading.Event()

    def send(self, to, body, status_callback=None, client_reference=None):
        self.inside.set()
        assert self.release.wait(timeout=60), "the test never released the gateway"
        return super().send(to, body, status_callback, client_reference)


def test_webhooks_are_stored_while_the_worker_waits_on_the_gateway(app, client, live_server):
    queue(app, 30)
    gateway = HeldGateway()

    def work():
        with app.app_context():
            outbox.send_due("slow", {"sms": gateway}, POLICY, batch=30)

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert gateway.inside.wait(timeout=30)  # the worker is now waiting on the gateway
        webhook = TwilioWebhook(app, client)
        messages = [
            webhook.params(f"ماكو ماي بحي الحسين {n}", sender=f"+96477012340{n}") for n in range(6)
        ]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda params: post(live_server, webhook, params), messages))
        slowest = time.monotonic() - started
        assert [status for status, _ in results] == [200] * 6, results
        assert count_rows(app, Ticket) == 6
        print(f"6 webhooks answered 200 in {slowest:.2f} s while the gateway held a send")
    finally:
        gateway.release.set()
        worker.join(timeout=120)
    with app.app_context():
        sent = db.session.scalar(
            sa.select(sa.func.count()).select_from(Outbox).where(Outbox.status == "sent")
        )
    assert sent == 30  # (Twilio webhooks are answered in TwiML, not through the Outbox)


class ReportsFirstGateway(ConsoleGateway):
    """The provider's delivery report reaches us before the worker records the send."""

    def __init__(self, app):
        super().__init__("4455")
        self.app = app

    def send(self, to, body, status_callback=None, client_reference=None):
        outbox_id = int(client_reference.rsplit("-", 1)[1])
        reporter = threading.Thread(target=self.report, args=(outbox_id,))
        reporter.start()
        reporter.join(timeout=30)
        assert not reporter.is_alive(), "the report waited on the worker's transaction"
        return "EARLY-" + str(outbox_id)

    def report(self, outbox_id):
        with self.app.app_context():
            assert outbox.record_delivery(outbox_id, None, "delivered", None)
            db.session.remove()


def test_a_delivery_report_before_the_outcome_is_kept(app):
    ids = queue(app, 2)
    with app.app_context():
        result = outbox.send_due("w", {"sms": ReportsFirstGateway(app)}, POLICY)
        assert result.sent == 2
        rows = [db.session.get(Outbox, i) for i in ids]
        assert [row.status for row in rows] == ["delivered", "delivered"]
        assert all(row.sent_at and row.delivered_at and row.claimed_by is None for row in rows)
        assert [row.external_id for row in rows] == [f"EARLY-{i}" for i in ids]


# The crash drill: a real `flask sms-worker` process is killed while the gateway answers.


class FakeGateway(ThreadingHTTPServer):
    """Kannel's sendsms and the Android app's /messages on one loopback port. It records
    every request, keeps one Android message per id as the app does, and holds the first
    request until the test has killed the worker."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeGatewayHandler)
        self.requests: list[dict] = []
        self.android_messages: dict[str, dict] = {}
        self.first_arrived = threading.Event()
        self.hold_first = threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FakeGatewayHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the worker was killed while we held its request

    def _record(self, request: dict) -> bool:
        """Record; True for the first request, which is held."""
        with self.server.lock:
            self.server.requests.append(request)
            first = len(self.server.requests) == 1
        if first:
            self.server.first_arrived.set()
            self.server.hold_first.wait(timeout=60)
        return first

    def do_GET(self):  # Kannel sendsms
        query = parse_qs(urlsplit(self.path).query)
        self._record({"route": "kannel", "to": query["to"][0], "text": query["text"][0]})
        self._answer(202, b"0: Accepted for delivery")

    def do_POST(self):  # Android /messages
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._record({"route": "android", "id": message.get("id")})
        with self.server.lock:
            known = message.get("id") in self.server.android_messages
            self.server.android_messages.setdefault(message.get("id"), message)
        self._answer(409 if known else 202, json.dumps({"id": message.get("id")}).encode())


@pytest.fixture
def fake_gateway():
    server = FakeGateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.hold_first.set()
    server.shutdown()
    server.server_close()


def worker_env(database_url: str, gateway_url: str, route: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KANNEL_", "ANDROID_", "TWILIO_", "FEEDBACK_"))
    }
    env |= {"DATABASE_URL": database_url, "SMS_LEASE_SECONDS": "2", "SMS_BACKEND": "console"}
    if route == "kannel":
        env |= {"KANNEL_INBOUND_SECRET": "drill", "KANNEL_SENDSMS_URL": gateway_url + "/send"}
    else:
        env |= {"ANDROID_GATEWAY_URL": gateway_url, "ANDROID_GATEWAY_SIGNING_KEY": "drill"}
    return env


def run_worker(env: dict, once: bool) -> subprocess.Popen:
    args = [FLASK, "--app", "wsgi", "sms-worker", "--batch", "5"]
    return subprocess.Popen(  # noqa: S603 - our own flask, fixed arguments
        args + (["--once"] if once else ["--interval", "0.2"]),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("route", ["kannel", "android"])
def test_a_worker_killed_mid_send_repeats_at_most_that_message(
    app, database_url, fake_gateway, route
):
    ids = queue(app, 3, channel=route)
    first = run_worker(worker_env(database_url, fake_gateway.url, route), once=False)
    try:
        assert fake_gateway.first_arrived.wait(timeout=60), "the worker sent nothing"
        first.send_signal(signal.SIGKILL)  # while the gateway is answering
        first.wait(timeout=30)
    finally:
        first.kill()
        first.communicate()
    fake_gateway.hold_first.set()
    time.sleep(2.5)  # the dead worker's lease (SMS_LEASE_SECONDS=2) runs out
    second = run_worker(worker_env(database_url, fake_gateway.url, route), once=True)
    _, errors = second.communicate(timeout=60)
    assert second.returncode == 0, errors.decode()
    with app.app_context():
        rows = [db.session.get(Outbox, i) for i in ids]
        assert {row.status for row in rows} == {"sent"}
        assert [row.attempts for row in rows] == [2, 1, 1]
    requests = fake_gateway.requests
    assert len(requests) == 4  # the first message twice: the window the README names
    if route == "android":
        assert requests[0]["id"] == requests[1]["id"] == f"feedback-outbox-{ids[0]}"
        assert len(fake_gateway.android_messages) == 3  # the phone sends each once
    print(f"{route}: gateway received {len(requests)} requests for 3 messages")
