"""The public incident page on a phone (issue 14), in Chromium at 360 px: Arabic right to left,
nothing wider than the screen, a member's /t/<ref> leads to it, and "me too" counts the
visitor once; the Content-Security-Policy refuses nothing (the page_for fixture)."""

import pytest
from playwright.sync_api import expect

from tests.web.test_incident_pages import outage

pytestmark = pytest.mark.browser


def test_incident_page_at_phone_width(app, live_server, page_for, twilio):
    incident_id, references = outage(app, twilio)
    page = page_for("ar")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/t/{references[0]}")
    page.locator("#incident-link a").click()
    expect(page).to_have_url(f"{live_server}/incidents/{incident_id}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#report-count")).to_have_text("25")
    expect(page.locator("h1")).to_contain_text("انقطاع الكهرباء")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#me-too").click()
    expect(page.locator("#report-count")).to_have_text("26")
    expect(page.locator(".flash")).to_contain_text("26")
    page.locator("#me-too").click()
    expect(page.locator("#report-count")).to_have_text("26")  # one address, counted once
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert not page.script_errors
