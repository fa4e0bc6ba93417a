"""The daily allowance of SMS to one recipient, counted in the Outbox whatever caused them:
past it a reply is dropped and a notice waits for the recipient's next day, each with its
reason kept for the admins; never a silent loss, never a backlog without end."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from feedback.domain.limits import SmsKind
from feedback.extensions import db
from feedback.models import Message, Outbox, utcnow
from feedback.services import outbox
from feedback.services.notify import queue_to
from feedback.sms.console import ConsoleGateway

NUMBER = "+9647801234567"
POLICY = outbox.SendPolicy(max_attempts=3, retry_seconds=30, status_callbacks={})


@pytest.fixture(autouse=True)
def numbers_that_texted_us(app):
    """The recipients here have texted us, so the allowance of any number applies to them
    (a number that never did gets a few a day: tests/web/test_report_phone_limits.py)."""
    with app.app_context():
        for n, number in enumerate((NUMBER, "+9647709999999")):
            db.session.add(
                Message(
                    channel="sms",
                    direction="in",
                    external_id=f"SM-texted-{n}",
                    from_number=number,
                    to_number="4455",
                    body="ماكو ماي",
                )
            )
        db.session.commit()


def queue(count: int, kind: SmsKind, to: str = NUMBER) -> None:
    for n in range(count):
        queue_to(to, f"{kind} {n}", "ar", kind=kind)
        db.session.commit()


def rows(**where) -> list[Outbox]:
    query = sa.select(Outbox).filter_by(**where).order_by(Outbox.id)
    return list(db.session.scalars(query))


def next_local_midnight() -> datetime:
    baghdad = ZoneInfo("Asia/Baghdad")
    today = utcnow().astimezone(baghdad).date()
    midnight = datetime.combine(today + timedelta(days=1), datetime.min.time(), baghdad)
    return midnight.astimezone(UTC)


def test_past_twenty_a_day_replies_are_dropped_and_notices_wait_for_tomorrow(app):
    with app.app_context():
        queue(18, SmsKind.NOTICE)
        queue(4, SmsKind.REPLY)
        queue(3, SmsKind.NOTICE)
        assert len(rows(withheld=None)) == 20
        dropped = rows(status="dropped")
        assert [row.body for row in dropped] == ["reply 2", "reply 3"]
        assert {row.withheld for row in dropped} == {"daily_cap"}
        held = rows(status="pending", withheld="daily_cap")
        assert [row.body for row in held] == ["notice 0", "notice 1", "notice 2"]
        assert {row.held_until for row in held} == {next_local_midnight()}
        assert {row.next_attempt_at for row in held} == {next_local_midnight()}


def test_tomorrow_takes_twenty_at_most_too_the_rest_is_dropped(app):
    with app.app_context():
        queue(20, SmsKind.NOTICE)
        queue(25, SmsKind.NOTICE)
        assert len(rows(withheld="daily_cap", status="pending")) == 20
        assert len(rows(withheld="daily_cap", status="dropped")) == 5


def test_sms_and_whatsapp_to_one_number_count_together_other_numbers_apart(app):
    with app.app_context():
        queue(15, SmsKind.REPLY)
        queue(10, SmsKind.REPLY, to=f"whatsapp:{NUMBER}")
        queue(3, SmsKind.REPLY, to="+9647709999999")
        assert len(rows(status="dropped")) == 5
        assert len(rows(to_number="+9647709999999", withheld=None)) == 3


def test_the_limit_is_configurable(app_with):
    app = app_with(SMS_PER_RECIPIENT_PER_DAY=2)
    with app.app_context():
        queue(3, SmsKind.REPLY)
        assert [row.status for row in rows()] == ["pending", "pending", "dropped"]


def test_the_worker_never_sends_a_dropped_sms_and_a_held_one_only_when_its_day_comes(app):
    with app.app_context():
        queue(20, SmsKind.NOTICE)
        queue(1, SmsKind.REPLY)
        queue(1, SmsKind.NOTICE)
        assert outbox.send_due("w1", {"sms": ConsoleGateway("4455")}, POLICY).sent == 20
        (held,) = rows(withheld="daily_cap", status="pending")
        held.next_attempt_at = utcnow() - timedelta(seconds=1)  # the next day has come
        db.session.commit()
        assert outbox.send_due("w1", {"sms": ConsoleGateway("4455")}, POLICY).sent == 1
        assert [row.status for row in rows(withheld="daily_cap")] == ["dropped", "sent"]


def test_thirty_at_once_to_one_recipient_are_counted_exactly(app):
    start = threading.Barrier(30)
    errors = []

    def reply(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                queue_to(NUMBER, f"reply {n}", "ar", kind=SmsKind.REPLY)
                db.session.commit()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=reply, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert len(rows(withheld=None)) == 20
        assert len(rows(status="dropped")) == 10
