"""City scale: the public pages and the officer's queue at 1,000,000 tickets on PostgreSQL
(100,000 on SQLite), each against its goal and against a request that reads no ticket
(Open311 discovery), measured in the same run so figures compare across machines.

    .venv/bin/python bench/scale.py [--tickets N] [--reuse] [--explain]

PostgreSQL is the database in BENCH_DATABASE_URL (postgresql+psycopg://..., emptied first
unless --reuse finds it already filled with the same number of tickets); without it, a
throw-away SQLite file. Tickets, their events and monitors' verdicts are written by SQL
(generate_series on PostgreSQL, a recursive series on SQLite) from a deterministic hash of the
ticket's number, so both databases get the same city: a year of complaints over Basra's
places, each category routed to its directorate, statuses by age (recent ones mostly open).
Then the rollups are rebuilt (`flask rollups-refresh --full`, timed; on PostgreSQL VACUUMed as
autovacuum would soon after) and refreshed once after 300 tickets changed (timed), as the
timer keeps them. Requests go through Flask's test client in this process; each figure is the
median of 5 after one warm-up. --explain prints EXPLAIN ANALYZE of each page's slowest
statement on PostgreSQL, and where issue 11 changed the indexes that statement reads, its plan
again with the indexes as they were before (changed inside a transaction that is rolled back)."""

import argparse
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.scratch_db import bench_database  # noqa: E402
from bench.summary import record  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Area, Category, RoutingRule, Ticket, User, utcnow  # noqa: E402
from feedback.services.rollups import refresh_rollups  # noqa: E402

REPEATS = 5
GOAL_MS = 200
DEFAULT_TICKETS = {"postgresql": 1_000_000, "sqlite": 100_000}
CITY = {"bbox": "47.70,30.45,47.90,30.58", "zoom": "13"}  # as bench/map_scale.py
GOVERNORATE = {"bbox": "46.50,29.00,48.70,31.40", "zoom": "8"}
# Officers search their queue for a place or a word; this neighbourhood is named in about
# one complaint in fifty.
SEARCH = "الجمهورية"
# Share of complaints per category (the rest spread evenly); water and power lead in Basra.
CATEGORY_WEIGHTS = {
    "water-supply": 18,
    "electricity-outage": 18,
    "sewage-overflow": 8,
    "waste-collection": 8,
    "water-quality": 5,
    "water-leak": 5,
    "road-damage": 5,
    "street-lighting": 4,
    "electricity-wires": 4,
    "drainage-flooding": 4,
}
# Slots a place with a point gets in the draw: the city's neighbourhoods are the busiest.
PLACE_WEIGHTS = {"neighbourhood": 4, "town": 2, "subdistrict": 1, "landmark": 1, "district": 1}
TEXTS = [
    "ماكو ماي ب{place} من ثلاث ايام",
    "الكهرباء مقطوعة ب{place} من الصبح",
    "المجاري طافحة ب{place} والريحة قوية",
    "الزبالة متراكمة ب{place} رقمي 07801234567",
    "No water in {place} since yesterday",
    "الشارع مكسر ب{place} والتبليط خربان",
]


def pages(
    year_from: str, year_to: str, reference: str, month: str
) -> list[tuple[str, str, dict, bool]]:
    """(label, path, query, as officer) for every figure, in the order printed."""
    year = {"from": year_from, "to": year_to}
    return [
        ("/stats by directorate, last 90 days", "/stats", {}, False),
        ("/stats by category, last 90 days", "/stats", {"group": "category"}, False),
        ("/stats by district, last 90 days", "/stats", {"group": "district"}, False),
        ("/stats by directorate, one year", "/stats", year, False),
        ("/stats by category, one year", "/stats", {"group": "category", **year}, False),
        ("/stats by district, one year", "/stats", {"group": "district", **year}, False),
        ("/stats.json, last 90 days", "/stats.json", {}, False),
        ("/stats split by channel, last 90 days", "/stats", {"by": "channel"}, False),
        (
            "/stats by district split by channel, one year",
            "/stats",
            {"group": "district", "by": "channel", **year},
            False,
        ),
        ("/stats of the web form's complaints, last 90 days", "/stats", {"channel": "web"}, False),
        ("monthly report, one directorate", f"/reports/water/{month}", {}, False),
        ("monthly report, every directorate", f"/reports/{month}", {}, False),
        ("officer queue, page 1", "/officer/", {}, True),
        ("officer queue, overdue only", "/officer/", {"overdue": "y"}, True),
        (f"officer queue, search “{SEARCH}”", "/officer/", {"q": SEARCH}, True),
        ("officer queue, search a reference", "/officer/", {"q": reference}, True),
        ("map points, city zoom 13", "/map/points.geojson", CITY, False),
        ("map points, governorate zoom 8", "/map/points.geojson", GOVERNORATE, False),
        ("Open311 requests.json, default", "/open311/v2/requests.json", {}, False),
        ("home page", "/", {}, False),
    ]


