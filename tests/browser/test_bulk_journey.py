"""An officer in Chromium bulk-acknowledges three reports of one water cut with a response
template, after one confirmation; each citizen's phone (the simulator) gets the template's text
in the language they wrote in. And on a ticket page, picking a template fills the message."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.models.responses import ResponseTemplate
from feedback.services.outbox import send_due
from feedback.sms.backends import gateways_for, send_policy
from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser
TEMPLATE = "فريق الصيانة بالطريق · Team on the way"
PHONES = {
    "+9647501230001": "ماكو ماي بحي الحسين من الصبح",
    "+9647501230002": "الماي مقطوع بحي الحسين",
    "+9647501230003": "no water in Hay Al-Hussein since morning",
}


def logged_in_officer(page_for, live_server):
    officer = page_for("ar")
    officer.goto(live_server + "/login")
    officer.fill("#username", "officer.water")
    officer.fill("#password", DEMO_PASSWORDS["officer.water"])
    officer.get_by_role("button", name="دخول").click()
    officer.wait_for_url(re.compile(r"/officer/$"))
    return officer


def test_bulk_acknowledge_three_with_a_template_and_the_citizens_are_texted(
    app, live_server, page_for, twilio
):
    for phone, text in PHONES.items():
        assert twilio.send(text, sender=phone).status_code == 200
    with app.app_context():
        references = db.session.scalars(sa.select(Ticket.reference).order_by(Ticket.id)).all()
        incidents = set(db.session.scalars(sa.select(Ticket.incident_id)))
        assert len(incidents) == 1 and None not in incidents  # one water cut
        template = db.session.scalar(
            sa.select(ResponseTemplate).where(ResponseTemplate.title == TEMPLATE)
        )
        body_ar, body_en = template.body_ar, template.body_en

    officer = logged_in_officer(page_for, live_server)
    incident = officer.locator("tr.incident-row")
    expect(incident.locator(".report-count")).to_contain_text("3")
    incident.locator("summary").click()  # the folded tickets
    for reference in references:
        officer.check(f'input[name="ticket"][value="{reference}"]')
    officer.select_option("#action", "acknowledge")
    officer.select_option("#template", label=TEMPLATE)
    officer.get_by_role("button", name="مراجعة التغيير").click()

    expect(officer.locator("table.bulk-plan tbody tr")).to_have_count(3)
    expect(officer.locator("table.bulk-plan")).to_contain_text(body_ar)
    expect(officer.locator("table.bulk-plan")).to_contain_text(body_en)
    officer.get_by_role("button", name=re.compile("^تأكيد")).click()
    officer.wait_for_url(re.compile(r"/officer/$"))
    expect(officer.locator(".flash-success")).to_be_visible()
    assert officer.script_errors == []

    with app.app_context():
        statuses = set(db.session.scalars(sa.select(Ticket.status)))
        assert statuses == {"acknowledged"}
        result = send_due("browser-test", gateways_for(app.config), send_policy(app.config))
        assert result.sent == 3
        assert {r.status for r in db.session.scalars(sa.select(Outbox))} == {"sent"}

    phone = page_for("ar")
    for number, text in PHONES.items():
        phone.goto(live_server + "/dev/sms?phone=" + number.replace("+", "%2B"))
        bubbles = phone.locator(".from-platform").all_inner_texts()
        body = body_en if text.startswith("no water") else body_ar
        assert any(body in bubble for bubble in bubbles), (number, bubbles)


def test_picking_a_template_fills_the_public_message_which_stays_editable(
    app, live_server, page_for, twilio
):
    assert twilio.send("ماكو ماي بحي الحسين", sender="+9647501230009").status_code == 200
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
        body_ar = db.session.scalar(
            sa.select(ResponseTemplate.body_ar).where(ResponseTemplate.title == TEMPLATE)
        )
    officer = logged_in_officer(page_for, live_server)
    officer.goto(f"{live_server}/officer/t/{reference}")
    expect(officer.locator("[data-template-button]")).to_be_hidden()  # the script does it
    officer.select_option("#template", label=TEMPLATE)
    expect(officer.locator("#public_message")).to_have_value(body_ar)
    officer.fill("#public_message", body_ar + " اليوم العصر")
    officer.get_by_role("button", name="تأكيد الاستلام").click()
    expect(officer.locator("h1 .status")).to_have_text("تم الاستلام")
    expect(officer.locator(".history")).to_contain_text(body_ar + " اليوم العصر")
    assert officer.script_errors == []
