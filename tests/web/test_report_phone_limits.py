"""/report with a phone number typed in: nobody can use the form to bomb someone else's phone.
Reports giving a number are throttled per address, a number that has never texted us gets a
few SMS a day, and the page after a report says honestly when no SMS will come, and why."""

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from tests.conftest import count_rows
from tests.web.test_report_form import report

STRANGER = "+9647709876543"


def report_from(client, address: str, phone: str = "0770 987 6543", **fields):
    client.environ_base["REMOTE_ADDR"] = address
    return report(client, phone=phone, **fields)


def sms_to(app, number: str = STRANGER) -> list[Outbox]:
    with app.app_context():
        query = sa.select(Outbox).where(Outbox.to_number == number).order_by(Outbox.id)
        return list(db.session.scalars(query))


def test_fifty_reports_with_a_strangers_number_text_it_three_times(app, client):
    for n in range(50):
        assert report_from(client, f"10.0.{n // 200}.{n % 200 + 1}").status_code == 302
    assert count_rows(app, Ticket) == 50  # every report is kept
    rows = sms_to(app)
    assert [row.status for row in rows[:3]] == ["pending"] * 3
    assert {(row.status, row.withheld) for row in rows[3:]} == {("dropped", "unconfirmed_cap")}
    assert len(rows) == 50


def test_reports_giving_a_number_are_throttled_per_address(app, client):
    for _ in range(10):
        assert report_from(client, "10.9.9.9").status_code == 302
    refused = report_from(client, "10.9.9.9", description="الماي مقطوع بالعشار من يومين")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "الماي مقطوع بالعشار من يومين" in page  # the text is kept in the form
    assert 'id="phone-error"' in page
    assert count_rows(app, Ticket) == 10
    assert report_from(client, "10.9.9.9", phone="").status_code == 302  # no number: no limit
    assert report_from(client, "10.9.9.10").status_code == 302  # another address


def test_the_throttle_is_configurable(app_with):
    app = app_with(REPORT_PHONE_LIMIT_PER_ADDRESS="2 per hour")
    client = app.test_client()
    statuses = [report_from(client, "10.8.8.8").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]


def test_with_the_throttles_store_down_the_report_is_still_taken(app, client, monkeypatch):
    from feedback.extensions import limiter

    def store_down(*_args, **_kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(limiter.limiter, "hit", store_down)
    assert report_from(client, "10.7.7.7").status_code == 302
    assert count_rows(app, Ticket) == 1


def test_the_received_page_says_when_no_sms_will_come_and_why(app, client):
    pages = []
    for n in range(4):
        response = report_from(client, f"10.1.1.{n + 1}")
        received = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
        pages.append(received.get_data(as_text=True))
    assert "We are sending the reference by SMS" in pages[0]
    assert "will not send" not in pages[0]
    assert "We will not send the reference by SMS" in pages[3]
    assert "has never texted us" in pages[3] and "3 SMS a day" in pages[3]
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    assert f"STATUS {reference}" in pages[3]
    assert STRANGER not in pages[3] and "987 6543" not in pages[3]


def test_a_number_that_has_texted_us_gets_the_usual_allowance(app, client, twilio):
    twilio.send("ماكو ماي بحي الحسين", sender=STRANGER)
    for n in range(5):
        report_from(client, f"10.2.2.{n + 1}")
    assert [row.status for row in sms_to(app)] == ["pending"] * 5


def test_the_few_a_day_are_configurable(app_with):
    app = app_with(SMS_PER_UNCONFIRMED_NUMBER_PER_DAY=1)
    client = app.test_client()
    for n in range(2):
        report_from(client, f"10.3.3.{n + 1}")
    assert [row.status for row in sms_to(app)] == ["pending", "dropped"]
