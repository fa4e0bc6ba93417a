"""A message missing what or where gets one question; the next message from that number
completes the same ticket; silence routes it with what it has. Through the signed webhook."""

from datetime import timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Ticket, utcnow
from tests.conftest import count_rows
from tests.factories import only_ticket, reply_of


def test_arabic_missing_place_is_asked_and_the_answer_completes_the_ticket(app, twilio):
    question = reply_of(twilio.send("ماكو ماي من ثلاث ايام"))
    asked = only_ticket(app)
    assert asked.awaiting == "place" and asked.directorate is None
    assert asked.reference in question and "وين المشكلة" in question

    answer = reply_of(twilio.send("بحي الحسين"))
    ticket = only_ticket(app)
    assert ticket.reference == asked.reference
    assert ticket.awaiting is None
    assert ticket.category.code == "water-supply"
    assert ticket.area.code == "nbh-hayyaniya"
    assert ticket.lat is not None and ticket.location_method == "gazetteer"
    assert ticket.directorate.code == "water"
    assert ticket.original_text == "ماكو ماي من ثلاث ايام\nبحي الحسين"
    assert [e.kind for e in ticket.events] == ["created", "asked", "answered", "routed"]
    assert ticket.reference in answer and ticket.directorate.name_ar in answer


def test_english_missing_place_is_asked_and_answered(app, twilio):
    question = reply_of(twilio.send("There has been no water since yesterday"))
    assert "Where is the problem?" in question
    answer = reply_of(twilio.send("Al-Ashar, near the corniche"))
    ticket = only_ticket(app)
    assert ticket.area.name_en.endswith("Ashar")
    assert ticket.directorate.code == "water"
    assert answer.startswith(f"Your complaint is registered as {ticket.reference} and sent to")


def test_missing_category_is_asked_and_answered(app, twilio):
    question = reply_of(twilio.send("عندنا مشكلة بالعشار"))
    assert "شنو المشكلة؟" in question
    reply_of(twilio.send("الكهرباء مقطوعة"))
    ticket = only_ticket(app)
    assert ticket.category.group == "electricity"
    assert ticket.area.name_en.endswith("Ashar")
    assert ticket.directorate.code == "electricity"


def test_a_whatsapp_pin_answers_where(app, twilio):
    sender = "whatsapp:+9647801234567"
    reply_of(twilio.send("ماكو ماي", sender=sender))
    reply_of(twilio.send("", sender=sender, Latitude="30.5085", Longitude="47.7804"))
    ticket = only_ticket(app)
    assert ticket.location_method == "gps"
    assert ticket.directorate.code == "water"


def test_another_number_never_completes_someone_elses_ticket(app, twilio):
    reply_of(twilio.send("ماكو ماي", sender="+9647801111111"))
    reply_of(twilio.send("بحي الحسين", sender="+9647702222222"))
    with app.app_context():
        tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
        assert len(tickets) == 2
        assert tickets[0].awaiting == "place"


def test_after_the_window_the_ticket_is_routed_and_a_new_message_is_a_new_ticket(app, twilio):
    reply_of(twilio.send("ماكو ماي"))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        ticket.awaiting_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    reply_of(twilio.send("بحي الحسين"))
    assert count_rows(app, Ticket) == 2
    with app.app_context():
        first = db.session.scalar(sa.select(Ticket).order_by(Ticket.id))
        assert first.awaiting is None
        assert first.directorate.code == "water"  # routed with what it had: any-area rule
        assert first.area is None
        assert first.events[-1].details["note"] == "no answer to the question in time"


def test_cron_routes_unanswered_tickets(app, twilio, runner):
    reply_of(twilio.send("السلام عليكم"))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        ticket.awaiting_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    result = runner.invoke(args=["conversations-expire"])
    assert "Routed 1 ticket" in result.output
    ticket = only_ticket(app)
    assert ticket.awaiting is None
    assert ticket.directorate is None
    assert ticket.triage_reason == "category not recognised"


def test_a_new_complaint_instead_of_an_answer_opens_a_new_ticket(app, twilio):
    reply_of(twilio.send("ماكو ماي"))
    reply = reply_of(twilio.send("الكهرباء مقطوعة بالعشار من الصبح"))
    with app.app_context():
        first, second = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
        assert first.awaiting is None and first.directorate.code == "water"
        assert second.category.group == "electricity" and second.directorate.code == "electricity"
        assert second.reference in reply


def test_a_retried_question_or_answer_changes_the_ticket_once(app, twilio):
    """A channel's retry is handled again and rolled back at the unique message id: the same
    reply, and the pending ticket neither answered by its own question nor answered twice."""
    question = twilio.params("ماكو ماي من ثلاث ايام", sid="SM" + "d" * 32)
    asked = reply_of(twilio.post(question, twilio.signature(question)))
    assert reply_of(twilio.post(question, twilio.signature(question))) == asked
    assert only_ticket(app).awaiting == "place"

    answer = twilio.params("بحي الحسين", sid="SM" + "e" * 32)
    routed = reply_of(twilio.post(answer, twilio.signature(answer)))
    assert reply_of(twilio.post(answer, twilio.signature(answer))) == routed
    ticket = only_ticket(app)
    assert ticket.original_text == "ماكو ماي من ثلاث ايام\nبحي الحسين"
    assert [event.kind for event in ticket.events] == ["created", "asked", "answered", "routed"]
    assert count_rows(app, Message) == 2


def test_a_close_call_in_arabic_asks_which_of_two_and_the_number_decides(app, twilio):
    question = reply_of(twilio.send("انقطاع بالعشار من الصبح"))
    asked = only_ticket(app)
    assert asked.awaiting == "choice" and asked.directorate is None
    assert f"سجلنا شكواك برقم {asked.reference}." in question
    assert "ماكو ماي لو انقطاع كهرباء؟ رد 1 او 2" in question

    answer = reply_of(twilio.send("٢"))
    ticket = only_ticket(app)
    assert ticket.awaiting is None
    assert ticket.category.code == "electricity-outage"
    assert ticket.category_confidence == 1.0
    assert ticket.directorate.code == "electricity"
    assert [e.kind for e in ticket.events] == ["created", "asked", "answered", "routed"]
    assert ticket.events[1].details["choices"] == ["water-supply", "electricity-outage"]
    assert ticket.reference in answer and ticket.directorate.name_ar in answer


def test_a_close_call_in_english_is_answered_in_words_and_replied_to_in_english(app, twilio):
    question = reply_of(twilio.send("There is a cut in Al-Ashar since morning"))
    assert question.endswith("No water or Power cut? Reply 1 or 2")
    answer = reply_of(twilio.send("the power"))
    ticket = only_ticket(app)
    assert ticket.category.code == "electricity-outage"
    assert ticket.directorate.code == "electricity"
    assert answer.startswith(f"Your complaint is registered as {ticket.reference} and sent to")


def test_a_number_answers_an_english_choice_in_english(app, twilio):
    reply_of(twilio.send("There is a cut in Al-Ashar since morning"))
    answer = reply_of(twilio.send("1"))
    ticket = only_ticket(app)
    assert ticket.category.code == "water-supply"
    assert ticket.directorate.code == "water"
    assert answer.startswith("Your complaint is registered as")
