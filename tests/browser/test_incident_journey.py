"""An officer declares an outage in Chromium, a citizen's report joins it, and the officer
ends it once from the incident page (no CSP violation on the way)."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from tests.conftest import DEMO_PASSWORDS
from tests.factories import reply_of

pytestmark = pytest.mark.browser


def test_officer_declares_an_outage_and_ends_it_once(app, live_server, page_for, twilio):
    officer = page_for("en")
    officer.goto(live_server + "/login")
    officer.fill("#username", "officer.electricity")
    officer.fill("#password", DEMO_PASSWORDS["officer.electricity"])
    officer.locator("form button[type=submit]").click()
    officer.wait_for_url(re.compile(r"/officer/$"))
    officer.get_by_role("link", name="Incidents").first.click()
    officer.get_by_role("link", name="Declare an outage").click()
    officer.select_option("#category", "electricity-outage")
    officer.select_option("#areas", ["nbh-jumhuriya"])
    officer.fill("#expected_end", "2099-01-01T18:00")
    officer.fill("#message_ar", "صيانة مغذي الجمهورية")
    officer.fill("#message_en", "Feeder maintenance in Al-Jumhuriya")
    officer.get_by_role("button", name="Declare", exact=True).click()
    officer.wait_for_url(re.compile(r"/officer/incidents/\d+$"))
    expect(officer.locator("h1 .status")).to_have_text("Open")

    reply = reply_of(twilio.send("ماكو كهرباء بالجمهورية", sender="+9647801119999"))
    assert reply.startswith("انقطاع معروف") and "صيانة مغذي الجمهورية" in reply
    officer.reload()
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
    expect(officer.get_by_role("link", name=reference)).to_be_visible()
    officer.fill("#message_en", "Power is back")
    officer.get_by_role("button", name="Resolve", exact=True).click()
    expect(officer.locator("h1 .status")).to_have_text("Resolved")
    assert officer.script_errors == []
    with app.app_context():
        assert [row.to_number for row in db.session.scalars(sa.select(Outbox))] == [
            "+9647801119999"
        ]
