"""SLA clocks: due from the category's hours, paused while waiting on the citizen, overdue
recorded once by sla-check, and quiet resolved tickets closed."""

from datetime import timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Ticket, TicketEvent, utcnow
from feedback.services.deadlines import close_quiet, record_overdue
from tests.factories import reply_of


def the_ticket() -> Ticket:
    return db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()))


def test_due_time_is_the_categorys_hours_after_receipt(app, twilio):
    reply_of(twilio.send("ماكو ماي بحي الحسين"))
    with app.app_context():
        ticket = the_ticket()
        assert ticket.due_at - ticket.created_at == timedelta(hours=ticket.category.sla_hours)


def test_the_clock_stands_still_while_the_citizen_is_asked(app, twilio):
    reply_of(twilio.send("ماكو ماي"))  # where? the clock stops
    with app.app_context():
        ticket = the_ticket()
        three_hours_earlier = timedelta(hours=3)
        ticket.created_at -= three_hours_earlier
        ticket.awaiting_until -= three_hours_earlier  # asked three hours ago
        db.session.commit()
    reply_of(twilio.send("بحي الحسين"))
    with app.app_context():
        ticket = the_ticket()
        waited = ticket.due_at - ticket.created_at - timedelta(hours=ticket.category.sla_hours)
        assert timedelta(hours=2, minutes=59) < waited <= timedelta(hours=3, seconds=5)


def test_sla_check_records_overdue_once(app, twilio, runner):
    reply_of(twilio.send("ماكو ماي بحي الحسين"))
    with app.app_context():
        ticket = the_ticket()
        ticket.due_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert record_overdue() == 1
        assert record_overdue() == 0
        kinds = db.session.scalars(sa.select(TicketEvent.kind)).all()
        assert kinds.count("overdue") == 1
    assert "0 ticket(s) newly overdue" in runner.invoke(args=["sla-check"]).output


def test_a_closed_or_on_time_ticket_is_not_overdue(app, twilio):
    reply_of(twilio.send("ماكو ماي بحي الحسين"))
    with app.app_context():
        assert record_overdue() == 0
        ticket = the_ticket()
        ticket.status, ticket.due_at = "resolved", utcnow() - timedelta(days=1)
        db.session.commit()
        assert record_overdue() == 0


def test_quiet_resolved_tickets_are_closed_after_the_reopen_window(app, twilio):
    reply_of(twilio.send("ماكو ماي بحي الحسين"))
    reply_of(twilio.send("الكهرباء مقطوعة بالعشار"))
    with app.app_context():
        old, recent = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
        old.status, old.resolved_at = "resolved", utcnow() - timedelta(days=15)
        recent.status, recent.resolved_at = "resolved", utcnow() - timedelta(days=2)
        db.session.commit()
        assert close_quiet() == 1
        db.session.expire_all()
        assert (old.status, recent.status) == ("closed", "resolved")
        assert old.closed_at is not None and old.events[-1].actor_label == "system"
