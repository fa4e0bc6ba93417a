"""A monitor keeps the scorecards to one channel and splits them by channel with the page's
own form, in Arabic and in English, under the content security policy (charts drawn)."""

from playwright.sync_api import expect

from feedback.domain.channels import Channel
from feedback.extensions import db
from feedback.services.intake import StaffReport, WebReport, record_staff_report, submit_web_report
from tests.factories import demo_user


def test_a_monitor_keeps_one_channel_and_splits_by_channel(app, live_server, page_for):
    with app.app_context():
        for _ in range(2):
            submit_web_report(WebReport("water-supply", "ماكو ماي بالعشار", "ar"))
        officer = demo_user("officer.water")
        record_staff_report(StaffReport("ماكو ماي بالعشار", Channel.WALK_IN, officer))
        db.session.commit()

    page = page_for("en")
    page.goto(live_server + "/stats")
    page.select_option("select[name=channel]", "walk_in")
    page.get_by_label("Split by channel").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    assert "channel=walk_in" in page.url and "by=channel" in page.url
    expect(page.locator("select[name=channel]")).to_have_value("walk_in")
    expect(page.locator(".channel-filter")).to_contain_text("in person, recorded by staff")
    split = page.locator("tr.channel-split")
    expect(split).to_have_count(2)  # under the directorate and under the total
    expect(split.first).to_contain_text("in person, recorded by staff")
    expect(split.first.locator("td.num").first).to_have_text("1")
    drawn = page.evaluate("() => window.Chart && Object.keys(Chart.instances).length")
    assert drawn >= 2

    page = page_for("ar")
    page.goto(live_server + "/stats?by=channel")
    expect(page.locator("tr.channel-split")).to_have_count(4)  # web and walk-in, twice
    expect(page.locator("tr.channel-split").first).to_contain_text("استمارة الموقع")
    page.select_option("select[name=channel]", "web")
    page.get_by_role("button", name="عرض").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("tr.channel-split")).to_have_count(2)
    expect(page.locator("tr.channel-split").first.locator("td.num").first).to_have_text("2")
    assert page.script_errors == []
