"""The public map, its points endpoint and the open-data exports, through the client on the
real database: no CDN, no personal data, rounded points, filters, escaping, streaming."""

import csv
import io
import json
import random
import sqlite3
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Ticket, utcnow
from tests.factories import FILER, ticket_row, web_ticket

CITY_BOX = "47.60,30.30,47.95,30.65"  # Basra city, Zubair and around
PHONE = FILER
PHONE_DIGITS = ("7801234567", "07801234567", "0780 123 4567", "780 123 4567")
NAME = "Haidar Kadhim"


def points(client, bbox=CITY_BOX, zoom=15, **filters):
    response = client.get(
        "/map/points.geojson", query_string={"bbox": bbox, "zoom": zoom, **filters}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def references(collection) -> set[str]:
    return {feature["properties"]["reference"] for feature in collection["features"]}


def decimals(number: float) -> int:
    text = repr(number)
    return len(text.split(".")[1]) if "." in text else 0


def assert_no_personal_data(text: str) -> None:
    for digits in PHONE_DIGITS:
        assert digits not in text
    assert "9647801234567" not in text
    assert NAME not in text
    assert "citizen_phone" not in text and "citizen_name" not in text
    assert "original_text" not in text


def test_map_page_uses_only_local_assets_and_no_personal_data(app, client):
    web_ticket(app, 30.508537, 47.780412, text=f"اتصلوا بي 0780 123 4567 {NAME}")
    response = client.get("/map", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for word in ("cdn", "jsdelivr", "cdnjs", "unpkg", "code.jquery.com"):
        assert word not in html.lower()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "/static/vendor/leaflet.heat/leaflet_heat.min.js" in html
    assert "/static/js/public-map.js" in html
    assert_no_personal_data(html)
    assert "30.5085" not in html  # no ticket is embedded in the page
    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "vendor/leaflet.heat/leaflet_heat.min.js",
        "js/public-map.js",
    ):
        asset = client.get(f"/static/{path}")
        assert asset.status_code == 200
        asset.close()


def test_map_page_in_arabic_is_rtl(client):
    html = client.get("/map", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in html


def test_high_zoom_gives_single_tickets_with_rounded_points_and_public_fields(app, client):
    reference = web_ticket(app, 30.508537, 47.780412)
    collection = points(client, zoom=16)
    assert collection["clustered"] is False
    [feature] = collection["features"]
    lon, lat = feature["geometry"]["coordinates"]
    assert (lat, lon) == (30.509, 47.78)
    assert decimals(lat) <= 3 and decimals(lon) <= 3
    properties = feature["properties"]
    assert properties["reference"] == reference
    assert set(properties) == {
        "reference",
        "status",
        "status_label",
        "category",
        "category_name",
        "created_at",
        "age",
        "overdue",
        "summary",
        "url",
    }
    assert properties["url"] == f"/t/{reference}"
    assert properties["category"] == "water-supply"


def test_bbox_filters_on_the_rounded_point_only(app, client):
    web_ticket(app, 30.508537, 47.780412)
    # A box that holds the exact point but not the rounded one finds nothing: the box
    # cannot be narrowed down to learn more than the public point.
    assert points(client, bbox="47.7803,30.5084,47.7805,30.5086")["features"] == []
    assert len(points(client, bbox="47.7795,30.5085,47.7805,30.5095")["features"]) == 1


def test_low_zoom_clusters_count_every_ticket_in_the_box(app, client):
    for lat, lon in [(30.5085, 47.7804)] * 3 + [(30.39213, 47.70175)] * 2 + [(30.55, 47.83)]:
        web_ticket(app, lat, lon)
    web_ticket(app, 31.01547, 47.43362)  # Al-Qurna: outside the city box
    collection = points(client, zoom=11)
    assert collection["clustered"] is True
    counts = [f["properties"]["count"] for f in collection["features"]]
    assert sum(counts) == 6 == collection["total"]
    assert len(counts) >= 2
    for feature in collection["features"]:
        assert feature["properties"]["cluster"] is True
        assert feature["properties"]["status"] == "new"
        lon, lat = feature["geometry"]["coordinates"]
        assert decimals(lat) <= 3 and decimals(lon) <= 3
        assert "reference" not in feature["properties"]
    governorate = points(client, bbox="46.5,29.0,48.7,31.4", zoom=8)
    assert sum(f["properties"]["count"] for f in governorate["features"]) == 7


def test_cluster_colour_is_its_most_common_status(app, client):
    for status in ("resolved", "resolved", "new"):
        web_ticket(app, 30.5085, 47.7804, status=status)
    [cluster] = points(client, zoom=9)["features"]
    assert cluster["properties"]["status"] == "resolved"
    assert cluster["properties"]["statuses"] == {"resolved": 2, "new": 1}


def test_filters(app, client):
    now = utcnow()
    water = web_ticket(app, 30.5085, 47.7804, category="water-supply")
    power = web_ticket(app, 30.5090, 47.7810, category="electricity-outage", status="resolved")
    late = web_ticket(  # 2.4 km from the other water report: not one fault, no incident
        app, 30.5300, 47.8000, category="water-supply", due_at=now - timedelta(hours=2)
    )
    old = web_ticket(
        app,
        30.39213,
        47.70175,
        category="waste-collection",
        created_at=now - timedelta(days=40),
        status="closed",
    )
    assert references(points(client)) == {water, power, late, old}
    assert references(points(client, category="water-supply")) == {water, late}
    assert references(points(client, status="resolved")) == {power}
    assert references(points(client, status="open")) == {water, late}
    assert references(points(client, overdue="1")) == {late}
    assert references(points(client, directorate="electricity")) == {power}
    assert references(points(client, district="dist-zubair")) == {old}
    assert references(points(client, district="dist-basra")) == {water, power, late}
    day = (now - timedelta(days=40)).astimezone(ZoneInfo("Asia/Baghdad")).date()  # Basra's day
    assert references(points(client, **{"from": day.isoformat(), "to": day.isoformat()})) == {old}
    recent = (now - timedelta(days=1)).date().isoformat()
    assert references(points(client, **{"from": recent})) == {water, power, late}
    clustered = points(client, zoom=10, category="water-supply")
    assert sum(f["properties"]["count"] for f in clustered["features"]) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"bbox": "nonsense", "zoom": 12},
        {"bbox": CITY_BOX, "zoom": "x"},
        {"bbox": CITY_BOX, "zoom": 12, "status": "lost"},
        {"bbox": CITY_BOX, "zoom": 12, "from": "yesterday"},
    ],
)
def test_bad_query_is_a_400(client, query):
    assert client.get("/map/points.geojson", query_string=query).status_code == 400


