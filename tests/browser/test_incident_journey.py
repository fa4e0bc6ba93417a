"""An officer declares an outage in Chromium, citizens' reports join it, and the officer
acknowledges them at once with a template and ends it once (no CSP violation on the way)."""

import re
from collections import Counter

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.services.outbox import send_due
from feedback.sms.backends import gateways_for, send_policy
from tests.conftest import DEMO_PASSWORDS
from tests.factories import reply_of

pytestmark = pytest.mark.browser


def declared_outage_in_jumhuriya(page_for, live_server):
    """The electricity officer, signed in, on the page of the outage they just declared."""
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
    return officer


def test_officer_declares_an_outage_and_ends_it_once(app, live_server, page_for, twilio):
    officer = declared_outage_in_jumhuriya(page_for, live_server)
    expect(officer.locator("h1 .status")).to_have_text("Still open")

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


FEEDER_FAULT = "عطل بالمغذي · Feeder fault"
CITIZENS = {
    "+9647501240001": "ماكو كهرباء بالجمهورية من ساعة",
    "+9647501240002": "الوطنية طافية بحي الجمهورية",
    "+9647501240003": "no power in al jumhuriya since an hour",
}


def test_declare_an_outage_bulk_acknowledge_three_with_a_template_resolve_once_and_phones_see_it(
    app, live_server, page_for, twilio
):
    """Issue 14's journey: an outage declared; three citizens text about it and join it; the
    officer acknowledges the three at once with a template, then resolves the incident once;
    each citizen's phone (the simulator) shows the answers in their own language."""
    officer = declared_outage_in_jumhuriya(page_for, live_server)
    incident_url = officer.url

    for number, text in CITIZENS.items():
        reply = reply_of(twilio.send(text, sender=number))
        assert "صيانة مغذي الجمهورية" in reply or "Feeder maintenance" in reply, reply
    with app.app_context():
        references = db.session.scalars(sa.select(Ticket.reference).order_by(Ticket.id)).all()
        assert len(set(db.session.scalars(sa.select(Ticket.incident_id)))) == 1
        db.session.execute(sa.delete(Outbox))  # the replies went back in the webhook's answer
        db.session.commit()

    officer.goto(live_server + "/officer/")
    incident_row = officer.locator("tr.incident-row")
    expect(incident_row.locator(".report-count")).to_contain_text("3")
    incident_row.locator("summary").click()
    for reference in references:
        officer.check(f'input[name="ticket"][value="{reference}"]')
    officer.select_option("#action", "acknowledge")
    officer.select_option("#template", label=FEEDER_FAULT)
    officer.get_by_role("button", name=re.compile("^Review")).click()
    expect(officer.locator("table.bulk-plan tbody tr")).to_have_count(3)
    officer.get_by_role("button", name=re.compile("^Confirm")).click()
    officer.wait_for_url(re.compile(r"/officer/$"))
    with app.app_context():
        assert set(db.session.scalars(sa.select(Ticket.status))) == {"acknowledged"}

    officer.goto(incident_url)
    officer.select_option("#template", label="رجعت الكهرباء · Power restored")  # fills both
    expect(officer.locator("#message_ar")).to_have_value("تم اصلاح العطل ورجعت الكهرباء للمنطقة.")
    officer.fill("#message_en", "Power is back in Al-Jumhuriya")  # and stays editable
    officer.get_by_role("button", name="Resolve", exact=True).click()
    expect(officer.locator("h1 .status")).to_have_text("Resolved")
    assert officer.script_errors == []

    with app.app_context():
        assert set(db.session.scalars(sa.select(Ticket.status))) == {"resolved"}
        by_phone = Counter(db.session.scalars(sa.select(Outbox.to_number)))
        assert by_phone == {number: 2 for number in CITIZENS}  # acknowledged, then resolved
        result = send_due("browser-test", gateways_for(app.config), send_policy(app.config))
        assert result.sent == 6
    phone = page_for("ar")
    for number, text in CITIZENS.items():
        phone.goto(live_server + "/dev/sms?phone=" + number.replace("+", "%2B"))
        bubbles = " ".join(phone.locator(".from-platform").all_inner_texts())
        english = text.startswith("no power")
        assert ("A fault on the feeder" if english else "عطل بالمغذي") in bubbles, bubbles
        assert ("Power is back in" if english else "ورجعت الكهرباء للمنطقة") in bubbles, bubbles
