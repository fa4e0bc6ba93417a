"""An officer works a ticket in Chromium and the citizen's phone (the simulator) receives
the SMS the sms-worker sent."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.services.outbox import send_due
from feedback.sms.backends import gateways_for, send_policy
from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser
CITIZEN = "+9647501234567"


def test_officer_acknowledges_and_resolves_and_the_citizen_is_texted(
    app, live_server, page_for, twilio
):
    assert twilio.send("ماكو ماي بحي الحسين من يومين", sender=CITIZEN).status_code == 200
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))

    officer = page_for("ar")
    officer.goto(live_server + "/login")
    officer.fill("#username", "officer.water")
    officer.fill("#password", DEMO_PASSWORDS["officer.water"])
    officer.get_by_role("button", name="دخول").click()
    officer.wait_for_url(re.compile(r"/officer/$"))
    officer.get_by_role("link", name=reference).click()
    officer.get_by_role("button", name="تأكيد الاستلام").click()
    expect(officer.locator("h1 .status")).to_have_text("تم الاستلام")
    officer.get_by_role("button", name="حل", exact=True).click()
    expect(officer.locator(".flash-error")).to_be_visible()  # a resolution needs a message
    officer.fill("#public_message", "تم تصليح الخط الناقل ورجع الضخ")
    officer.get_by_role("button", name="حل", exact=True).click()
    expect(officer.locator("h1 .status")).to_have_text("تم الحل")
    assert officer.script_errors == []

    with app.app_context():
        result = send_due("browser-test", gateways_for(app.config), send_policy(app.config))
        assert result.sent == 2
        assert {r.status for r in db.session.scalars(sa.select(Outbox))} == {"sent"}

    phone = page_for("ar")
    phone.goto(live_server + "/dev/sms?phone=%2B9647501234567")
    bubbles = phone.locator(".from-platform").all_inner_texts()
    assert any("تم تصليح الخط الناقل ورجع الضخ" in b and reference in b for b in bubbles)
    assert any(f"شكواك {reference} استلمتها" in b for b in bubbles)  # the acknowledgement
    phone.screenshot(path=str(_artifacts() / "simulator-after-resolve.png"), full_page=True)


def _artifacts():
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
