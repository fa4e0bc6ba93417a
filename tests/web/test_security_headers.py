"""Issue 9, defect 4: every response carries the browser hardening headers, and no page
renders a script or style that the Content-Security-Policy would have to allow inline."""

import re

import pytest

from feedback.extensions import db
from feedback.models import utcnow
from feedback.services.intake import WebReport, submit_web_report

PUBLIC_PATHS = [
    "/",
    "/report",
    "/map",
    "/map/points.geojson",
    "/stats",
    "/stats.json",
    "/reports/2026-10",
    "/reports/water/2026-10",
    "/areas/basemap.geojson",
    "/open311/v2/services.json",
    "/open311/v2/requests.xml",
    "/export/tickets.csv",
    "/login",
    "/static/css/app.css",
    "/static/js/public-map.js",
    "/no-such-page",
    "/dev/sms",
]
STAFF_PATHS = [
    "/officer/",
    "/admin/",
    "/admin/users",
    "/admin/areas",
    "/monitor/",
    "/account/password",
    "/account/two-factor",
]


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (item.strip() for item in policy.split(";"))
    }


def assert_hardened(response) -> None:
    headers = response.headers
    directives = _directives(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in headers["Permissions-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_public_response_is_hardened(client, path):
    with client.get(path) as response:  # static files are streamed: close them
        assert response.status_code < 500
        assert_hardened(response)
        assert "Strict-Transport-Security" not in response.headers  # development: plain HTTP


def test_webhooks_and_errors_are_hardened_too(client):
    assert_hardened(client.post("/sms/inbound", data={"Body": "x"}))  # 403, unsigned
    assert_hardened(client.get("/t/NOSUCH"))


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_every_staff_page_is_hardened(client, auth, path):
    auth.login("admin")
    response = client.get(path)
    assert response.status_code == 200
    assert_hardened(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_are_not_marked_no_store_for_visitors(client):
    assert "no-store" not in client.get("/stats").headers.get("Cache-Control", "")


def test_hsts_in_production_only(app_with):
    app = app_with(FEEDBACK_ENV="production", SECRET_KEY="p" * 48)
    response = app.test_client().get("/", base_url="https://feedback.test")
    assert_hardened(response)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_nonce_is_new_for_every_response(client):
    first = _directives(client.get("/map"))["script-src"]
    second = _directives(client.get("/map"))["script-src"]
    assert "'nonce-" in first and first != second


def test_tiles_are_the_only_outside_images(client):
    assert _directives(client.get("/map"))["img-src"] == (
        "'self' data: https://tile.openstreetmap.org"
    )


def test_a_tile_server_with_subdomains_is_allowed_by_wildcard(app_with):
    app = app_with(TILE_URL="https://{s}.tiles.basra.example/{z}/{x}/{y}.png")
    img = _directives(app.test_client().get("/map"))["img-src"]
    assert img.endswith("https://*.tiles.basra.example")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)


def assert_nothing_inline_unless_nonced(response) -> None:
    """Inline scripts carry this response's nonce (JSON data blocks are not run); no
    inline event handlers or style attributes, which no nonce can allow."""
    html = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    for attributes in INLINE_SCRIPT.findall(html):
        if 'type="application/json"' in attributes:
            continue
        assert f'nonce="{nonce}"' in attributes, attributes
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.IGNORECASE)
    assert not re.search(r"<[^>]+\sstyle\s*=", html, re.IGNORECASE)
    assert "<style" not in html or f'<style nonce="{nonce}"' in html


def test_pages_need_no_inline_allowance(app, client, auth):
    with app.app_context():
        reference = submit_web_report(WebReport("water-supply", "ماكو ماي بالعشار", "ar"))
        reference = reference.reference
        db.session.commit()
    month = f"{utcnow():%Y-%m}"  # begun in Basra too, ahead of UTC
    for path in ["/", "/report", "/map", "/stats", f"/t/{reference}", "/login", "/dev/sms",
                 f"/reports/{month}", f"/reports/water/{month}"]:  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        assert_nothing_inline_unless_nonced(response)
    auth.login("admin")
    for path in STAFF_PATHS + [f"/officer/t/{reference}", "/admin/triage"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_nothing_inline_unless_nonced(response)
