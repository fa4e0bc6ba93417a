"""Flood control through the signed webhooks: past its limit a sender's messages are kept and
join its latest open ticket as follow-ups, answered at most once a window; counted from the
stored messages, so it holds with many requests at once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from feedback.domain.lifecycle import Status
from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket, TicketEvent, User, utcnow
from feedback.services import casework, ticket_status
from tests.conftest import TwilioWebhook, count_rows
from tests.factories import answer_of, demo_user
from tests.web.test_concurrency import post
from tests.web.test_kannel_channel import KANNEL, inbound

FLOODER = "+9647801234567"


def follow_ups(app) -> list[TicketEvent]:
    with app.app_context():
        query = sa.select(TicketEvent).where(TicketEvent.kind == "follow_up")
        return list(db.session.scalars(query))


def test_two_hundred_messages_from_one_number_make_ten_tickets_and_eleven_replies(app, twilio):
    answers = [
        answer_of(twilio.send(f"ماكو ماي بحي الحسين {i}", sender=FLOODER)) for i in range(200)
    ]
    assert count_rows(app, Message) == 200  # nothing lost
    assert count_rows(app, Ticket) == 10
    events = follow_ups(app)
    assert len(events) == 190
    replies = [answer for answer in answers if answer]
    assert len(replies) == 11
    with app.app_context():
        latest = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))
        assert {event.ticket_id for event in events} == {latest.id}
        assert events[-1].internal_note == "ماكو ماي بحي الحسين 199"
        assert events[-1].public_message is None  # staff read follow-ups; the public does not
        assert latest.reference in replies[-1] and "وصلتنا رسائلك" in replies[-1]
        over = db.session.scalars(sa.select(Message).where(Message.handling == "over_limit")).all()
        assert len(over) == 190 and all(m.ticket_id == latest.id for m in over)
    assert answers[10] == replies[-1] and answers[11:] == [None] * 189
    page = app.test_client().get(f"/t/{latest.reference}").get_data(as_text=True)
    assert "199" not in page


def test_the_limit_is_per_sender_and_channel(app, twilio):
    for i in range(12):
        twilio.send(f"ماكو ماي بحي الحسين {i}", sender=FLOODER)
    twilio.send("ماكو ماي بحي الحسين", sender="+9647709999999")
    twilio.send("ماكو ماي بحي الحسين", sender=f"whatsapp:{FLOODER}")
    assert count_rows(app, Ticket) == 12


def test_the_window_slides_messages_older_than_it_count_no_more(app, twilio):
    for i in range(10):
        twilio.send(f"ماكو ماي بحي الحسين {i}", sender=FLOODER)
    with app.app_context():
        db.session.execute(sa.update(Message).values(created_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
    assert "سجلنا" in answer_of(twilio.send("الكهرباء مقطوعة بالعشار", sender=FLOODER))
    assert count_rows(app, Ticket) == 11


def test_a_retried_message_past_the_limit_gets_the_same_empty_answer(app, twilio):
    for i in range(12):
        twilio.send(f"ماكو ماي بحي الحسين {i}", sender=FLOODER)
    params = twilio.params("ماكو ماي", sender=FLOODER, sid="SM" + "f" * 32)
    assert answer_of(twilio.post(params, twilio.signature(params))) is None
    assert answer_of(twilio.post(params, twilio.signature(params))) is None
    assert len(follow_ups(app)) == 3


def test_limits_are_configurable(app_with):
    app = app_with(FLOOD_MESSAGES_PER_SENDER=2, FLOOD_WINDOW_MINUTES=1)
    webhook = TwilioWebhook(app, app.test_client())
    answers = [answer_of(webhook.send(f"ماكو ماي بحي الحسين {i}")) for i in range(5)]
    assert count_rows(app, Ticket) == 2
    assert [bool(answer) for answer in answers] == [True, True, True, False, False]


def test_replies_through_the_outbox_are_limited_alike(app_with):
    app = app_with(**KANNEL)
    client = app.test_client()
    for i in range(30):
        text = f"ماكو ماي بحي الحسين {i}".encode()
        assert inbound(client, text, message_id=str(5000 + i)).status_code == 200
    assert count_rows(app, Ticket) == 10
    assert count_rows(app, Outbox) == 11


def test_thirty_messages_at_once_from_one_number_are_counted_exactly(app, client, live_server):
    webhook = TwilioWebhook(app, client)
    messages = [webhook.params(f"ماكو ماي بحي الحسين {i}", sender=FLOODER) for i in range(30)]
    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(lambda params: post(live_server, webhook, params), messages))
    assert [status for status, _ in results] == [200] * 30
    assert count_rows(app, Message) == 30
    assert count_rows(app, Ticket) == 10
    assert len(follow_ups(app)) == 20
    answered = [body for _, body in results if "<Message>" in body]
    assert len(answered) == 11


def test_an_officer_and_a_flood_on_the_same_ticket_never_deadlock(app, twilio):
    """The officer's action locks the ticket, then its notice waits for the number; the
    citizen's flood holds the number's sender lock, then waits for the ticket. Locks taken in
    a circle would deadlock (PostgreSQL aborts one); they must not."""
    for i in range(10):
        twilio.send(f"ماكو ماي بحي الحسين {i}", sender=FLOODER)
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference).order_by(Ticket.id.desc()))
        officer_id = demo_user("officer.water").id
    ticket_locked, errors = threading.Event(), []

    def officer_acts():
        try:
            with app.app_context():
                user = db.session.get(User, officer_id)
                ticket = casework.ticket_for(user, reference, lock=True)
                ticket_locked.set()
                time.sleep(0.5)  # the flood's message takes the number and waits for the ticket
                ticket_status.change_status(ticket, Status.ACKNOWLEDGED, user, None)
                db.session.commit()
        except Exception as error:
            errors.append(error)

    def citizen_floods():
        try:
            ticket_locked.wait(5)
            webhook = TwilioWebhook(app, app.test_client())
            assert webhook.send("ماكو ماي بعده", sender=FLOODER).status_code == 200
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=officer_acts), threading.Thread(target=citizen_floods)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(follow_ups(app)) == 1