def test_high_zoom_is_capped(app, client, monkeypatch):
    monkeypatch.setattr("feedback.services.map_points.MAX_POINTS", 2)
    for category in ("health-facility", "school-building", "stray-animals"):  # never grouped
        web_ticket(app, 30.5085, 47.7804, category=category)
    collection = points(client)
    assert len(collection["features"]) == 2
    assert collection["total"] == 3


HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> "onerror=alert(3) '


def test_hostile_text_and_phone_numbers_in_points(app, client, twilio):
    web_ticket(app, 30.5085, 47.7804, text=HOSTILE + "رقمي 0780 123 4567")
    twilio.send("ماكو ماي بالعشار " + HOSTILE + " 07801234567", sender=PHONE, ProfileName=NAME)
    response = client.get(
        "/map/points.geojson", query_string={"bbox": "46.5,29.0,48.7,31.4", "zoom": 16}
    )
    body = response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert_no_personal_data(body)
    assert "<script>" not in body and "<img" not in body  # escaped as \u003c in the JSON
    summaries = [f["properties"]["summary"] for f in json.loads(body)["features"]]
    assert any("<script>alert(1)</script>" in summary for summary in summaries)


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_exports_are_streamed_public_and_filtered(app, client, twilio):
    now = utcnow()
    water = web_ticket(app, 30.508537, 47.780412, text="ماي مقطوع، اتصل 0780 123 4567")
    power = web_ticket(app, 30.39213, 47.70175, category="electricity-outage", status="resolved")
    late = web_ticket(app, 30.5095, 47.7815, due_at=now - timedelta(hours=1))
    twilio.send("الكهرباء مقطوعة بالزبير رقمي 07801234567", sender=PHONE, ProfileName=NAME)
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count(Ticket.id)))

    csv_response = client.get("/export/tickets.csv")
    assert csv_response.is_streamed
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = read_csv(csv_response)
    assert len(rows) == total
    assert_no_personal_data(csv_response.get_data(as_text=True))
    assert set(rows[0]) >= {"reference", "category_code", "directorate_name_en", "overdue"}
    by_reference = {row["reference"]: row for row in rows}
    assert (by_reference[water]["lat"], by_reference[water]["lon"]) == ("30.509", "47.78")
    assert by_reference[water]["created_at"].endswith("+00:00")
    assert by_reference[water]["district_name_en"] == "Basra District"
    assert by_reference[late]["overdue"] == "true"
    assert by_reference[water]["overdue"] == "false"

    geo_response = client.get("/export/tickets.geojson")
    assert geo_response.is_streamed
    body = geo_response.get_data(as_text=True)
    assert_no_personal_data(body)
    collection = json.loads(body)
    assert len(collection["features"]) == total
    for feature in collection["features"]:
        if feature["geometry"]:
            lon, lat = feature["geometry"]["coordinates"]
            assert decimals(lat) <= 3 and decimals(lon) <= 3

    for query, expected in [
        ({"status": "resolved"}, {power}),
        ({"overdue": "1"}, {late}),
        ({"district": "dist-zubair", "category": "electricity-outage"}, None),
    ]:
        csv_refs = {
            row["reference"]
            for row in read_csv(client.get("/export/tickets.csv", query_string=query))
        }
        geo = client.get("/export/tickets.geojson", query_string=query).get_json()
        geo_refs = {f["properties"]["reference"] for f in geo["features"]}
        assert csv_refs == geo_refs
        if expected is not None:
            assert csv_refs == expected
        else:
            assert power in csv_refs


