"""A citizen reports a problem in Chromium, in Arabic and in English, by clicking the map."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Ticket

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "send", "description"),
    [
        ("ar", "أرسل الشكوى", "الماي مقطوع من يومين والناس تعبانة"),
        ("en", "Send report", "No water for two days in our street"),
    ],
)
def test_citizen_reports_with_a_map_pin(app, live_server, page_for, language, send, description):
    page = page_for(language)
    page.goto(live_server + "/report")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    page.select_option("#category", "water-supply")
    page.fill("#description", description)
    page.wait_for_selector(".place-label")  # the offline basemap has loaded
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.input_value("#lat") != "" and page.input_value("#lon") != ""
    page.fill("#phone", "0780 123 4567")
    page.get_by_role("button", name=send).click()
    page.wait_for_url(re.compile(r"/report/received/"))
    reference = page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}", reference)
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        assert ticket.location_method == "map_pin"
        assert 29.0 < ticket.lat < 31.5 and 46.5 < ticket.lon < 48.7
        assert ticket.area is not None
        assert ticket.directorate.code == "water"
    page.click("a.button")
    assert page.locator("h1").inner_text().endswith(reference)
    assert "0780" not in page.content()
    assert page.script_errors == []


def test_form_errors_appear_next_to_fields_in_arabic(live_server, page_for):
    page = page_for("ar")
    page.goto(live_server + "/report")
    page.get_by_role("button", name="أرسل الشكوى").click()
    expect(page.locator("#description-error")).to_have_text("رجاءً اكتب وصف المشكلة.")
    expect(page.locator("#category-error")).to_be_visible()
    assert page.script_errors == []


def test_simulator_conversation_in_arabic(app, live_server, page_for):
    page = page_for("ar")
    page.goto(live_server + "/dev/sms?phone=%2B9647501234567")
    page.get_by_role("button", name="ماكو ماي بحي الحسين من ثلاث ايام").click()
    page.get_by_role("button", name="إرسال", exact=True).click()
    expect(page.locator(".from-platform")).to_have_count(1)
    reply = page.locator(".from-platform").last.inner_text()
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
    assert reference in reply and "مديرية" in reply
    assert page.script_errors == []
