"""The scorecards read from the rollups are the scorecards as defined, figure for figure, on a
generated city (durations to the second, every status, reopenings, disputes, places at every
level of the tree and none, complaints by every channel), for every grouping and many
periods, of every channel or one, split by channel or not; and they stay so when
tickets change and the refresh reads only what changed, its rollups (map cells included) then
the very rows a rebuild gives."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from feedback.domain.channels import Channel
from feedback.domain.rollup import DURATION_BOUNDS, duration_bucket
from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    ReferenceDataVersion,
    Ticket,
    TicketEvent,
    User,
    Verification,
)
from feedback.models.rollups import (
    MapCell,
    RollupState,
    ScorecardDay,
    ScorecardHistogram,
    ScorecardOverdue,
    ScorecardTicket,
)
from feedback.services import rollups
from feedback.services.rollups import refresh_rollups
from feedback.services.stats import (
    Grouping,
    StatsQuery,
    scorecard,
    scorecard_by_definition,
)
from feedback.services.stats import (
    duration_bucket as duration_bucket_sql,
)
from feedback.services.stats_rollup import scorecard_from_rollups
from feedback.services.tickets import count_tickets
from tests.factories import reopening, ticket_row

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
STATUSES = ["new", "acknowledged", "in_progress", "resolved", "rejected", "closed", "reopened"]
# How often each channel brings a complaint: SMS and WhatsApp lead, staff record a few.
CHANNEL_WEIGHTS = {
    Channel.SMS: 8,
    Channel.WHATSAPP: 5,
    Channel.KANNEL: 2,
    Channel.WEB: 4,
    Channel.API: 1,
    Channel.WALK_IN: 2,
    Channel.PHONE_CALL: 1,
}


def _periods(rng: random.Random) -> list[tuple[date, date]]:
    """The page's default and a year back, whole months, single days, and random ones."""
    periods = [
        (TODAY - timedelta(days=89), TODAY),
        (TODAY - timedelta(days=364), TODAY),
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2025, 12, 29), date(2026, 2, 1)),
        (TODAY, TODAY),
        (date(2024, 11, 21), TODAY),
    ]
    for _ in range(6):
        start = date(2024, 12, 1) + timedelta(days=rng.randrange(700))
        periods.append((start, start + timedelta(days=rng.randrange(400))))
    return periods


def _seconds(rng: random.Random) -> int:
    """A duration to the second: mostly hours, some instant, some months."""
    roll = rng.random()
    if roll < 0.05:
        return rng.choice([0, 1, 59, 60, 86400, 86401])
    if roll < 0.1:
        return rng.randrange(30 * 86400, 400 * 86400)
    return int(3600 * 2 ** rng.uniform(-4, 8))


def _city(app, count: int = 360, seed: int = 11) -> None:
    """`count` tickets over two years before NOW, by a seeded draw."""
    rng = random.Random(seed)
    channels = random.Random(seed + 1)  # its own draw: the other draws stay as they were
    with app.app_context():
        directorates = list(db.session.scalars(sa.select(Directorate)))
        categories = list(db.session.scalars(sa.select(Category)))
        areas = list(db.session.scalars(sa.select(Area)))
        monitor = db.session.scalar(sa.select(User).where(User.role == "monitor"))
        for number in range(count):
            created = NOW - timedelta(seconds=rng.randrange(2 * 365 * 86400))
            status = rng.choice(STATUSES)
            ack = created + timedelta(seconds=_seconds(rng)) if status != "new" else None
            resolved = None
            if status in ("resolved", "rejected", "closed", "reopened"):
                resolved = created + timedelta(seconds=_seconds(rng))
            category = rng.choice([*categories, None])
            channel = channels.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
            ticket = ticket_row(
                f"G{number:05d}",
                channel=channel.value,
                category=category,
                area=rng.choice([*areas, None, None]),
                directorate=rng.choice([*directorates, None]),
                status=status,
                created_at=created,
                updated_at=created,
                acknowledged_at=ack,
                resolved_at=resolved,
                due_at=created + timedelta(hours=category.sla_hours) if category else None,
            )
            if rng.random() < 0.9:  # a point for the map, some shared
                ticket.lat = rng.choice([30.5085, rng.uniform(29.9, 31.1)])
                ticket.lon = rng.choice([47.7804, rng.uniform(47.2, 48.5)])
            db.session.add(ticket)
            if resolved and rng.random() < 0.3:
                ticket.events.append(reopening())
            if resolved and rng.random() < 0.5:  # asked "is it fixed?", and what came of it
                answers = rng.sample(["confirmed_fixed", "not_fixed"], rng.randrange(3))
                for kind in ["fix_asked", *answers]:
                    ticket.events.append(TicketEvent(actor_label="citizen", kind=kind))
            if resolved and rng.random() < 0.25:
                verdict = rng.choice(["verified", "disputed"])
                db.session.add(
                    Verification(ticket=ticket, monitor=monitor, verdict=verdict, note="seen")
                )
        db.session.commit()


