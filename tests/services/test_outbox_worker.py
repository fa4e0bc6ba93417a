"""The sms-worker: retries with backoff, gives up cleanly, never loses or double-sends a row
(two workers at once; a worker killed mid-batch), and the real Twilio SDK path."""

import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from feedback.extensions import db
from feedback.models import Message, Outbox, utcnow
from feedback.services import outbox
from feedback.services.outbox import SendError
from feedback.sms.console import ConsoleGateway
from feedback.sms.twilio import TwilioGateway

POLICY = outbox.SendPolicy(max_attempts=3, retry_seconds=30, status_callbacks={})


def queue(count: int, body: str = "شكواك B7K2Q انحلت") -> list[int]:
    rows = [
        Outbox(to_number=f"+96478000{n:05d}", body=f"{body} {n}", language="ar", channel="sms")
        for n in range(count)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def sent_messages() -> list[Message]:
    return list(db.session.scalars(sa.select(Message).where(Message.direction == "out")))


class FlakyGateway(ConsoleGateway):
    """Fails the first `failures` sends with the given retryability."""

    def __init__(self, failures: int, retryable: bool):
        super().__init__("4455")
        self.failures, self.retryable, self.calls = failures, retryable, 0

    def send(self, to, body, status_callback=None, client_reference=None):
        self.calls += 1
        if self.calls <= self.failures:
            raise SendError("gateway down", self.retryable)
        return super().send(to, body, status_callback)


def test_sends_everything_due_once(app):
    with app.app_context():
        ids = queue(5)
        result = outbox.send_due("w1", {"sms": ConsoleGateway("4455")}, POLICY)
        assert (result.sent, result.retried, result.failed) == (5, 0, 0)
        rows = db.session.scalars(sa.select(Outbox).where(Outbox.id.in_(ids))).all()
        assert {r.status for r in rows} == {"sent"}
        assert {r.external_id for r in rows} == {m.external_id for m in sent_messages()}
        assert outbox.send_due("w1", {"sms": ConsoleGateway("4455")}, POLICY).sent == 0


def test_a_passing_failure_is_retried_later_with_growing_delay(app):
    with app.app_context():
        (row_id,) = queue(1)
        gateway = FlakyGateway(failures=2, retryable=True)
        assert outbox.send_due("w1", {"sms": gateway}, POLICY).retried == 1
        row = db.session.get(Outbox, row_id)
        first_delay = row.next_attempt_at - utcnow()
        assert row.status == "pending" and row.attempts == 1 and "gateway down" in row.last_error
        assert timedelta(seconds=20) < first_delay <= timedelta(seconds=30)
        assert outbox.send_due("w1", {"sms": gateway}, POLICY).sent == 0  # not due yet
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        outbox.send_due("w1", {"sms": gateway}, POLICY)
        row = db.session.get(Outbox, row_id)
        second_delay = row.next_attempt_at - utcnow()
        assert row.attempts == 2 and timedelta(seconds=50) < second_delay <= timedelta(seconds=60)
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert outbox.send_due("w1", {"sms": gateway}, POLICY).sent == 1
        assert db.session.get(Outbox, row_id).status == "sent"


def test_retries_end_in_failed_and_a_permanent_error_fails_at_once(app):
    with app.app_context():
        (permanent,) = queue(1)
        outbox.send_due("w1", {"sms": FlakyGateway(failures=1, retryable=False)}, POLICY)
        assert db.session.get(Outbox, permanent).status == "failed"
        (flaky,) = queue(1)
        gateway = FlakyGateway(failures=10, retryable=True)
        for _ in range(POLICY.max_attempts):
            db.session.execute(sa.update(Outbox).values(next_attempt_at=utcnow()))
            db.session.commit()
            outbox.send_due("w1", {"sms": gateway}, POLICY)
        row = db.session.get(Outbox, flaky)
        assert row.status == "failed" and row.attempts == POLICY.max_attempts


class Killed(BaseException):
    """Stands for the process being killed: nothing after it runs, nothing is committed."""


class DiesOnThirdSend(ConsoleGateway):
    def __init__(self):
        super().__init__("4455")
        self.calls = 0

    def send(self, to, body, status_callback=None, client_reference=None):
        self.calls += 1
        if self.calls == 3:
            raise Killed()
        return super().send(to, body, status_callback)


def test_a_worker_killed_mid_batch_loses_nothing_and_double_sends_nothing(app):
    with app.app_context():
        ids = queue(6)
        with pytest.raises(Killed):
            outbox.send_due("dead", {"sms": DiesOnThirdSend()}, POLICY, batch=6)
        db.session.rollback()
        statuses = [db.session.get(Outbox, i).status for i in ids]
        assert statuses == ["sent", "sent"] + ["sending"] * 4
        survivor = ConsoleGateway("4455")
        assert outbox.send_due("w2", {"sms": survivor}, POLICY).sent == 0  # the lease still holds
        db.session.execute(
            sa.update(Outbox)
            .where(Outbox.status == "sending")
            .values(claimed_at=utcnow() - POLICY.lease - timedelta(seconds=1))
        )
        db.session.commit()
        assert outbox.send_due("w2", {"sms": survivor}, POLICY).sent == 4
        messages = sent_messages()
        assert sorted(m.body for m in messages) == sorted(
            db.session.scalars(sa.select(Outbox.body)).all()
        )  # each row exactly once
        assert {db.session.get(Outbox, i).status for i in ids} == {"sent"}


def test_two_workers_at_once_send_each_row_exactly_once(app):
    with app.app_context():
        ids = queue(120)
    results = []

    def work(name):
        with app.app_context():
            results.append(outbox.send_due(name, {"sms": ConsoleGateway("4455")}, POLICY, batch=7))

    workers = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    with app.app_context():
        assert sum(r.sent for r in results) == 120
        bodies = [m.body for m in sent_messages()]
        assert len(bodies) == len(set(bodies)) == 120
        rows = db.session.scalars(sa.select(Outbox).where(Outbox.id.in_(ids))).all()
        assert {r.status for r in rows} == {"sent"}


class RecordingHttp(HttpClient):
    """Answers Twilio's REST API as it would, and remembers each request."""

    def __init__(self, status: int = 201, payload: str | None = None):
        super().__init__(logger=logging.getLogger("twilio.test"), is_async=False)
        self.requests, self.status, self.payload = [], status, payload

    def request(self, method, url, params=None, data=None, headers=None, auth=None, **kwargs):
        self.requests.append((method, url, dict(data or {})))
        body = self.payload or '{"sid": "SM' + "f" * 32 + '", "status": "queued"}'
        return Response(self.status, body)


def test_twilio_gateway_sends_through_the_sdk(app):
    http = RecordingHttp()
    gateway = TwilioGateway(Client("AC" + "1" * 32, "token", http_client=http), "+15005550006")
    callback = "https://feedback.test/sms/status?outbox=7"
    assert gateway.send("+9647801234567", "شكواك انحلت", callback) == "SM" + "f" * 32
    method, url, data = http.requests[0]
    assert method == "POST" and url.endswith("/Messages.json")
    assert data["To"] == "+9647801234567" and data["From"] == "+15005550006"
    assert data["Body"] == "شكواك انحلت" and data["StatusCallback"] == callback
    gateway.send("whatsapp:+9647801234567", "hi")
    assert http.requests[1][2]["From"] == "whatsapp:+15005550006"


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (429, True), (400, False)])
def test_twilio_errors_say_whether_to_retry(status, retryable):
    payload = f'{{"code": 21211, "message": "Invalid To", "status": {status}}}'
    client = Client("AC" + "1" * 32, "token", http_client=RecordingHttp(status, payload))
    with pytest.raises(SendError) as raised:
        TwilioGateway(client, "+15005550006").send("+9640000", "x")
    assert raised.value.retryable is retryable


def test_an_hour_of_gateway_outage_with_the_default_settings_loses_nothing(app):
    """Issue 10, defect 6: the gateway times out for an hour; with the settings a deployment
    gets by default, every SMS is still waiting (none failed) and goes when it is back."""
    from feedback.sms.backends import send_policy

    policy = send_policy(app.config)
    with app.app_context():
        ids = queue(3)
        down = FlakyGateway(failures=10_000, retryable=True)
        waited = timedelta(0)
        while waited < timedelta(hours=1):
            outbox.send_due("w1", {"sms": down}, policy)
            rows = [db.session.get(Outbox, i) for i in ids]
            assert {row.status for row in rows} == {"pending"}, [r.last_error for r in rows]
            delay = rows[0].next_attempt_at - utcnow()
            waited += delay
            db.session.execute(sa.update(Outbox).values(next_attempt_at=utcnow()))
            db.session.commit()
        assert down.calls >= 3 * 5  # it kept trying, backing off
        back = FlakyGateway(failures=0, retryable=True)
        assert outbox.send_due("w1", {"sms": back}, policy).sent == 3
