"""A CSO monitor in Chromium: filters the map to water tickets (past their deadline, then
resolved ones), opens one from its popup and disputes the fix; and the map at 100,000
tickets loads and shows clusters."""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from feedback.extensions import db
from feedback.models import Category, Directorate, Ticket, utcnow
from feedback.services import casework
from feedback.services.intake import WebReport, submit_web_report
from tests.browser.test_map_journey import MAP, cluster_total, wait_for_load
from tests.conftest import DEMO_PASSWORDS
from tests.factories import demo_user, web_ticket

pytestmark = pytest.mark.browser


def log_in(page, live_server, username):
    page.goto(live_server + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORDS[username])
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


def test_monitor_filters_the_map_opens_a_resolved_water_ticket_and_disputes_it(
    app, live_server, page_for
):
    late = web_ticket(app, 30.5085, 47.7804, text="ماكو ماي من اسبوع")
    fixed = web_ticket(app, 30.5165, 47.8395, text="ماكو ماي بالعشار")
    power = None
    with app.app_context():
        db.session.scalar(sa.select(Ticket).where(Ticket.reference == late)).due_at = (
            utcnow() - timedelta(days=2)
        )
        db.session.commit()
        officer = demo_user("officer.water")
        casework.act(officer, fixed, "acknowledge")
        casework.act(officer, fixed, "resolve", "تم تبديل الانبوب")
        power = submit_web_report(
            WebReport("electricity-outage", "ماكو كهرباء", "ar", lat=30.51, lon=47.78)
        ).reference
    assert power

    page = page_for("en")
    log_in(page, live_server, "monitor")
    page.goto(live_server + "/map")
    loaded = wait_for_load(page, 0)
    assert cluster_total(page) == 3
    page.select_option("#filter-category", "water-supply")
    loaded = wait_for_load(page, loaded)
    assert cluster_total(page) == 2
    page.check("#filter-overdue")
    loaded = wait_for_load(page, loaded)
    assert cluster_total(page) == 1  # the one past its deadline
    page.uncheck("#filter-overdue")
    loaded = wait_for_load(page, loaded)
    assert cluster_total(page) == 2  # all water tickets
    page.select_option("#filter-status", "resolved")
    loaded = wait_for_load(page, loaded)
    assert cluster_total(page) == 1
    page.evaluate(f"{MAP}.setView([30.5165, 47.8395], 16)")
    wait_for_load(page, loaded)
    page.locator('path.leaflet-interactive[stroke="#fff"]').first.click()
    expect(page.locator(".map-popup .map-popup-ref")).to_have_text(fixed)
    page.locator(".map-popup a").first.click()
    page.wait_for_url(f"**/t/{fixed}")
    page.locator("#check-fix").click()
    page.select_option("#verdict", "disputed")
    page.fill("#note", "Went there today: the street still has no water.")
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("h1 .status")).to_have_text("Reopened")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == fixed))
        assert (ticket.status, ticket.directorate.code) == ("reopened", "water")
    assert page.script_errors == []


def test_the_map_at_100000_tickets_loads_and_shows_clusters(app, live_server, page_for):
    rng = random.Random(5)
    with app.app_context():
        water = db.session.scalar(sa.select(Directorate.id).where(Directorate.code == "water"))
        category = db.session.scalar(sa.select(Category.id).where(Category.code == "water-supply"))
        now = utcnow()
        rows = [
            {
                "reference": f"M{n:07d}",
                "channel": "sms",
                "original_text": "x",
                "public_text": "ماكو ماي",
                "language": "ar",
                "category_id": category,
                "directorate_id": water,
                "status": "new",
                "location_method": "gps",
                "lat": 30.3 + rng.random() * 0.4,
                "lon": 47.6 + rng.random() * 0.4,
                "created_at": now - timedelta(days=rng.random() * 80),
                "updated_at": now,
            }  # fmt: skip
            for n in range(100_000)
        ]
        for start in range(0, len(rows), 10_000):
            db.session.execute(sa.insert(Ticket), rows[start : start + 10_000])
        db.session.commit()
    page = page_for("ar")
    page.goto(live_server + "/map")
    wait_for_load(page, 0)
    expect(page.locator(".map-cluster")).not_to_have_count(0)
    in_view = cluster_total(page)
    assert 50_000 < in_view <= 100_000
    assert len(page.content()) < 200_000  # the page carries clusters, not 100,000 markers
    assert page.script_errors == []
