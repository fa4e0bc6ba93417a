"""`flask seed-demo` loads the Basra set and realistic tickets into an empty database;
`flask seed-reference` only the Basra set, for production."""

from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    RoutingRule,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from feedback.models.attachments import Attachment
from feedback.services.seed import read_yaml
from tests.conftest import make_app


def test_seed_demo_on_an_empty_database(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--tickets", "60"])
    assert result.exit_code == 0, result.output
    assert "60 demo tickets" in result.output
    with app.app_context():
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        assert count(Directorate) == 12
        assert count(Category) == len(read_yaml("categories.yaml"))
        districts = db.session.scalars(sa.select(Area).where(Area.kind == "district")).all()
        assert {"Al-Faw District", "Al-Zubair District", "Al-Qurna District"} <= {
            d.name_en for d in districts
        }
        assert all(d.lat is not None for d in districts)
        assert count(RoutingRule) == len(read_yaml("routing_rules.yaml"))
        assert {u.role for u in db.session.scalars(sa.select(User))} == {
            "admin",
            "officer",
            "manager",
            "governorate",
            "monitor",
        }
        assert count(Ticket) == 60
        assert count(TicketEvent) >= 120  # created + routed/triage at least
        oldest = db.session.scalar(sa.select(sa.func.min(Ticket.created_at)))
        assert utcnow() - oldest > timedelta(days=20)  # spread over the last 90 days
        statuses = set(db.session.scalars(sa.select(Ticket.status)))
        assert {"new", "resolved"} <= statuses
        assert db.session.scalar(sa.select(sa.func.count()).where(Ticket.directorate_id.is_(None)))
        # Drawn photos: half approved (public), half waiting for the demo's moderators.
        reviews = sorted(db.session.scalars(sa.select(Attachment.review)))
        assert reviews == ["approved", "approved", "pending", "pending"]
        approved = db.session.scalar(sa.select(Attachment).where(Attachment.review == "approved"))
        assert app.extensions["feedback.attachment_storage"].get(approved.storage_key)
        db.engine.dispose()
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code == 1


def test_seed_reference_loads_no_users_and_no_tickets(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-reference"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        assert count(Directorate) == 12
        assert count(Category) == len(read_yaml("categories.yaml"))
        assert count(RoutingRule) == len(read_yaml("routing_rules.yaml"))
        assert count(User) == 0 and count(Ticket) == 0
        db.engine.dispose()
    again = runner.invoke(args=["seed-reference"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
