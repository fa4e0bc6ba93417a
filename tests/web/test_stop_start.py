"""STOP / توقف and START / ابدأ (DESIGN.md, second round): a number that sent STOP gets no
notices until it sends START; the STOP itself is confirmed once; /t/<ref> says notices are off
for that ticket's citizen, without the number."""

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.services import casework
from tests.conftest import count_rows
from tests.factories import answer_of, demo_user
from tests.web.test_kannel_channel import KANNEL, inbound
from tests.web.test_report_form import report

CITIZEN = "+9647801234567"


def officer_acts(app, action: str) -> Outbox:
    """The water officer acts on the only ticket; the notice it queued."""
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
        casework.act(demo_user("officer.water"), reference, action, "صلحنا الخط")
        notice = db.session.scalar(sa.select(Outbox).order_by(Outbox.id.desc()).limit(1))
        db.session.expunge(notice)
        return notice


def public_page(app, lang: str = "en") -> str:
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
    client = app.test_client()
    return client.get(f"/t/{reference}", headers={"Accept-Language": lang}).get_data(as_text=True)


def test_stop_silences_notices_until_start(app, twilio):
    assert "سجلنا" in answer_of(twilio.send("ماكو ماي بحي الحسين", sender=CITIZEN))
    stopped = answer_of(twilio.send("توقف", sender=CITIZEN))
    assert "لن نرسل" in stopped and "ابدأ" in stopped
    notice = officer_acts(app, "acknowledge")
    assert (notice.status, notice.withheld) == ("dropped", "notices_off")
    page = public_page(app)
    assert "turned SMS notices off" in page and "7801234567" not in page
    started = answer_of(twilio.send("ابدأ", sender=CITIZEN))
    assert "مرة ثانية" in started
    notice = officer_acts(app, "start")
    assert (notice.status, notice.withheld) == ("pending", None)
    assert "turned SMS notices off" not in public_page(app)


@pytest.mark.parametrize("word", ["STOP", "stop", " Stop. ", "توقف", "توقف!"])
def test_stop_in_either_language_any_case(app, twilio, word):
    answer = answer_of(twilio.send(word, sender=CITIZEN))
    assert ("no more" if word.isascii() else "لن نرسل") in answer
    assert count_rows(app, Ticket) == 0


@pytest.mark.parametrize("word", ["START", "start", "ابدأ", "ابدا", "إبدأ"])
def test_start_in_either_language_any_case(app, twilio, word):
    twilio.send("STOP", sender=CITIZEN)
    answer = answer_of(twilio.send(word, sender=CITIZEN))
    assert ("again" if word.isascii() else "مرة ثانية") in answer
    assert count_rows(app, Ticket) == 0


def test_a_complaint_that_begins_with_the_word_stop_is_a_complaint(app, twilio):
    answer = answer_of(twilio.send("توقف الماي بحي الحسين من الصبح", sender=CITIZEN))
    assert "سجلنا" in answer
    assert count_rows(app, Ticket) == 1
    assert officer_acts(app, "acknowledge").withheld is None  # notices still on


def test_after_stop_the_numbers_own_messages_are_still_answered(app_with):
    app = app_with(**KANNEL)
    client = app.test_client()
    inbound(client, b"STOP", message_id="8001")
    inbound(client, "ماكو ماي بحي الحسين".encode(), message_id="8002")
    with app.app_context():
        rows = db.session.scalars(sa.select(Outbox).order_by(Outbox.id)).all()
        assert [(row.status, row.withheld) for row in rows] == [("pending", None)] * 2
        assert "no more" in rows[0].body  # STOP in English, answered in English


def test_stop_is_honoured_past_the_flood_limit(app, twilio):
    for n in range(12):
        twilio.send(f"ماكو ماي بحي الحسين {n}", sender=CITIZEN)
    twilio.send("STOP", sender=CITIZEN)
    assert officer_acts(app, "acknowledge").withheld == "notices_off"


def test_stop_on_whatsapp_stops_notices_to_the_number(app, twilio):
    twilio.send("ماكو ماي بحي الحسين", sender=CITIZEN)
    twilio.send("STOP", sender=f"whatsapp:{CITIZEN}")
    assert officer_acts(app, "acknowledge").withheld == "notices_off"


def test_a_report_giving_a_number_that_sent_stop_texts_it_nothing_and_says_why(app, twilio):
    twilio.send("STOP", sender=CITIZEN)
    client = app.test_client()
    response = report(client, phone="0780 123 4567")
    received = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    page = received.get_data(as_text=True)
    assert "We will not send the reference by SMS." in page and "START" in page
    with app.app_context():
        receipt = db.session.scalar(sa.select(Outbox).where(Outbox.ticket_id.is_not(None)))
        assert (receipt.status, receipt.withheld) == ("dropped", "notices_off")