# --- the city, written by SQL -----------------------------------------------------------


class Dialect:
    """The few SQL pieces that differ: the series of ticket numbers, uniform draws from a
    hash of the number, text and time arithmetic."""

    def __init__(self, name: str, now: datetime):
        self.name = name
        self.now = now

    def series(self, count: int) -> str:
        if self.name == "postgresql":
            return f"series AS (SELECT generate_series(1, {count})::bigint AS i)"
        return f"series(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM series WHERE i < {count})"

    def recursive(self) -> str:
        return "WITH RECURSIVE" if self.name == "sqlite" else "WITH"

    def uniform(self, salt: int) -> str:
        """A number in [0, 1) from the ticket number: a quadratic residue modulo a prime."""
        a, b, c = 7919 + salt * 104_729, 15_485_863 + salt * 31, 2_750_159 * (salt + 1)
        value = f"(((s.i * s.i * {a}) + s.i * {b} + {c}) % 1000003)"
        cast = "::float8" if self.name == "postgresql" else " * 1.0"
        return f"({value}{cast} / 1000003)"

    def reference(self) -> str:
        if self.name == "postgresql":
            return "'S' || lpad(b.i::text, 7, '0')"
        return "printf('S%07d', b.i)"

    def at(self, seconds: str) -> str:
        """The run's start plus `seconds` (an SQL integer expression, usually negative)."""
        if self.name == "postgresql":
            return f"(TIMESTAMPTZ '{self.now.isoformat()}' + ({seconds}) * INTERVAL '1 second')"
        stamp = self.now.strftime("%Y-%m-%d %H:%M:%S")
        return f"(strftime('%Y-%m-%d %H:%M:%S', '{stamp}', ({seconds}) || ' seconds') || '.000000')"

    def integer(self, expression: str) -> str:
        """Rounded down (PostgreSQL's cast alone would round to nearest)."""
        kind = "BIGINT" if self.name == "postgresql" else "INTEGER"
        return f"CAST(floor({expression}) AS {kind})"


def _slots(rows: list[tuple], table: str) -> None:
    """A small lookup table: slot k (0..n-1) to a row, so SQL can draw by k = draw % n."""
    kinds = {int: "BIGINT", float: "DOUBLE PRECISION", str: "TEXT"}
    columns = ", ".join(
        f"c{n} " + kinds[next(type(row[n]) for row in rows if row[n] is not None)]
        for n in range(len(rows[0]))
    )
    db.session.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    db.session.execute(sa.text(f"CREATE TABLE {table} (k INTEGER PRIMARY KEY, {columns})"))
    for k, row in enumerate(rows):
        values = ", ".join(f":v{n}" for n in range(len(row)))
        params = {f"v{n}": value for n, value in enumerate(row)}
        db.session.execute(sa.text(f"INSERT INTO {table} VALUES ({k}, {values})"), params)


