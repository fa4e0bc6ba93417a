"""The officer's queue, page after page, is every ticket the filter picks in deadline order
(tickets without one last, ties by id), with no repeat and none missed, and the overdue count
is theirs: on a generated set with shared deadlines, missing ones and every status."""

import random
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from feedback.domain.lifecycle import OPEN_STATUSES
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, Ticket, User, utcnow
from feedback.models.incidents import Incident
from feedback.services.areas import area_and_descendant_ids
from feedback.services.queues import NO_DEADLINE, PAGE_SIZE, QueueFilter, officer_queue
from tests.factories import demo_user, ticket_row

STATUSES = ["new", "acknowledged", "in_progress", "resolved", "rejected", "closed", "reopened"]
OPEN = {status.value for status in OPEN_STATUSES}


@pytest.fixture
def tickets(app):
    """260 tickets over two directorates and triage; deadlines shared, past, future, none."""
    rng = random.Random(17)
    now = utcnow()
    with app.app_context():
        directorates = list(
            db.session.scalars(sa.select(Directorate).order_by(Directorate.id).limit(2))
        )
        categories = list(db.session.scalars(sa.select(Category).order_by(Category.id).limit(4)))
        areas = list(db.session.scalars(sa.select(Area).where(Area.kind != "governorate")))
        deadlines = [now + timedelta(hours=h) for h in (-50, -3, 0.5, 7, 30)]
        for number in range(260):
            due = rng.choice(
                [*deadlines, None, now + timedelta(minutes=rng.randrange(-9000, 9000))]
            )
            db.session.add(
                ticket_row(
                    f"Q{number:04d}",
                    original_text=rng.choice(["ماكو ماي", "no water at the bakery", "كهرباء"]),
                    status=rng.choice(STATUSES),
                    directorate=rng.choice([*directorates, None]),
                    category=rng.choice(categories),
                    area=rng.choice(areas),
                    created_at=now - timedelta(days=3),
                    due_at=due,
                )
            )
        db.session.commit()


def _expected(user: User, wanted: QueueFilter, now: datetime) -> tuple[list[str], int]:
    """The queue worked out in Python from every ticket."""
    directorate = user.directorate_id if user.role == "officer" else wanted.directorate_id
    areas = set(area_and_descendant_ids(wanted.area)) if wanted.area else None
    picked = []
    for ticket in db.session.scalars(sa.select(Ticket)):
        if (directorate is not None or user.role == "officer") and (
            ticket.directorate_id != directorate
        ):
            continue
        if wanted.status and ticket.status != wanted.status:
            continue
        if not wanted.status and ticket.status not in OPEN:
            continue
        if wanted.category and (ticket.category is None or ticket.category.code != wanted.category):
            continue
        if areas is not None and ticket.area_id not in areas:
            continue
        if wanted.text and not (
            wanted.text.lower() in ticket.reference.lower()
            or wanted.text.lower() in ticket.original_text.lower()
        ):
            continue
        picked.append(ticket)
    late = [t for t in picked if t.status in OPEN and t.due_at is not None and t.due_at < now]
    if wanted.overdue:
        picked = late
    picked.sort(key=lambda t: (t.due_at or NO_DEADLINE, t.id))
    return [t.reference for t in picked], len(late)


def _walk(
    user: User, wanted: QueueFilter, folded: dict[int, list[str]] | None = None
) -> tuple[list[str], int]:
    """Every page after the other, as the "Next page" link does; each incident's folded
    tickets go into `folded`."""
    seen, cursor, counts = [], None, set()
    folded = {} if folded is None else folded
    while True:
        page = officer_queue(user, wanted, cursor)
        assert len(page.tickets) <= PAGE_SIZE
        seen += [ticket.reference for ticket in page.tickets]
        for incident_id, row in page.incidents.items():
            assert incident_id not in folded  # one row per incident
            folded[incident_id] = [ticket.reference for ticket in row.tickets]
        counts.add(page.overdue_count)
        cursor = page.next_cursor
        if cursor is None:
            assert len(counts) == 1
            return seen, counts.pop()


FILTERS = [
    QueueFilter(),
    QueueFilter(overdue=True),
    QueueFilter(status="resolved"),
    QueueFilter(status="new", overdue=True),
    QueueFilter(text="WATER"),
    QueueFilter(text="q01"),
    QueueFilter(area="dist-basra"),
]


@pytest.mark.parametrize("wanted", FILTERS)
@pytest.mark.parametrize("username", ["officer.water", "admin"])
def test_pages_follow_the_deadlines_without_repeats_or_gaps(
    app, tickets, monkeypatch, wanted, username
):
    monkeypatch.setattr("feedback.services.queues.PAGE_SIZE", 7)
    now = utcnow()
    monkeypatch.setattr("feedback.services.queues.utcnow", lambda: now)
    with app.app_context():
        user = demo_user(username)
        found, overdue = _walk(user, wanted)
        expected, late = _expected(user, wanted, now)
    assert found == expected
    assert overdue == late


def test_an_admin_chooses_a_directorate_and_a_category(app, tickets):
    with app.app_context():
        admin = demo_user("admin")
        directorate = db.session.scalar(sa.select(sa.func.min(Directorate.id)))
        category = db.session.scalar(sa.select(Category.code).order_by(Category.id).limit(1))
        wanted = QueueFilter(directorate_id=directorate, category=category)
        found, overdue = _walk(admin, wanted)
        expected, late = _expected(admin, wanted, utcnow())
    assert found == expected and found
    assert overdue == late


@pytest.fixture
def incidents(app, tickets):
    """Five incidents holding about a quarter of the generated tickets; the ids."""
    rng = random.Random(5)
    with app.app_context():
        made = []
        for number in range(5):
            made.append(
                Incident(
                    category_id=db.session.scalar(sa.select(Category.id).limit(1)),
                    directorate_id=db.session.scalar(sa.select(sa.func.min(Directorate.id))),
                    status="open",
                    origin="grouped",
                    supporters=number,
                )
            )
        db.session.add_all(made)
        db.session.flush()
        for ticket in db.session.scalars(sa.select(Ticket)):
            if rng.random() < 0.25:
                ticket.incident_id = rng.choice(made).id
        db.session.commit()
        return [incident.id for incident in made]


@pytest.mark.parametrize("wanted", [FILTERS[0], FILTERS[1], FILTERS[4], FILTERS[6]])
@pytest.mark.parametrize("username", ["officer.water", "admin"])
def test_an_incident_is_one_row_where_its_most_urgent_ticket_would_be(
    app, incidents, monkeypatch, wanted, username
):
    monkeypatch.setattr("feedback.services.queues.PAGE_SIZE", 7)
    now = utcnow()
    monkeypatch.setattr("feedback.services.queues.utcnow", lambda: now)
    with app.app_context():
        user = demo_user(username)
        folded: dict[int, list[str]] = {}
        found, overdue = _walk(user, wanted, folded)
        expected, late = _expected(user, wanted, now)
        incident_of = dict(
            db.session.execute(sa.select(Ticket.reference, Ticket.incident_id)).all()
        )
        rows, members = [], {}
        for reference in expected:
            incident = incident_of[reference]
            if incident is None or incident not in members:
                rows.append(reference)
            if incident is not None:
                members.setdefault(incident, []).append(reference)
        assert found == rows and len(folded) >= 2
        assert folded == members
        assert overdue == late
        page = officer_queue(user, wanted)
        for incident_id, row in page.incidents.items():
            tickets = db.session.scalar(
                sa.select(sa.func.count(Ticket.id)).where(Ticket.incident_id == incident_id)
            )
            assert row.reports == tickets + row.incident.supporters