def test_csv_guards_against_formula_injection(app, client):
    for text in ('=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)"):
        web_ticket(app, 30.5085, 47.7804, text=text)
    rows = read_csv(client.get("/export/tickets.csv"))
    texts = sorted(row["public_text"] for row in rows)
    assert texts == sorted(['\'=HYPERLINK("http://evil")', "'+1+1", "'-2+3", "'@SUM(A1)"])


def test_export_of_hostile_text_is_escaped_json(app, client):
    web_ticket(app, 30.5085, 47.7804, text=HOSTILE)
    response = client.get("/export/tickets.geojson")
    body = response.get_data(as_text=True)
    assert "<script>" not in body
    [feature] = json.loads(body)["features"]
    assert feature["properties"]["public_text"].startswith("<script>alert(1)</script>")


def test_slow_export_download_does_not_hold_the_database(app, client, monkeypatch):
    """Between batches no transaction is open: on SQLite every transaction takes the write
    lock, and an SMS arriving during a long download must still be written."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock; PostgreSQL readers never block writers")
    monkeypatch.setattr("feedback.services.open_data.EXPORT_BATCH", 2)
    made = {web_ticket(app, 30.5085, 47.7804) for _ in range(5)}
    response = client.get("/export/tickets.csv")
    chunks = iter(response.response)
    first = [next(chunks) for _ in range(3)]  # the header and the first batch of two
    other = sqlite3.connect(uri.removeprefix("sqlite:///"), timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the export held it
        other.execute("ROLLBACK")
    finally:
        other.close()
    body = "".join(chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in first)
    body += "".join(chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in chunks)
    response.close()
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert {row["reference"] for row in rows} == made


def test_map_without_tiles_and_folium_defaults_untouched(app_with):
    import folium

    client = app_with(TILE_URL="").test_client()
    html = client.get("/map").get_data(as_text=True)
    assert "L.tileLayer" not in html and "openstreetmap" not in html
    assert "/areas/basemap.geojson" in html  # the offline basemap stands in for tiles
    # Our local assets were set per map: folium's process-wide defaults are as shipped.
    assert folium.Map.default_js[0][1].startswith("https://")


def _scatter(app, count: int, seed: int) -> None:
    """`count` tickets around Basra, some on one shared point, some without one, of several
    categories, directorates and places."""
    from feedback.models import Area, Category, Directorate

    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        categories = db.session.scalars(sa.select(Category).order_by(Category.id).limit(3)).all()
        directorates = db.session.scalars(
            sa.select(Directorate).order_by(Directorate.id).limit(3)
        ).all()
        areas = db.session.scalars(sa.select(Area).where(Area.kind != "governorate")).all()
        for number in range(count):
            shared = rng.random() < 0.2
            lat = 30.5085 if shared else rng.uniform(29.9, 31.1)
            lon = 47.7804 if shared else rng.uniform(47.2, 48.5)
            located = rng.random() > 0.05
            db.session.add(
                ticket_row(
                    f"R{seed}{number:04d}",
                    status=rng.choice(STATUSES),
                    category=rng.choice([*categories, None]),
                    directorate=rng.choice([*directorates, None]),
                    area=rng.choice([*areas, None]),
                    lat=lat if located else None,
                    lon=lon if located else None,
                    created_at=now - timedelta(days=rng.randrange(300)),
                )
            )
        db.session.commit()


STATUSES = ["new", "acknowledged", "in_progress", "resolved", "rejected", "closed", "reopened"]
BOXES = [
    ("46.5,29.0,48.7,31.4", 8),  # the governorate
    ("47.70,30.45,47.90,30.58", 13),  # the city, edges across cells
    ("47.7791,30.5031,47.8123,30.5322", 12),
    ("47.2,29.9,48.5,31.1", 10),
]


def _live(app, client, **query) -> dict:
    """The same request answered from the tickets: no rollup refresh to read from."""
    from feedback.models.rollups import RollupState

    with app.app_context():
        state = db.session.get(RollupState, 1)
        saved = (
            state.refreshed_at,
            state.changed_since,
            state.last_ticket_id,
            state.reference_version,
        )
        db.session.delete(state)
        db.session.commit()
    try:
        return points(client, **query)
    finally:
        with app.app_context():
            db.session.add(
                RollupState(
                    id=1,
                    refreshed_at=saved[0],
                    changed_since=saved[1],
                    last_ticket_id=saved[2],
                    reference_version=saved[3],
                )
            )
            db.session.commit()


def test_clusters_from_the_rollups_are_the_clusters_counted_from_the_tickets(app, client):
    from feedback.services.rollups import refresh_rollups

    _scatter(app, 300, seed=1)
    with app.app_context():
        refresh_rollups()
    _scatter(app, 40, seed=2)  # received since the refresh
    with app.app_context():  # and some changed since: status, point, category, place...
        from feedback.models import Area, Category

        water = db.session.scalar(sa.select(Category).where(Category.code == "water-supply"))
        siba = db.session.scalar(sa.select(Area).where(Area.code == "sub-siba"))
        changed = db.session.scalars(sa.select(Ticket).order_by(Ticket.id).limit(50)).all()
        for number, ticket in enumerate(changed):
            if number % 5 == 0:
                ticket.status = "resolved"
            elif number % 5 == 1:
                ticket.lat, ticket.lon = 30.55, 47.83
            elif number % 5 == 2:
                ticket.lat = ticket.lon = None
            elif number % 5 == 3:
                ticket.category, ticket.directorate = water, None
            else:
                ticket.area = siba
            ticket.updated_at = utcnow()
        db.session.commit()
    filters = [
        {},
        {"status": "open"},
        {"status": "resolved"},
        {"category": "water-supply"},
        {"directorate": "water", "status": "open"},
        {"district": "dist-basra"},
        {"district": "dist-abu-al-khaseeb", "category": "water-supply"},
        {"district": "sub-siba"},  # not a district: counted from the tickets either way
        {"category": "no-such-thing"},
    ]
    for bbox, zoom in BOXES:
        for wanted in filters:
            query = {"bbox": bbox, "zoom": zoom, **wanted}
            rolled = points(client, **query)
            assert rolled == _live(app, client, **query), query
            assert rolled["total"] == sum(f["properties"]["count"] for f in rolled["features"])
    governorate = "46.5,29.0,48.7,31.4"
    for wanted in filters[3:7]:  # the filters picked some, so the comparisons above count
        assert points(client, bbox=governorate, zoom=8, **wanted)["total"] > 0, wanted
    everything = points(client, bbox=governorate, zoom=8)
    with app.app_context():
        located = db.session.scalar(sa.select(sa.func.count()).where(Ticket.lat.is_not(None)))
    assert everything["total"] == located


def test_a_cluster_counts_the_cells_the_box_touches(app, client):
    """A box is widened to whole cells of the grid (about 1.1 km): what a cluster counts
    never depends on where the box's edge cuts the cell, nor on a refresh."""
    web_ticket(app, 30.5085, 47.7804)
    inside, cutting = "47.7700,30.5000,47.7900,30.5200", "47.7806,30.5000,47.7900,30.5200"
    assert points(client, bbox=inside, zoom=12)["total"] == 1
    assert points(client, bbox=cutting, zoom=12)["total"] == 1  # same cell, ticket west of box
    assert points(client, bbox=cutting, zoom=15)["features"] == []  # single tickets: exact
