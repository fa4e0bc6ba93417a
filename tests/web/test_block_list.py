"""The block list: an admin blocks a number, with a reason, and who did it is kept. Its messages
are stored and marked, make no ticket and get no reply; nothing is sent to it; unblocking
brings it back, and the history stays."""

import xml.etree.ElementTree as ET

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket
from feedback.services import casework
from tests.conftest import count_rows
from tests.factories import demo_user
from tests.web.test_admin import admin, post  # noqa: F401 - the logged-in admin fixture
from tests.web.test_kannel_channel import KANNEL, inbound
from tests.web.test_report_form import report

ABUSER = "+9647801234567"


def block(client, number: str = "0780 123 4567", reason: str = "200 insults in a minute"):
    return post(client, "/admin/numbers", number=number, reason=reason)


def test_an_admin_blocks_a_number_with_a_reason_and_its_messages_make_nothing(
    app,
    admin,  # noqa: F811
    twilio,
):
    response = block(admin)
    assert response.status_code == 303
    page = admin.get("/admin/numbers", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ABUSER in page and "200 insults in a minute" in page and "Demo Administrator" in page
    for sender in (ABUSER, f"whatsapp:{ABUSER}"):
        answer = twilio.send("ماكو ماي بحي الحسين", sender=sender)
        assert answer.status_code == 200
        assert ET.fromstring(answer.data).find("Message") is None
    assert count_rows(app, Ticket) == 0
    with app.app_context():
        stored = db.session.scalars(sa.select(Message)).all()
        assert [m.handling for m in stored] == ["blocked", "blocked"]
        assert {m.body for m in stored} == {"ماكو ماي بحي الحسين"}  # kept, nothing lost
    assert "سجلنا" in twilio.send("ماكو ماي بحي الحسين", sender="+9647709999999").data.decode()


def test_a_blocked_number_gets_no_reply_by_the_outbox_and_no_notice(app, app_with, admin):  # noqa: F811
    kannel = app_with(**KANNEL)
    client = kannel.test_client()
    assert inbound(client, "ماكو ماي بحي الحسين".encode(), message_id="7001").status_code == 200
    block(admin)
    assert inbound(client, "ماكو ماي بحي الحسين".encode(), message_id="7002").status_code == 200
    with kannel.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
        casework.act(demo_user("officer.water"), reference, "acknowledge")
        rows = db.session.scalars(sa.select(Outbox).order_by(Outbox.id)).all()
        assert [(row.status, row.withheld) for row in rows] == [
            ("pending", None),  # the reply to the message before the block
            ("dropped", "blocked"),  # the officer's notice after it
        ]
    assert count_rows(kannel, Ticket) == 1


def test_a_report_giving_a_blocked_number_says_no_sms_will_come(app, admin):  # noqa: F811
    block(admin)
    response = report(app.test_client(), phone="0780 123 4567")
    received = admin.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "We do not send SMS to that number." in received.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Outbox.withheld)) == "blocked"


def test_unblocking_brings_the_number_back_and_the_history_stays(app, admin, twilio):  # noqa: F811
    block(admin)
    with app.app_context():
        (block_id,) = db.session.scalars(sa.text("SELECT id FROM number_block")).all()
    assert post(admin, f"/admin/numbers/{block_id}/unblock").status_code == 303
    assert "سجلنا" in twilio.send("ماكو ماي بحي الحسين", sender=ABUSER).data.decode()
    page = admin.get("/admin/numbers", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "200 insults in a minute" in page and "Unblocked" in page
    assert block(admin, reason="again").status_code == 303  # blocked anew, a second record


def test_a_block_needs_a_valid_number_and_a_reason_and_is_not_made_twice(app, admin):  # noqa: F811
    refused = block(admin, number="12ab", reason="")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="number-error"' in page and 'id="reason-error"' in page
    assert block(admin).status_code == 303
    twice = block(admin, number="+964 780 123 4567")
    assert twice.status_code == 400 and "محظور من قبل" in twice.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM number_block")) == 1


def test_blocking_without_the_csrf_token_is_refused(app, admin):  # noqa: F811
    response = admin.post("/admin/numbers", data={"number": ABUSER, "reason": "spam"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM number_block")) == 0
