"""The monthly report in Chromium: from /reports to a directorate's page, Arabic right to left,
the charts drawn without script or inline style (the page_for fixture fails on anything the
Content-Security-Policy refuses), and printed on A4 without the site's header."""

import pytest
from playwright.sync_api import expect

from tests.web.test_monthly_report import report_month

pytestmark = pytest.mark.browser


def test_from_the_summary_to_a_directorates_printed_page(app, live_server, page_for):
    month = report_month(app)
    page = page_for("ar")
    page.goto(f"{live_server}/reports/{month}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("link", name="مديرية ماء البصرة").click()
    expect(page).to_have_url(f"{live_server}/reports/water/{month}")
    expect(page.locator("h1")).to_have_text("مديرية ماء البصرة")
    charts = page.locator(".report-chart svg")
    expect(charts).to_have_count(2)
    assert charts.first.bounding_box()["height"] > 40
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    assert not page.script_errors
