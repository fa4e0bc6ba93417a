"""Public pages a reverse proxy may keep (feedback.web.caching): an anonymous visitor gets
`public` with an ETag and a conditional GET answers 304; the ETag changes with the figures and
the language; a signed-in member of staff gets `private, no-store`, never a shared copy."""

import pytest
import sqlalchemy as sa

from feedback.domain.period import add_months
from feedback.extensions import db
from feedback.models import utcnow
from feedback.services.rollups import refresh_rollups
from tests.factories import ticket_row

LAST_MONTH = f"{add_months(utcnow().date().replace(day=1), -1):%Y-%m}"
PUBLIC = [
    "/stats",
    "/stats?group=district",
    "/stats.json",
    f"/reports/{LAST_MONTH}",
    f"/reports/water/{LAST_MONTH}",
    "/map/points.geojson?bbox=46.5,29.0,48.7,31.4&zoom=8",
    "/map/points.geojson?bbox=47.7,30.4,47.9,30.6&zoom=16",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/open311/v2/services.json",
    "/open311/v2/discovery.json",
]


def _ticket(app, reference: str, lat: float = 30.5085, lon: float = 47.7804) -> None:
    with app.app_context():
        db.session.add(ticket_row(reference, channel="web", lat=lat, lon=lon))
        db.session.commit()


@pytest.fixture
def reports_made_at_one_time(monkeypatch):
    """A monthly report says when it was made, to the minute: two loads a moment apart on
    either side of a minute are two bodies. Their clock is held still here."""
    made = utcnow()
    monkeypatch.setattr("feedback.services.reports.utcnow", lambda: made)


@pytest.mark.parametrize("path", PUBLIC)
@pytest.mark.usefixtures("reports_made_at_one_time")
def test_anonymous_responses_are_public_with_an_etag_and_answer_304(app, client, path):
    _ticket(app, "C1")
    with app.app_context():
        refresh_rollups()  # as in production: figures as of the last refresh
    first = client.get(path, headers={"Accept-Language": "en"})
    assert first.status_code == 200
    assert first.cache_control.public and first.cache_control.max_age > 0
    assert first.headers["ETag"]
    again = client.get(
        path, headers={"Accept-Language": "en", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("path", ["/stats", "/stats.json", PUBLIC[4], PUBLIC[6]])
def test_pages_in_two_languages_are_kept_apart(app, client, path):
    _ticket(app, "C5", lat=30.5, lon=47.8)
    english = client.get(path, headers={"Accept-Language": "en"})
    arabic = client.get(path, headers={"Accept-Language": "ar"})
    assert {"Accept-Language", "Cookie"} <= set(english.vary)
    assert english.headers["ETag"] != arabic.headers["ETag"]


def test_the_etag_changes_with_the_figures(app, client):
    map_points = PUBLIC[5]
    stats, points = client.get("/stats.json"), client.get(map_points)
    _ticket(app, "C2")
    assert client.get(map_points).headers["ETag"] != points.headers["ETag"]  # at once
    assert client.get("/stats.json").headers["ETag"] != stats.headers["ETag"]  # by definition
    with app.app_context():
        refresh_rollups()
    refreshed = client.get("/stats.json")
    _ticket(app, "C3")
    assert client.get("/stats.json").headers["ETag"] == refreshed.headers["ETag"]  # as of
    with app.app_context():
        refresh_rollups()
    later = client.get("/stats.json", headers={"If-None-Match": refreshed.headers["ETag"]})
    assert later.status_code == 200 and later.headers["ETag"] != refreshed.headers["ETag"]


def test_errors_are_not_kept(client):
    for path in ("/stats.json?from=yesterday", "/map/points.geojson?bbox=x&zoom=8"):
        response = client.get(path)
        assert response.status_code == 400
        assert not response.cache_control.public and "ETag" not in response.headers
    missing = client.get("/open311/v2/requests/NOSUCH.json")
    assert missing.status_code == 404 and not missing.cache_control.public


@pytest.mark.parametrize("path", PUBLIC)
def test_signed_in_staff_get_the_figures_but_nothing_a_proxy_keeps(app, client, auth, path):
    _ticket(app, "C4")
    anonymous = client.get(path, headers={"Accept-Language": "en"})
    auth.login("officer.water")
    staff = client.get(
        path, headers={"Accept-Language": "en", "If-None-Match": anonymous.headers["ETag"]}
    )
    assert staff.status_code == 200  # never a 304 against a copy kept for the public
    assert staff.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in staff.headers
    assert "Cookie" in staff.vary
    if path.startswith("/stats") and ".json" not in path:
        assert "Log out" in staff.get_data(as_text=True)  # their page, not the public one


def test_a_staff_page_never_leaks_into_the_public_copy(app, client, auth):
    auth.login("officer.water")
    with app.app_context():
        name = db.session.scalar(
            sa.text("SELECT name FROM \"user\" WHERE username = 'officer.water'")
        )
    staff = client.get("/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert name in staff
    auth.logout()
    public = client.get("/stats", headers={"Accept-Language": "en"})
    assert public.cache_control.public
    assert name not in public.get_data(as_text=True)
    assert "csrf_token" not in public.get_data(as_text=True)
