"""Officers' actions against the real database: every legal move, every illegal one, one
event and (for the citizen) exactly one outbox row each, and nothing half-done."""

import itertools

import pytest
import sqlalchemy as sa

from feedback.domain.lifecycle import ALLOWED, TARGET, Action, InvalidTransition, MissingMessage
from feedback.extensions import db
from feedback.models import Outbox, Ticket, TicketEvent
from feedback.services import casework
from feedback.services.errors import NotFound
from tests.factories import demo_user, sms_ticket

ACTIONS = list(Action)
COMPLAINT = "ماكو ماي بحي الحسين من يومين"


def count_rows(_app, model) -> int:
    """Counted in the test's own session: a second one would wait on SQLite's write lock."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def force_status(reference: str, status: str) -> None:
    ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
    ticket.status = status
    db.session.commit()


@pytest.mark.parametrize(
    ("status", "action"), list(itertools.product([s.value for s in ALLOWED], ACTIONS))
)
def test_every_action_from_every_status(app, twilio, status, action):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context():
        force_status(reference, status)
        events_before = count_rows(app, TicketEvent)
        outbox_before = count_rows(app, Outbox)
        legal = TARGET[action] in ALLOWED[status]
        officer = demo_user("officer.water")
        message = "تم الاصلاح" if action in (Action.RESOLVE, Action.REJECT) else None
        if legal:
            ticket = casework.act(officer, reference, action.value, message)
            assert ticket.status == TARGET[action].value
            asked = action == Action.RESOLVE  # the resolved notice asks "is it fixed?"
            assert count_rows(app, TicketEvent) == events_before + 1 + asked
            citizen_told = action != Action.CLOSE
            assert count_rows(app, Outbox) == outbox_before + (1 if citizen_told else 0)
        else:
            with pytest.raises(InvalidTransition):
                casework.act(officer, reference, action.value, message)
            db.session.expire_all()
            ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
            assert ticket.status == status  # nothing half-changed
            assert count_rows(app, TicketEvent) == events_before
            assert count_rows(app, Outbox) == outbox_before


@pytest.mark.parametrize("action", ["resolve", "reject"])
def test_resolve_and_reject_need_a_public_message(app, twilio, action):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context():
        with pytest.raises(MissingMessage):
            casework.act(demo_user("officer.water"), reference, action, "   ")
        assert count_rows(app, Outbox) == 0


def test_resolving_texts_the_citizen_in_their_language(app, twilio):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context():
        officer = demo_user("officer.water")
        casework.act(officer, reference, "acknowledge")
        casework.act(officer, reference, "resolve", "تم تصليح الخط وعاد الضخ")
        rows = db.session.scalars(sa.select(Outbox).order_by(Outbox.id)).all()
        assert [r.to_number for r in rows] == ["+9647801234567"] * 2
        assert "تم تصليح الخط وعاد الضخ" in rows[-1].body
        assert rows[-1].body.endswith("رد 1 اذا انحلت، 2 اذا ما انحلت")  # is it fixed?
        assert all(r.language == "ar" and r.status == "pending" for r in rows)


def test_another_directorates_officer_cannot_reach_the_ticket(app, twilio):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context():
        stranger = demo_user("officer.electricity")
        for attempt in (
            lambda: casework.ticket_for(stranger, reference),
            lambda: casework.act(stranger, reference, "acknowledge"),
            lambda: casework.transfer(stranger, reference, "sewerage", "ليس من اختصاصنا"),
            lambda: casework.add_note(stranger, reference, "x"),
        ):
            with pytest.raises(NotFound):
                attempt()
        assert count_rows(app, Outbox) == 0


def test_a_monitor_reaches_no_ticket_through_casework(app, twilio):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context(), pytest.raises(NotFound):
        casework.act(demo_user("monitor"), reference, "acknowledge")


def test_transfer_moves_the_ticket_to_the_other_queue_as_new(app, twilio):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context():
        officer = demo_user("officer.water")
        casework.act(officer, reference, "acknowledge")
        ticket = casework.transfer(officer, reference, "sewerage", "المشكلة من المجاري")
        assert ticket.directorate.code == "sewerage" and ticket.status == "new"
        assert ticket.events[-1].kind == "transfer"
        assert ticket.events[-1].details == {"from": "water", "to": "sewerage"}
        with pytest.raises(NotFound):
            casework.ticket_for(officer, reference)
        assert "مجاري" in db.session.scalars(sa.select(Outbox.body).order_by(Outbox.id)).all()[-1]


def test_transfer_needs_a_reason_and_another_directorate(app, twilio):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context():
        officer = demo_user("officer.water")
        with pytest.raises(MissingMessage):
            casework.transfer(officer, reference, "sewerage", " ")
        with pytest.raises(casework.UnknownDirectorate):
            casework.transfer(officer, reference, "water", "نفس الدائرة")
        with pytest.raises(casework.UnknownDirectorate):
            casework.transfer(officer, reference, "no-such", "سبب")


def test_internal_note_is_never_public_nor_texted(app, twilio, client):
    reference = sms_ticket(twilio, COMPLAINT)
    with app.app_context():
        casework.add_note(demo_user("officer.water"), reference, "المقاول تأخر، لا تنشر")
        assert count_rows(app, Outbox) == 0
        db.session.remove()
    assert "المقاول" not in client.get(f"/t/{reference}").get_data(as_text=True)
