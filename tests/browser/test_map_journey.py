"""The public map in Chromium, offline: it loads clusters and tickets from the points
endpoint, popups show hostile complaint text as text, and filters redraw without a reload."""

import pytest
from playwright.sync_api import expect

from tests.factories import web_ticket

pytestmark = pytest.mark.browser

HOSTILE = (
    '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> '
    '"onerror="window.__pwned=3" ماكو ماي'
)
MAP = "window[JSON.parse(document.getElementById('public-map-config').textContent).map]"


def wait_for_load(page, after: int) -> int:
    """Wait until the map has drawn a response newer than `after`; its number."""
    # A function, not a string: a string predicate is eval'ed, which the page's CSP refuses.
    page.wait_for_function(
        "after => Number(document.querySelector('.folium-map').dataset.loaded || 0) > after",
        arg=after,
    )
    return int(page.locator(".folium-map").get_attribute("data-loaded"))


def cluster_total(page) -> int:
    counts = page.locator(".map-cluster").all_inner_texts()
    return sum(int(count.replace(",", "")) for count in counts)


def test_map_loads_offline_and_shows_clusters(app, live_server, page_for):
    for lat, lon in [(30.5085, 47.7804)] * 3 + [(30.39213, 47.70175)] * 2:
        web_ticket(app, lat, lon, text="ماكو ماي بالعشار")
    page = page_for("ar")
    page.goto(live_server + "/map")
    assert page.locator("html").get_attribute("dir") == "rtl"
    wait_for_load(page, 0)
    expect(page.locator(".map-cluster")).not_to_have_count(0)
    assert cluster_total(page) == 5
    page.wait_for_selector(".place-label")  # the offline basemap
    page.locator(".leaflet-control-layers-overlays input").nth(1).check()  # heat map
    expect(page.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
    assert page.script_errors == []


def test_popup_shows_hostile_text_as_text(app, live_server, page_for):
    reference = web_ticket(app, 30.5085, 47.7804, text=HOSTILE)
    page = page_for("en")
    page.goto(live_server + "/map")
    loaded = wait_for_load(page, 0)
    page.evaluate(f"{MAP}.setView([30.5085, 47.7804], 16)")
    wait_for_load(page, loaded)
    page.locator('path.leaflet-interactive[stroke="#fff"]').first.click()
    popup = page.locator(".map-popup")
    expect(popup).to_be_visible()
    expect(popup.locator(".map-popup-ref")).to_have_text(reference)
    expect(popup.locator(".map-popup-text")).to_contain_text(
        '<img src=x onerror="window.__pwned=1">'
    )
    expect(popup.locator(".map-popup-text")).to_contain_text("<script>window.__pwned=2</script>")
    assert popup.locator("img, script").count() == 0
    assert popup.locator("a", has_text="Open the ticket page").get_attribute("href") == (
        f"/t/{reference}"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert "7801234567" not in page.content()
    assert page.script_errors == []


def test_category_filter_redraws_without_reload(app, live_server, page_for):
    for _ in range(3):
        web_ticket(app, 30.5085, 47.7804, text="ماكو ماي بالعشار")
    for _ in range(2):
        web_ticket(app, 30.39213, 47.70175, category="electricity-outage", text="ماكو كهرباء")
    page = page_for("en")
    page.goto(live_server + "/map")
    loaded = wait_for_load(page, 0)
    assert cluster_total(page) == 5
    page.evaluate("window.__same_page = true")
    page.select_option("#filter-category", "electricity-outage")
    loaded = wait_for_load(page, loaded)
    assert cluster_total(page) == 2
    assert page.evaluate("window.__same_page") is True
    assert "category=electricity-outage" in page.url
    assert "category=electricity-outage" in page.locator("#export-csv").get_attribute("href")
    page.select_option("#filter-category", "water-supply")
    wait_for_load(page, loaded)
    assert cluster_total(page) == 3
    assert page.evaluate("window.__same_page") is True
    assert page.script_errors == []