def fill(count: int, now: datetime) -> None:
    """`count` tickets over the year before `now`, their events and monitors' verdicts."""
    sql = Dialect(db.engine.dialect.name, now)
    default_route = dict(
        db.session.execute(
            sa.select(RoutingRule.category_id, RoutingRule.directorate_id).where(
                RoutingRule.area_id.is_(None)
            )
        ).all()
    )
    categories = db.session.execute(sa.select(Category.id, Category.code, Category.sla_hours)).all()
    slots = []
    for category_id, code, sla_hours in categories:
        weight = CATEGORY_WEIGHTS.get(code, 1)
        slots += [(category_id, sla_hours, default_route.get(category_id))] * weight
    _slots(slots, "bench_category")
    places = db.session.execute(
        sa.select(Area.id, Area.lat, Area.lon, Area.name_ar, Area.kind).where(
            Area.lat.is_not(None), Area.kind != "governorate"
        )
    ).all()
    place_slots = []
    for area_id, lat, lon, name_ar, kind in places:
        place_slots += [(area_id, lat, lon, name_ar)] * PLACE_WEIGHTS.get(kind, 1)
    _slots(place_slots, "bench_place")
    _slots([(text,) for text in TEXTS], "bench_text")

    u = sql.uniform
    # Per ticket: its age, how long until acknowledged and resolved, and whether still open.
    base = f"""
        {sql.recursive()} {sql.series(count)}
        SELECT s.i AS i,
               {sql.integer(f"{u(1)} * 365 * 86400")} AS age_s,
               {sql.integer(f"600 + 3600 * exp({u(2)} * 6.0 - 2.0)")} AS ack_s,
               {sql.integer(f"3600 * exp({u(3)} * 6.5 - 0.5)")} AS work_s,
               {u(4)} AS u_open, {u(5)} AS u_status, {u(6)} AS u_kind,
               {sql.integer(f"{u(7)} * {len(slots)}")} AS category_k,
               {sql.integer(f"{u(8)} * {len(place_slots)}")} AS place_k,
               {u(9)} AS u_where, {u(10)} AS u_lat, {u(11)} AS u_lon,
               {sql.integer(f"{u(12)} * {len(TEXTS)}")} AS text_k, {u(13)} AS u_check
        FROM series s
    """
    db.session.execute(sa.text("DROP TABLE IF EXISTS bench_base"))
    db.session.execute(sa.text(f"CREATE TABLE bench_base AS {base}"))
    # Open when recent (a backlog otherwise), or when it could not have been answered yet.
    status = """
        CASE
          WHEN b.ack_s > b.age_s THEN 'new'
          WHEN b.u_open < 0.06 + 0.75 * exp(-b.age_s / 86400.0 / 12)
               OR b.ack_s + b.work_s > b.age_s THEN
            CASE WHEN b.u_status < 0.30 THEN 'new'
                 WHEN b.u_status < 0.60 THEN 'acknowledged'
                 WHEN b.u_status < 0.93 OR b.ack_s + b.work_s > b.age_s THEN 'in_progress'
                 ELSE 'reopened' END
          WHEN b.age_s - b.ack_s - b.work_s > 14 * 86400 THEN
            CASE WHEN b.u_status < 0.88 THEN 'closed' ELSE 'rejected' END
          ELSE CASE WHEN b.u_status < 0.85 THEN 'resolved' ELSE 'rejected' END
        END"""
    db.session.execute(sa.text("ALTER TABLE bench_base ADD COLUMN status VARCHAR(20)"))
    db.session.execute(sa.text(f"UPDATE bench_base AS b SET status = {status}"))
    acknowledged = "b.status NOT IN ('new')"
    answered = "b.status IN ('resolved', 'rejected', 'closed', 'reopened')"
    located = "b.u_where >= 0.05"
    spread = "(CASE WHEN b.u_kind < 0.6 THEN 0 ELSE 0.02 END)"  # SMS: the place's own point
    text = "replace(t.c0, '{place}', p.c3)"
    db.session.execute(
        sa.text(
            f"""
        INSERT INTO ticket (id, reference, channel, original_text, public_text, language,
            category_id, category_confidence, lat, lon, location_method, area_id,
            directorate_id, status, citizen_phone, created_at, updated_at, acknowledged_at,
            resolved_at, closed_at, due_at)
        SELECT b.i, {sql.reference()},
            CASE WHEN b.u_kind < 0.6 THEN 'sms' WHEN b.u_kind < 0.85 THEN 'whatsapp'
                 ELSE 'web' END,
            {text}, replace({text}, '07801234567', '0780•••••67'),
            CASE WHEN t.k = 4 THEN 'en' ELSE 'ar' END,
            c.c0, 0.9,
            CASE WHEN {located} THEN p.c1 + (b.u_lat - 0.5) * {spread} END,
            CASE WHEN {located} THEN p.c2 + (b.u_lon - 0.5) * {spread} END,
            CASE WHEN NOT {located} THEN 'none' WHEN b.u_kind < 0.6 THEN 'gazetteer'
                 ELSE 'map_pin' END,
            CASE WHEN {located} THEN p.c0 END,
            CASE WHEN b.u_check < 0.03 THEN NULL ELSE c.c2 END,
            b.status, '+9647801234567',
            {sql.at("-b.age_s")}, {sql.at("-b.age_s")},
            CASE WHEN {acknowledged} THEN {sql.at("b.ack_s - b.age_s")} END,
            CASE WHEN {answered} THEN {sql.at("b.ack_s + b.work_s - b.age_s")} END,
            CASE WHEN b.status = 'closed' THEN
                 {sql.at("b.ack_s + b.work_s + 14 * 86400 - b.age_s")} END,
            {sql.at("c.c1 * 3600 - b.age_s")}
        FROM bench_base b
        JOIN bench_category c ON c.k = b.category_k
        JOIN bench_place p ON p.k = b.place_k
        JOIN bench_text t ON t.k = b.text_k
        """
        )
    )
    events = [
        ("'created'", "'citizen'", "NULL", "'new'", "NULL", "-b.age_s", "1 = 1"),
        (
            "'status'",
            "'officer'",
            "'new'",
            "'acknowledged'",
            "'وصلتنا شكواك'",
            "b.ack_s - b.age_s",
            acknowledged,
        ),
        (
            "'status'",
            "'officer'",
            "'in_progress'",
            "CASE WHEN b.status = 'rejected' THEN 'rejected' ELSE 'resolved' END",
            "'تم الاصلاح'",
            "b.ack_s + b.work_s - b.age_s",
            answered,
        ),
        (
            "'status'",
            "'citizen'",
            "'resolved'",
            "'reopened'",
            "NULL",
            "b.ack_s + b.work_s + 3600 - b.age_s",
            "b.status = 'reopened'",
        ),
    ]
    for kind, actor, from_status, to_status, message, seconds, where in events:
        db.session.execute(
            sa.text(
                f"""
            INSERT INTO ticket_event (ticket_id, created_at, actor_label, kind, from_status,
                to_status, public_message)
            SELECT b.i, {sql.at(seconds)}, {actor}, {kind}, {from_status}, {to_status},
                {message}
            FROM bench_base b WHERE {where}
            """
            )
        )
    monitor = db.session.scalar(sa.select(User.id).where(User.role == "monitor"))
    db.session.execute(
        sa.text(
            f"""
        INSERT INTO verification (ticket_id, monitor_id, verdict, note, created_at)
        SELECT b.i, :monitor,
               CASE WHEN b.status = 'reopened' THEN 'disputed' ELSE 'verified' END,
               'seen on site', {sql.at("b.ack_s + b.work_s + 1800 - b.age_s")}
        FROM bench_base b
        WHERE (b.status = 'reopened' AND b.u_check < 0.5)
           OR (b.status IN ('resolved', 'closed') AND b.u_check < 0.05)
        """
        ),
        {"monitor": monitor},
    )
    for table in ("bench_base", "bench_category", "bench_place", "bench_text"):
        db.session.execute(sa.text(f"DROP TABLE {table}"))
    if sql.name == "postgresql":
        db.session.execute(sa.text("SELECT setval('ticket_id_seq', (SELECT max(id) FROM ticket))"))
    db.session.commit()
    if sql.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


