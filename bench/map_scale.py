"""The public map at 100,000 tickets: the /map page and what its script fetches at city and
governorate zoom (clusters from the rollups, refreshed after seeding as the timer would),
against a naive folium page with every ticket embedded (FastMarkerCluster of all points),
measured in the same run; plus a full CSV export, streamed.

    .venv/bin/python bench/map_scale.py [--tickets 100000]

Uses a throw-away SQLite file, or the PostgreSQL database in BENCH_DATABASE_URL."""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from folium.plugins import FastMarkerCluster  # noqa: E402

from bench.scratch_db import bench_database  # noqa: E402
from bench.summary import record  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Area, Category, Directorate, Ticket, utcnow  # noqa: E402
from feedback.reference_data import read_places  # noqa: E402
from feedback.services.rollups import refresh_rollups  # noqa: E402

STATUSES = ["new", "acknowledged", "in_progress", "resolved", "rejected", "closed", "reopened"]
REPEATS = 7
CITY = {"bbox": "47.70,30.45,47.90,30.58", "zoom": 13}  # Basra city at zoom 13
GOVERNORATE = {"bbox": "46.50,29.00,48.70,31.40", "zoom": 8}
STREET = {"bbox": "47.770,30.500,47.800,30.520", "zoom": 16}  # single tickets, capped


def seed(count: int) -> list[tuple[float, float]]:
    """`count` tickets spread around Basra's places with a point; their exact points."""
    rng = random.Random(7)
    places = [p for p in read_places() if p.lat is not None and p.kind != "governorate"]
    area_ids = dict(db.session.execute(sa.select(Area.code, Area.id)).all())
    directorates = db.session.scalars(sa.select(Directorate.id)).all()
    categories = db.session.execute(sa.select(Category.id, Category.sla_hours)).all()
    now = utcnow()
    rows, points = [], []
    for number in range(count):
        place = rng.choice(places)
        lat = place.lat + rng.gauss(0, 0.01)
        lon = place.lon + rng.gauss(0, 0.01)
        category_id, sla_hours = rng.choice(categories)
        created = now - timedelta(minutes=rng.randrange(180 * 24 * 60))
        rows.append(
            {
                "reference": f"M{number:07d}",
                "channel": rng.choice(["sms", "whatsapp", "web"]),
                "original_text": "ماكو ماي من ثلاث ايام، رقمي 07801234567",
                "public_text": "ماكو ماي من ثلاث ايام، رقمي 0780•••••67",
                "language": "ar",
                "category_id": category_id,
                "lat": lat,
                "lon": lon,
                "location_method": "map_pin",
                "area_id": area_ids.get(place.code),
                "directorate_id": rng.choice(directorates),
                "status": rng.choice(STATUSES),
                "citizen_phone": "+9647801234567",
                "created_at": created,
                "updated_at": created,
                "due_at": created + timedelta(hours=sla_hours),
            }
        )
        points.append((lat, lon))
        if len(rows) == 10_000:
            db.session.execute(sa.insert(Ticket), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Ticket), rows)
    db.session.commit()
    return points


def fetch(client, path: str, query: dict | None = None) -> tuple[int, float]:
    """(body size in bytes, median milliseconds) over REPEATS requests."""
    times, size = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(path, query_string=query or {})
        body = response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        size = len(body)
    return size, statistics.median(times)


def naive_page(points: list[tuple[float, float]]) -> tuple[int, float]:
    """Every ticket embedded in one folium page (local assets, a circle-marker callback)."""
    start = time.perf_counter()
    page_map = folium.Map(location=[30.515, 47.80], zoom_start=11, tiles=None, max_zoom=18)
    page_map.default_js = [("leaflet", "/static/vendor/leaflet/leaflet.js")]
    page_map.default_css = [("leaflet_css", "/static/vendor/leaflet/leaflet.css")]
    cluster = FastMarkerCluster(
        [[round(lat, 3), round(lon, 3)] for lat, lon in points],
        callback="function (row) { return L.circleMarker(new L.LatLng(row[0], row[1])); }",
    )
    cluster.default_js = [
        ("markercluster", "/static/vendor/leaflet.markercluster/leaflet.markercluster.js")
    ]
    cluster.default_css = []
    cluster.add_to(page_map)
    html = page_map.get_root().render()
    return len(html.encode()), (time.perf_counter() - start) * 1000


def kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB"


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--tickets", type=int, default=100_000)
    options = arguments.parse_args()
    with bench_database() as app:
        start = time.perf_counter()
        points = seed(options.tickets)
        refresh_rollups()  # as the timer keeps them: clusters come from the map's cells
        seeded = time.perf_counter() - start
        dialect = db.engine.dialect.name
        db.session.remove()
        client = app.test_client()
        headers = {"Accept-Language": "en"}
        client.get("/map", headers=headers)  # warm up
        page_size, page_ms = fetch(client, "/map")
        city_size, city_ms = fetch(client, "/map/points.geojson", CITY)
        gov_size, gov_ms = fetch(client, "/map/points.geojson", GOVERNORATE)
        street_size, street_ms = fetch(client, "/map/points.geojson", STREET)
        city = client.get("/map/points.geojson", query_string=CITY).get_json()
        gov = client.get("/map/points.geojson", query_string=GOVERNORATE).get_json()
        street = client.get("/map/points.geojson", query_string=STREET).get_json()
        start = time.perf_counter()
        export = client.get("/export/tickets.csv")
        first_chunk = next(iter(export.response))
        first_ms = (time.perf_counter() - start) * 1000
        export_size = len(first_chunk) + sum(len(chunk) for chunk in export.response)
        export.close()
        export_ms = (time.perf_counter() - start) * 1000
        naive_size, naive_ms = naive_page(points)

    print(
        f"database: {dialect}; {options.tickets:,} tickets seeded "
        f"(and the rollups refreshed) in {seeded:.1f} s"
    )
    print(f"{'what':<44} {'size':>12} {'median ms':>10}")
    print(f"{'/map page (no tickets in it)':<44} {kb(page_size):>12} {page_ms:>10.1f}")
    city_label = f"points, city zoom 13: {len(city['features'])} clusters"
    print(f"{city_label:<44} {kb(city_size):>12} {city_ms:>10.1f}")
    gov_label = f"points, governorate zoom 8: {len(gov['features'])} clusters"
    print(f"{gov_label:<44} {kb(gov_size):>12} {gov_ms:>10.1f}")
    street_label = f"points, street zoom 16: {len(street['features'])} of {street['total']:,}"
    print(f"{street_label:<44} {kb(street_size):>12} {street_ms:>10.1f}")
    naive_label = f"naive folium page, {options.tickets:,} embedded"
    print(f"{naive_label:<44} {kb(naive_size):>12} {naive_ms:>10.1f} (build)")
    export_label = f"CSV export of all {options.tickets:,} (streamed)"
    export_ms_text = f"{export_ms:>10.1f} (first byte {first_ms:.0f} ms)"
    print(f"{export_label:<44} {kb(export_size):>12} {export_ms_text}")
    print(f"tickets in view: city {city['total']:,}, governorate {gov['total']:,}")
    where = f"{dialect} {options.tickets:,}"
    naive_text = f"naive page {naive_ms:,.0f} ms"
    record("map_scale", f"{where}: /map page", page_ms, "ms", naive_text)
    record("map_scale", f"{where}: points, city zoom 13", city_ms, "ms", naive_text)
    record("map_scale", f"{where}: points, governorate zoom 8", gov_ms, "ms", naive_text)
    record("map_scale", f"{where}: points, street zoom 16", street_ms, "ms", naive_text)
    record("map_scale", f"{where}: CSV export, all tickets", export_ms, "ms", "streamed")
    opening = page_size + city_size
    print(
        f"naive page / (map page + city points): {naive_size / opening:.0f}x larger; "
        f"/ (map page + governorate points): {naive_size / (page_size + gov_size):.0f}x"
    )


if __name__ == "__main__":
    main()
