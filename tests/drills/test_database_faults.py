"""Issue 10, defect 6: fault drills against a PostgreSQL server of the test's own (a scratch
cluster on a free loopback port, so the shared one is never touched). While the database
refuses connections a webhook gets a 5xx, which Twilio retries, and nothing is written;
after a restart under a running web server and a running `flask sms-worker`, both carry on
without being restarted themselves."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.serving import make_server

from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket
from tests.conftest import TwilioWebhook, make_app
from tests.web.test_concurrency import post

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
PG_ROOT = Path("/usr/lib/postgresql")


def _pg_bin() -> Path:
    versions = sorted(PG_ROOT.glob("*/bin/initdb"))
    if not versions:
        pytest.skip("PostgreSQL server binaries are not installed")
    return versions[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ScratchPostgres:
    """initdb, start, stop and restart a throw-away cluster (as `postgres` when we are root,
    since PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = _pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="feedback-pg-drill-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        """Output to a file: a server started here inherits it, and a pipe would stay open."""
        with (self.dir / f"{tool}.out").open("ab") as output:
            subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
                [*self.as_postgres, str(self.bin / tool), *args],
                check=True,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=120,
            )

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", *extra, action)

    def start(self) -> None:
        self._ctl("start", "-l", str(self.dir / "server.log"))

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast", "-l", str(self.dir / "server.log"))

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already down
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def scratch_postgres():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("a PostgreSQL drill: run in the PostgreSQL pass (DATABASE_URL set)")
    server = ScratchPostgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def drill_app(scratch_postgres):
    app = make_app(scratch_postgres.url)
    with app.app_context():
        upgrade()
        from feedback.services.seed import load_reference_data

        load_reference_data()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def drill_server(drill_app):
    server = make_server("127.0.0.1", 0, drill_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def count(app, model) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))
        finally:
            db.session.remove()


def queue_replies(app, count_: int, tag: str) -> None:
    with app.app_context():
        db.session.add_all(
            Outbox(to_number="+9647801234567", body=f"{tag} {n}", language="ar", channel="sms")
            for n in range(count_)
        )
        db.session.commit()
        db.session.remove()


def wait_until(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_webhook_while_the_database_refuses_gets_a_5xx_and_writes_nothing(
    drill_app, drill_server, scratch_postgres
):
    webhook = TwilioWebhook(drill_app, drill_app.test_client())
    params = webhook.params("ماكو ماي بحي الحسين", sid="SM" + "d" * 32)
    scratch_postgres.stop()
    status, _ = post(drill_server, webhook, params)
    assert 500 <= status < 600  # Twilio retries a 5xx
    scratch_postgres.start()
    assert count(drill_app, Ticket) == 0 and count(drill_app, Message) == 0
    status, body = post(drill_server, webhook, params)  # Twilio's retry
    assert status == 200
    assert count(drill_app, Ticket) == 1
    with drill_app.app_context():
        assert db.session.scalar(sa.select(Ticket.reference)) in body
        db.session.remove()


def test_server_and_worker_carry_on_after_postgresql_restarts(
    drill_app, drill_server, scratch_postgres
):
    env = {key: value for key, value in os.environ.items() if not key.startswith("FEEDBACK_")}
    env |= {"DATABASE_URL": scratch_postgres.url, "SMS_BACKEND": "console"}
    worker = subprocess.Popen(  # noqa: S603 - our own flask, fixed arguments
        [FLASK, "--app", "wsgi", "sms-worker", "--interval", "0.3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        webhook = TwilioWebhook(drill_app, drill_app.test_client())
        assert post(drill_server, webhook, webhook.params("ماكو ماي بالعشار"))[0] == 200
        queue_replies(drill_app, 3, "before")
        assert wait_until(lambda: count(drill_app, Message) >= 1 + 3), "worker sent nothing"

        scratch_postgres.restart()

        status, _ = post(drill_server, webhook, webhook.params("الكهرباء مقطوعة بالمعقل"))
        assert status == 200  # the pool replaced its dead connections by itself
        queue_replies(drill_app, 3, "after")
        assert wait_until(lambda: count(drill_app, Message) >= 2 + 6), (
            "the worker did not recover: " + worker.stderr.read1().decode(errors="replace")
        )
        assert worker.poll() is None
        with drill_app.app_context():
            statuses = set(db.session.scalars(sa.select(Outbox.status)))
            db.session.remove()
        assert statuses == {"sent"}
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.communicate()
    assert count(drill_app, Ticket) == 2
