"""The officer's queue at 100,000 tickets: time to open the first page and a deep page with
keyset paging (what /officer/ does), against OFFSET paging at the same depth, in one run.

    .venv/bin/python bench/queue_scale.py [--tickets 100000] [--page 80]

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

import sqlalchemy as sa  # noqa: E402

from bench.scratch_db import bench_database  # noqa: E402
from bench.summary import record  # noqa: E402
from feedback.domain.lifecycle import OPEN_STATUSES  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Category, Directorate, Ticket, User, UTCDateTime, utcnow  # noqa: E402
from feedback.services.queues import (  # noqa: E402
    NO_DEADLINE,
    PAGE_SIZE,
    QueueFilter,
    officer_queue,
)

STATUSES = ["new", "acknowledged", "in_progress", "resolved", "rejected", "closed", "reopened"]
REPEATS = 15


def seed(count: int) -> None:
    rng = random.Random(7)
    directorates = db.session.scalars(sa.select(Directorate.id)).all()
    categories = db.session.execute(sa.select(Category.id, Category.sla_hours)).all()
    now = utcnow()
    rows = []
    for number in range(count):
        category_id, sla_hours = rng.choice(categories)
        created = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
        rows.append(
            {
                "reference": f"Q{number:07d}",
                "channel": "sms",
                "original_text": "ماكو ماي بحي الحسين",
                "public_text": "ماكو ماي بحي الحسين",
                "language": "ar",
                "category_id": category_id,
                "directorate_id": rng.choice(directorates),
                "status": rng.choice(STATUSES),
                "location_method": "none",
                "created_at": created,
                "updated_at": created,
                "due_at": created + timedelta(hours=sla_hours),
            }
        )
        if len(rows) == 10_000:
            db.session.execute(sa.insert(Ticket), rows)
            rows = []
    if rows:
        db.session.execute(sa.insert(Ticket), rows)
    db.session.commit()


def offset_page(user: User, page: int) -> list[Ticket]:
    """The baseline: the same query and count, paged with OFFSET."""
    open_values = [s.value for s in OPEN_STATUSES]
    deadline = sa.func.coalesce(Ticket.due_at, sa.literal(NO_DEADLINE, UTCDateTime()))
    query = sa.select(Ticket).where(
        Ticket.directorate_id == user.directorate_id, Ticket.status.in_(open_values)
    )
    db.session.scalar(
        sa.select(sa.func.count()).select_from(query.where(Ticket.due_at < utcnow()).subquery())
    )
    rows = query.order_by(deadline, Ticket.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    return list(db.session.scalars(rows))


def median_ms(action) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
        db.session.expunge_all()
    return statistics.median(times)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--tickets", type=int, default=100_000)
    arguments.add_argument("--page", type=int, default=80)
    options = arguments.parse_args()
    with bench_database():
        start = time.perf_counter()
        seed(options.tickets)
        seeded = time.perf_counter() - start
        user = db.session.scalar(sa.select(User).where(User.username == "officer.water"))
        cursors, cursor = [None], None
        for _ in range(options.page - 1):  # walk to the deep page as an officer would
            cursor = officer_queue(user, QueueFilter(), cursor).next_cursor
            cursors.append(cursor)
        deep_cursor = cursors[-1]
        first_keyset = median_ms(lambda: officer_queue(user, QueueFilter(), None))
        deep_keyset = median_ms(lambda: officer_queue(user, QueueFilter(), deep_cursor))
        first_offset = median_ms(lambda: offset_page(user, 1))
        deep_offset = median_ms(lambda: offset_page(user, options.page))
        same = [t.id for t in officer_queue(user, QueueFilter(), deep_cursor).tickets] == [
            t.id for t in offset_page(user, options.page)
        ]
        dialect = db.engine.dialect.name
        queue_size = db.session.scalar(
            sa.select(sa.func.count(Ticket.id)).where(
                Ticket.directorate_id == user.directorate_id,
                Ticket.status.in_([s.value for s in OPEN_STATUSES]),
            )
        )
    print(f"database: {dialect}; {options.tickets:,} tickets seeded in {seeded:.1f} s")
    print(f"officer.water's open queue: {queue_size:,} tickets, {PAGE_SIZE} a page")
    print(f"{'':>8} {'page 1 ms':>10} {f'page {options.page} ms':>12}")
    print(f"{'keyset':>8} {first_keyset:>10.1f} {deep_keyset:>12.1f}")
    print(f"{'offset':>8} {first_offset:>10.1f} {deep_offset:>12.1f}")
    print(f"deep page, offset/keyset: {deep_offset / deep_keyset:.2f}x; same rows: {same}")
    where = f"{dialect} {options.tickets:,}"
    offset_text = f"offset {first_offset:.1f} ms"
    record("queue_scale", f"{where}: page 1 (keyset)", first_keyset, "ms", offset_text)
    offset_text = f"offset {deep_offset:.1f} ms"
    record("queue_scale", f"{where}: page {options.page} (keyset)", deep_keyset, "ms", offset_text)


if __name__ == "__main__":
    main()
