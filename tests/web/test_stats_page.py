"""/stats and /stats.json through the client: public, bilingual, no personal data, local
Chart.js, and the period, grouping and sort arguments."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Area, Category, Directorate, utcnow
from tests.factories import CITIZEN_NAME, CITIZEN_PHONE, ticket_row, timed_ticket

PHONE, NAME = CITIZEN_PHONE, CITIZEN_NAME


@pytest.fixture
def tickets(app):
    """Two water tickets (one answered in time, one open and overdue) and an electricity one."""
    now = utcnow()
    with app.app_context():
        water = db.session.scalar(sa.select(Directorate).where(Directorate.code == "water"))
        electricity = db.session.scalar(
            sa.select(Directorate).where(Directorate.code == "electricity")
        )
        supply = db.session.scalar(sa.select(Category).where(Category.code == "water-supply"))
        siba = db.session.scalar(sa.select(Area).where(Area.code == "sub-siba"))
        rows = [
            ("WAT1", water, now - timedelta(days=10), 3, 20, "resolved"),
            ("WAT2", water, now - timedelta(days=5), None, None, "new"),
            ("ELE1", electricity, now - timedelta(days=200), 1, 2, "resolved"),
        ]
        for ref, directorate, created, ack, resolved, status in rows:
            db.session.add(
                timed_ticket(
                    ref,
                    created,
                    ack,
                    resolved,
                    category=supply,
                    area=siba,
                    directorate=directorate,
                    status=status,
                )
            )
        db.session.commit()


def _get(client, path: str, language: str = "en"):
    return client.get(path, headers={"Accept-Language": language})


def _row(page: str, name: str) -> str:
    match = re.search(
        r"<tr[^>]*>\s*<td[^>]*>\d+</td>\s*<th[^>]*>" + re.escape(name) + r"</th>(.*?)</tr>",
        page,
        re.S,
    )
    assert match, f"no row for {name}"
    return match.group(1)


def test_the_page_is_public_and_in_english(client, tickets):
    response = _get(client, "/stats")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'lang="en"' in page and 'dir="ltr"' in page
    assert "Scorecards" in page
    water = _row(page, "Basra Water Directorate")
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", water)
    # received 2; acknowledged within 24 h 1 of 2; to acknowledge 3 h; to resolve 20 h;
    # within deadline 1 of 1; reopened 0 of 1; disputed 0 of 1; no citizen asked whether it
    # is fixed (confirmed, not fixed: "—"); overdue now 1 (WAT2); 0 escalations
    expected = ["2", "0", "50%", "3", "3", "20", "20", "100%", "0%", "0%", "—", "—", "1", "0"]
    assert cells == expected  # 0 incidents
    assert "Basra Water Directorate" in page


def test_the_page_in_arabic_is_right_to_left(client, tickets):
    page = _get(client, "/stats", "ar").get_data(as_text=True)
    assert 'lang="ar"' in page and 'dir="rtl"' in page
    assert "مديرية ماء البصرة" in page
    # The column of complaints received is a count, not the ticket page's date of receipt.
    assert "المستلمة" in page and "تاريخ الاستلام" not in page
    data = re.search(r'id="stats-chart-data">(.*?)</script>', page, re.S).group(1)
    assert '"rtl": true' in data


def test_no_personal_data_anywhere(client, tickets):
    for path in ("/stats", "/stats?group=category", "/stats?group=district", "/stats.json"):
        for language in ("en", "ar"):
            body = _get(client, path, language).get_data(as_text=True)
            assert PHONE not in body and "7801234567" not in body, path
            assert NAME not in body, path
            assert "WAT1" not in body  # no references either: only aggregates


def test_chart_js_is_served_from_static_never_a_cdn(client, tickets):
    page = _get(client, "/stats").get_data(as_text=True)
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert "/static/vendor/chartjs/chart.umd.min.js" in sources
    assert "/static/js/stats.js" in sources
    assert all(src.startswith("/static/") for src in sources)
    assert "cdn" not in page.lower()
    script = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert script.status_code == 200 and b"Chart.js v4" in script.data
    script.close()


def test_the_period_decides_which_tickets_count(client, tickets):
    today = utcnow().date()
    default = _get(client, "/stats.json").get_json()
    assert default["period"]["to"] == today.isoformat()
    assert default["period"]["from"] == (today - timedelta(days=89)).isoformat()
    received = {group["key"]: group["received"] for group in default["groups"]}
    assert received == {"water": 2}  # ELE1 is 200 days old
    year = _get(
        client, f"/stats.json?from={(today - timedelta(days=365)).isoformat()}&to={today}"
    ).get_json()
    assert {group["key"]: group["received"] for group in year["groups"]} == {
        "water": 2,
        "electricity": 1,
    }


def test_grouping_by_category_and_by_district(client, tickets):
    by_category = _get(client, "/stats.json?group=category").get_json()
    assert [group["key"] for group in by_category["groups"]] == ["water-supply"]
    by_district = _get(client, "/stats?group=district").get_data(as_text=True)
    assert "Abu Al-Khaseeb District" in by_district
    assert '<option value="district" selected>' in by_district


def test_sorting_by_a_measure(client, tickets):
    today = utcnow().date()
    period = f"from={(today - timedelta(days=365)).isoformat()}&to={today}"
    by_overdue = _get(client, f"/stats.json?{period}&sort=overdue&order=desc").get_json()
    assert [group["key"] for group in by_overdue["groups"]] == ["water", "electricity"]
    by_median = _get(client, f"/stats.json?{period}&sort=resolve_median").get_json()
    assert by_median["order"] == "asc"  # the fastest first by default
    assert [group["key"] for group in by_median["groups"]] == ["electricity", "water"]
    page = _get(client, f"/stats?{period}&sort=resolve_median").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page


def test_a_bad_date_falls_back_to_the_default_period_with_a_message(client, tickets):
    response = _get(client, "/stats?from=31/12/2025&to=2026-13-01")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "“31/12/2025” is not a date (use YYYY-MM-DD)" in page
    assert "“2026-13-01” is not a date" in page
    today = utcnow().date()
    assert f'name="to" value="{today.isoformat()}"' in page


def test_a_period_ending_before_it_starts_is_explained(client, tickets):
    page = _get(client, "/stats?from=2026-02-01&to=2026-01-01").get_data(as_text=True)
    assert "The period must end after it starts" in page


def test_json_refuses_bad_arguments_with_400(client, tickets):
    response = _get(client, "/stats.json?from=yesterday")
    assert response.status_code == 400
    assert "is not a date" in response.get_json()["error"]


def test_unknown_grouping_and_sort_fall_back_to_defaults(client, tickets):
    data = _get(client, "/stats.json?group=phone&sort=citizen_phone").get_json()
    assert data["grouping"] == "directorate"
    assert data["sort"] == "within_sla" and data["order"] == "desc"


def test_an_empty_database_shows_dashes_not_errors(client):
    page = _get(client, "/stats").get_data(as_text=True)
    assert "No complaints in this period." in page
    assert "stats-chart-data" not in page


def test_figures_from_the_rollups_say_when_they_were_refreshed(app, client, tickets):
    from feedback.services.rollups import refresh_rollups

    page = _get(client, "/stats").get_data(as_text=True)
    assert "Overdue counts are as of now" in page  # never refreshed: computed from the tickets
    with app.app_context():
        done = refresh_rollups()
    for language in ("en", "ar"):
        page = _get(client, "/stats", language).get_data(as_text=True)
        assert "as-of" in page and "Overdue counts are as of now" not in page
    page = _get(client, "/stats").get_data(as_text=True)
    hour = done.refreshed_at.astimezone(ZoneInfo("Asia/Baghdad")).strftime("%H:%M")
    assert f"Figures as of {hour} (Basra time)" in page
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", _row(page, "Basra Water Directorate"))
    assert cells == [
        "2",
        "0",
        "50%",
        "3",
        "3",
        "20",
        "20",
        "100%",
        "0%",
        "0%",
        "—",
        "—",
        "1",
        "0",
    ]  # 0 incidents, 0 escalations: as before
    data = _get(client, "/stats.json").get_json()
    assert data["generated_at"] == done.refreshed_at.isoformat()
    # A ticket received since shows at the next refresh.
    with app.app_context():
        water = db.session.scalar(sa.select(Directorate).where(Directorate.code == "water"))
        db.session.add(ticket_row("WAT3", directorate=water, created_at=utcnow()))
        db.session.commit()
    assert _received(client) == {"water": 2}
    with app.app_context():
        refresh_rollups()
    assert _received(client) == {"water": 3}


def _received(client) -> dict:
    data = _get(client, "/stats.json").get_json()
    return {group["key"]: group["received"] for group in data["groups"]}


@pytest.mark.parametrize("argument", ["_method=POST", "_external=1", "_anchor=top"])
def test_arguments_named_like_url_fors_own_are_not_passed_to_it(client, tickets, argument):
    """A query argument named like one of url_for's own (_method, _external, _scheme, _anchor)
    is not handed to it: no error, and the sort and JSON links stay on this page's path."""
    response = _get(client, f"/stats?{argument}")
    assert response.status_code == 200
    links = re.findall(r'href="([^"]*/stats[^"]*)"', response.get_data(as_text=True))
    assert links
    assert all(link.startswith("/stats") and "#" not in link for link in links)
