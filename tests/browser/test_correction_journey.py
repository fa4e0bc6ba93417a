"""An officer corrects two wrongly filed complaints in Chromium, and an admin accepts the
keyword their texts share from the category page: every step within the
Content-Security-Policy."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Category
from tests.browser.test_monitor_journey import log_in
from tests.factories import sms_ticket

pytestmark = pytest.mark.browser
TEXTS = ("المجزرة تذب الدم بالبوري يم بيوتنا بالعشار", "دم المجزرة يطلع من البوري بالعشار")


@pytest.mark.usefixtures("restore_reference_data")
def test_officer_corrects_the_category_and_admin_accepts_the_suggested_keyword(
    app, live_server, page_for, twilio
):
    references = [
        sms_ticket(twilio, text, sender=f"+96478011111{n}") for n, text in enumerate(TEXTS)
    ]

    officer = page_for("ar")
    log_in(officer, live_server, "officer.water")
    for reference in references:
        officer.goto(f"{live_server}/officer/t/{reference}")
        officer.select_option("#new-category", "illegal-dumping")
        officer.fill("#category-reason", "الدم من المجزرة مو من بوري الماي")
        officer.get_by_role("button", name="تغيير نوع المشكلة").click()
        officer.wait_for_url(re.compile(r"/officer/$"))  # it went to the municipality
        expect(officer.locator(".flash-success")).to_be_visible()
    assert officer.script_errors == []

    admin = page_for("en")
    log_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/admin/categories/illegal-dumping/edit")
    suggestions = admin.locator("#suggested-keywords")
    expect(suggestions).to_contain_text("مجزرة")
    suggestions.get_by_role("button", name="Accept").click()
    expect(admin.locator(".flash-success")).to_contain_text("مجزرة")
    expect(admin.locator("#suggested-keywords")).to_contain_text("No suggestions yet.")
    assert admin.script_errors == []
    with app.app_context():
        keywords = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "illegal-dumping")
        )
    assert keywords["ar"][-1] == "مجزرة"