# --- timing ----------------------------------------------------------------------------


class Statements:
    """Every statement a request runs, with its parameters and time (for --explain)."""

    def __init__(self):
        self.seen: list[tuple[float, str, object]] = []

    def before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("started", []).append(time.perf_counter())

    def after(self, conn, cursor, statement, parameters, context, executemany):
        started = conn.info["started"].pop()
        self.seen.append(((time.perf_counter() - started) * 1000, statement, parameters))


def login(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )
    assert response.status_code in (302, 303), response.status_code


def median_ms(client, path: str, query: dict) -> float:
    client.get(path, query_string=query).close()  # warm-up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(path, query_string=query)
        response.get_data()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, query, response.status_code)
    return statistics.median(times)


# Issue 11's indexes as they were before, for the pages they serve: statements run in a
# transaction before the EXPLAIN, which is then rolled back.
BEFORE_QUEUE_INDEXES = [
    "DROP INDEX ix_ticket_directorate_status_due_at",
    "DROP INDEX ix_ticket_status_due_at",
    "CREATE INDEX ix_ticket_directorate_status ON ticket (directorate_id, status)",
    "CREATE INDEX ix_ticket_directorate_due_at ON ticket (directorate_id, due_at, id)",
    "CREATE INDEX ix_ticket_status ON ticket (status)",
]
INDEXES_BEFORE = {
    "officer queue, page 1": BEFORE_QUEUE_INDEXES,
    "officer queue, overdue only": BEFORE_QUEUE_INDEXES,
    f"officer queue, search “{SEARCH}”": ["DROP INDEX ix_ticket_search_trgm"],
    "map points, city zoom 13": ["DROP INDEX ix_ticket_lat_lon"],
}


def explain(client, path: str, query: dict, before: list[str] | None = None) -> None:
    """EXPLAIN ANALYZE of the slowest statement the request runs (PostgreSQL)."""
    statements = Statements()
    sa.event.listen(db.engine, "before_cursor_execute", statements.before)
    sa.event.listen(db.engine, "after_cursor_execute", statements.after)
    try:
        client.get(path, query_string=query).close()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", statements.before)
        sa.event.remove(db.engine, "after_cursor_execute", statements.after)
    if not statements.seen:
        return
    total = sum(ms for ms, _, _ in statements.seen)
    slowest_ms, statement, parameters = max(statements.seen, key=lambda seen: seen[0])
    print(f"  {len(statements.seen)} statements, {total:.1f} ms; slowest {slowest_ms:.1f} ms:")
    _print_plan(statement, parameters, [])
    if before:
        print("  the same statement with the indexes as before issue 11:")
        _print_plan(statement, parameters, before)


