"""The webhook's new ticket written by plain INSERTs (feedback.models.writes) stores what the
ORM would: every column set, the models' masking, defaults, the events in their order; and the
rows then belong to the session, so a later change is an UPDATE, never a second INSERT."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket, TicketEvent
from feedback.models.writes import insert_opened_ticket
from tests.factories import ticket_row

WHEN = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)


def new_ticket() -> tuple[Ticket, Message]:
    ticket = ticket_row(
        "ABCDE",
        original_text="ماكو ماي اتصلوا بي 07701234567",
        citizen_phone="+9647701234567",
        created_at=WHEN,
        updated_at=WHEN,
    )
    ticket.events.append(
        TicketEvent(created_at=WHEN, actor_label="citizen", kind="created", to_status="new")
    )
    ticket.events.append(
        TicketEvent(
            created_at=WHEN, actor_label="system", kind="triage", details={"reason": "no place"}
        )
    )
    message = Message(
        channel="sms",
        direction="in",
        external_id="SM1",
        from_number="+9647701234567",
        to_number="4455",
        body="ماكو ماي اتصلوا بي 07701234567",
        reply_body="سجلنا شكواك",
    )
    message.ticket = ticket
    return ticket, message


def test_rows_are_what_the_orm_would_store(app):
    with app.app_context():
        ticket, message = new_ticket()
        insert_opened_ticket(db.session, ticket, message)
        db.session.commit()
        db.session.expunge_all()
        stored = db.session.scalar(sa.select(Ticket))
        assert stored.reference == "ABCDE" and stored.created_at == WHEN
        assert "07701234567" not in stored.public_text  # masked by the model's validator
        assert stored.original_text.endswith("07701234567")
        assert stored.location_method == "none"  # a column default
        assert [(e.kind, e.to_status, e.details) for e in stored.events] == [
            ("created", "new", None),
            ("triage", None, {"reason": "no place"}),
        ]
        assert stored.events[0].id < stored.events[1].id
        row = db.session.scalar(sa.select(Message))
        assert (row.ticket_id, row.raw, row.reply_body) == (stored.id, {}, "سجلنا شكواك")
        assert row.created_at is not None


def test_later_changes_update_the_rows_once_written(app):
    with app.app_context():
        ticket, message = new_ticket()
        insert_opened_ticket(db.session, ticket, message)
        ticket.status = "acknowledged"
        db.session.add(
            Outbox(
                ticket=ticket, to_number="+9647701234567", body="x", language="ar", channel="sms"
            )
        )
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(TicketEvent.id))) == 2
        assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 1
        assert db.session.scalar(sa.select(Ticket.status)) == "acknowledged"
        assert db.session.scalar(sa.select(Outbox.ticket_id)) == ticket.id


def test_a_message_seen_before_writes_nothing(app):
    """The unique (channel, direction, external_id) refuses the whole statement: no ticket
    is left without its message."""
    with app.app_context():
        ticket, message = new_ticket()
        insert_opened_ticket(db.session, ticket, message)
        db.session.commit()
        again, repeated = new_ticket()
        again.reference = "FGHJK"
        with pytest.raises(sa.exc.IntegrityError):
            insert_opened_ticket(db.session, again, repeated)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1
