"""A moderator in Chromium, in Arabic: finds a complaint in the moderation queue by its
reference, cuts a name out of its public text with a reason, and a visitor's public page
then reads the redacted text, marked as edited by a moderator."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Ticket
from tests.conftest import DEMO_PASSWORDS
from tests.factories import web_ticket

pytestmark = pytest.mark.browser

NAME = "زبيدة القرغولي"
COMPLAINT = f"ماكو ماي من اسبوع، المقاول {NAME} ساكن بالعشار"
REDACTED = "ماكو ماي من اسبوع، المقاول … ساكن بالعشار"


def test_a_moderator_redacts_a_name_from_the_queue(app, live_server, page_for):
    reference = web_ticket(app, 30.5085, 47.7804, text=COMPLAINT)
    page = page_for("ar")
    page.goto(live_server + "/login")
    page.fill("#username", "admin")
    page.fill("#password", DEMO_PASSWORDS["admin"])
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"

    page.locator("header nav a[href='/moderation/']").click()
    page.fill("#ref", reference.lower())
    page.locator("form[role=search] button").click()
    row = page.locator(f"#text-{reference}")
    expect(row.locator(".public-text")).to_have_text(COMPLAINT)
    row.locator("summary").click()
    key = reference.lower()
    page.fill(f"#text-{key}", COMPLAINT.replace(NAME, "…"))
    page.fill(f"#reason-{key}", "اسم شخص")
    row.locator("form.redact button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#public-text")).to_have_text(REDACTED)
    expect(page.locator("#moderation-history")).to_contain_text("اسم شخص")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        assert (ticket.public_text, ticket.original_text) == (REDACTED, COMPLAINT)

    visitor = page_for("ar")
    visitor.goto(f"{live_server}/t/{reference}")
    expect(visitor.locator("#public-text")).to_have_text(REDACTED)
    expect(visitor.locator("#moderated-note")).to_contain_text("حرره مشرف")
    expect(visitor.locator(".history")).to_contain_text("النص حرره مشرف")
    assert NAME not in visitor.content()