def _print_plan(statement: str, parameters, setup: list[str]) -> None:
    """EXPLAIN ANALYZE after `setup`, all in one transaction that is rolled back; the app's
    session's transaction (it holds the ticket table) ends first, or DROP INDEX would wait."""
    db.session.commit()
    with db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        cursor.execute("SET LOCAL lock_timeout = '30s'")
        for step in setup:
            cursor.execute(step)
        if setup:
            cursor.execute("ANALYZE ticket")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        for (line,) in cursor.fetchall():
            print("    " + line)
        cursor.close()
        connection.rollback()


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--tickets", type=int, help="default 1,000,000 (PostgreSQL), 100,000")
    arguments.add_argument(
        "--reuse", action="store_true", help="keep a PostgreSQL database already filled"
    )
    arguments.add_argument("--explain", action="store_true")
    options = arguments.parse_args()
    with bench_database(reuse=options.reuse) as app:
        dialect = db.engine.dialect.name
        count = options.tickets or DEFAULT_TICKETS[dialect]
        present = db.session.scalar(sa.select(sa.func.count(Ticket.id)))
        start = time.perf_counter()
        if present != count:
            db.session.execute(sa.delete(Ticket))  # only ever a scratch database
            db.session.commit()
            fill(count, datetime.now(UTC).replace(microsecond=0))
            filled = f"filled in {time.perf_counter() - start:.0f} s"
        else:
            filled = "reused"
        newest = db.session.scalar(sa.select(sa.func.max(Ticket.created_at)))
        events = db.session.scalar(sa.text("SELECT count(*) FROM ticket_event"))
        reference = db.session.scalar(
            sa.select(Ticket.reference)
            .join(User, User.directorate_id == Ticket.directorate_id)
            .where(User.username == "officer.water")
            .order_by(Ticket.id.desc())
            .limit(1)
        )
        rebuilt = refresh_rollups(full=True)
        if dialect == "postgresql":  # as autovacuum does soon after, for index-only scans
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
                vacuum.exec_driver_sql("VACUUM scorecard_ticket")
        # As after a few busy minutes: 300 tickets received over the year changed since the last
        # refresh (their figures stay, so a reused database stays the same), then the timer's.
        db.session.execute(
            sa.update(Ticket).where(Ticket.id % (count // 300) == 0).values(updated_at=utcnow())
        )
        db.session.commit()
        refreshed = refresh_rollups()
        db.session.remove()
        today = (newest or datetime.now(UTC)).date()
        year = ((today - timedelta(days=364)).isoformat(), today.isoformat())
        last_month = f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"
        public = app.test_client()
        officer = app.test_client()
        login(officer, "officer.water", "demo-water-2026")
        headers = {"Accept-Language": "en"}
        public.environ_base.update(HTTP_ACCEPT_LANGUAGE=headers["Accept-Language"])
        officer.environ_base.update(HTTP_ACCEPT_LANGUAGE=headers["Accept-Language"])
        baseline = median_ms(public, "/open311/v2/discovery.json", {})
        rows = []
        for label, path, query, as_officer in pages(*year, reference, last_month):
            client = officer if as_officer else public
            rows.append((label, median_ms(client, path, query)))
            if options.explain and dialect == "postgresql":
                print(label)
                explain(client, path, query, INDEXES_BEFORE.get(label))

    print(
        f"database: {dialect}; {count:,} tickets, {events:,} events ({filled}); "
        f"median of {REPEATS}, in process"
    )
    print(
        f"rollups: full rebuild {rebuilt.seconds:.1f} s; refresh after {refreshed.tickets} "
        f"changed tickets ({refreshed.days} days) {refreshed.seconds:.1f} s"
    )
    print(f"baseline (Open311 discovery, no ticket read): {baseline:.1f} ms")
    print(f"{'what':<46} {'median ms':>10} {'goal ms':>8} {'x baseline':>11}  met")
    for label, ms in rows:
        met = "yes" if ms < GOAL_MS else "NO"
        print(f"{label:<46} {ms:>10.1f} {GOAL_MS:>8} {ms / baseline:>11.1f}  {met}")
        record("scale", f"{dialect} {count:,}: {label}", ms, "ms", f"goal < {GOAL_MS}")


if __name__ == "__main__":
    if os.environ.get("BENCH_DATABASE_URL") is None:
        print("BENCH_DATABASE_URL unset: SQLite")
    main()