@pytest.fixture
def city(app):
    _city(app)
    yield
    with app.app_context():
        db.session.execute(sa.delete(Verification))
        db.session.commit()


def _same(app, periods, language="en") -> None:
    """Every grouping and period: the rollups give the very figures the definition gives, for
    every channel together and split by channel, and for a busy channel and a rare one."""
    choices = [
        {"trend_all": False},
        {"trend_all": True},
        {"by_channel": True},
        {"channel": Channel.SMS},
        {"channel": Channel.WALK_IN, "trend_all": True},
        {"channel": Channel.PHONE_CALL, "by_channel": True},
    ]
    with app.app_context():
        for grouping in Grouping:
            for start, end in periods:
                for options in choices:
                    query = StatsQuery(start, end, grouping, **options)
                    defined = scorecard_by_definition(query, language, NOW)
                    rolled = scorecard_from_rollups(query, language)
                    where = (grouping.value, start, end, options)
                    assert rolled.groups == defined.groups, where
                    assert rolled.total == defined.total, where
                    assert rolled.weeks == defined.weeks, where
                    assert rolled.trends == defined.trends, where


def test_the_generated_city_splits_into_every_channel(app, city):
    """The comparisons above are of real splits: each channel has figures of its own."""
    query = StatsQuery(TODAY - timedelta(days=364), TODAY, by_channel=True)
    with app.app_context():
        refresh_rollups(now=NOW)
        total = scorecard_from_rollups(query, "en").total
    assert [split.key for split in total.channels] == [c.value for c in CHANNEL_WEIGHTS]
    assert sum(split.received for split in total.channels) == total.received
    assert all(split.to_resolve.median_seconds for split in total.channels)


def test_rollups_give_the_defined_figures_on_a_generated_city(app, city):
    with app.app_context():
        done = refresh_rollups(now=NOW)
        assert done.full and done.tickets == 360
        # The durations really spread over many buckets, and the periods over every piece.
        buckets = db.session.scalars(sa.select(ScorecardTicket.ack_bucket).distinct()).all()
        assert len(buckets) > 40
    _same(app, _periods(random.Random(3)))
    _same(app, [(TODAY - timedelta(days=89), TODAY)], language="ar")


def _rollup_rows(app) -> dict:
    with app.app_context():
        return {
            model.__tablename__: sorted(
                tuple(row) for row in db.session.execute(sa.select(*model.__table__.columns))
            )
            for model in (
                ScorecardTicket,
                ScorecardDay,
                ScorecardHistogram,
                ScorecardOverdue,
                MapCell,
            )
        }


def test_a_refresh_reads_what_changed_and_ends_where_a_rebuild_would(app, city):
    rng = random.Random(5)
    with app.app_context():
        refresh_rollups(now=NOW - timedelta(hours=1))
        tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
        later = NOW - timedelta(minutes=30)
        for ticket in rng.sample(tickets, 40):
            changes = ["acknowledge", "resolve", "transfer", "move", "reopen", "confirm"]
            change = rng.choice(changes)
            if change == "acknowledge":
                ticket.acknowledged_at = later
            elif change == "resolve":
                ticket.resolved_at, ticket.status = later, "resolved"
            elif change == "transfer":
                ticket.directorate = None
            elif change == "move":
                ticket.area = None
                ticket.lat, ticket.lon = rng.choice([(30.55, 47.83), (None, None)])
            elif change == "reopen":
                ticket.events.append(reopening())
            else:  # asked and confirmed: counts on the day it was received
                for kind in ("fix_asked", "confirmed_fixed"):
                    ticket.events.append(TicketEvent(actor_label="citizen", kind=kind))
            ticket.updated_at = later
        # A ticket written with an old updated_at (as the demo seed backdates) is new all the same.
        backdated = NOW - timedelta(days=200)
        db.session.add(ticket_row("GNEW1", created_at=backdated, updated_at=backdated))
        db.session.commit()
        done = refresh_rollups(now=NOW)
        assert not done.full and done.tickets == 41
    _same(app, _periods(random.Random(8))[:6])
    incremental = _rollup_rows(app)
    with app.app_context():
        assert refresh_rollups(full=True, now=NOW).full
    assert _rollup_rows(app) == incremental


def test_until_a_refresh_the_rollups_keep_their_figures(app, city):
    query = StatsQuery(TODAY - timedelta(days=89), TODAY)
    with app.app_context():
        assert scorecard_from_rollups(query, "en") is None  # never refreshed: by definition
        assert scorecard(query, "en").refreshed_at is None
        refresh_rollups(now=NOW)
        before = scorecard(query, "en")
        assert before.refreshed_at == NOW
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.status == "new").limit(1))
        ticket.created_at = NOW - timedelta(days=1)
        ticket.updated_at = NOW + timedelta(minutes=1)
        db.session.commit()
        assert scorecard(query, "en").total == before.total  # as of the refresh
        refresh_rollups(now=NOW + timedelta(minutes=5))
        after = scorecard(query, "en")
        assert after.refreshed_at == NOW + timedelta(minutes=5)
        assert after.total.received == scorecard_by_definition(query, "en", NOW).total.received


def test_places_moved_between_districts_rebuild_everything(app, city):
    with app.app_context():
        refresh_rollups(now=NOW)
        assert not refresh_rollups(now=NOW).full
        db.session.get(ReferenceDataVersion, 1).version += 1
        db.session.commit()
        assert refresh_rollups(now=NOW).full
        assert not refresh_rollups(now=NOW).full


def test_a_long_pause_rebuilds_everything(app, city, monkeypatch):
    monkeypatch.setattr(rollups, "MAX_CHANGED", 5)
    with app.app_context():
        refresh_rollups(now=NOW)
        state = db.session.get(RollupState, 1)
        state.changed_since = NOW - timedelta(days=3000)
        db.session.commit()
        assert refresh_rollups(now=NOW).full


def test_buckets_in_sql_are_the_buckets_in_python(app):
    values = sorted({0, 1, -7, *DURATION_BOUNDS, *(b - 1 for b in DURATION_BOUNDS), 10**10})
    seconds = sa.literal_column("seconds", sa.BigInteger)
    with app.app_context():
        for value in values:
            query = sa.select(duration_bucket_sql(seconds)).select_from(
                sa.select(sa.literal(value, sa.BigInteger).label("seconds")).subquery()
            )
            assert db.session.scalar(query) == duration_bucket(value), value
        null = sa.select(duration_bucket_sql(sa.null()))
        assert db.session.scalar(null) is None


def test_the_count_of_complaints_so_far_is_exact_before_and_after_a_refresh(app, client, city):
    def home() -> str:
        return client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    assert "360 complaints received so far." in home()
    with app.app_context():
        refresh_rollups(now=NOW)
        assert count_tickets() == 360
        for reference in ("GNEW2", "GNEW3"):
            db.session.add(ticket_row(reference, created_at=NOW))
        db.session.commit()
        assert count_tickets() == 362  # the two written since the refresh
    assert "362 complaints received so far." in home()
