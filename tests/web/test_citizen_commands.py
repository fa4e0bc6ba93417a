"""STATUS and REOPEN by SMS, through the signed webhook: answered only to the filer."""

from datetime import timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket, utcnow
from tests.factories import FILER, reply_of, resolved_ticket, sms_ticket


def test_status_tells_the_filer_the_status_and_last_answer(app, twilio):
    reference = resolved_ticket(twilio)
    arabic = reply_of(twilio.send(f"حالة {reference}", sender=FILER))
    assert reference in arabic and "محلولة" in arabic and "تم تصليح الخط" in arabic
    typed = reference.lower().translate(str.maketrans("23456789", "٢٣٤٥٦٧٨٩"))
    english = reply_of(twilio.send(f"STATUS {typed}", sender=FILER))
    assert english.startswith(f"Complaint {reference}: resolved.")


def test_status_from_another_number_reveals_nothing(app, twilio):
    reference = resolved_ticket(twilio)
    other = reply_of(twilio.send(f"حالة {reference}", sender="+9647709999999"))
    missing = reply_of(twilio.send("حالة ZZZZZ", sender="+9647709999999"))
    assert reference not in other and "ما لكينا" in other
    assert other == missing  # an existing ref and a made-up one look the same


def test_reopen_within_fourteen_days_reopens_with_the_new_words(app, twilio):
    reference = resolved_ticket(twilio)
    reply = reply_of(twilio.send(f"اعادة {reference} الماي بعده مقطوع", sender=FILER))
    assert reference in reply and "فتحنا" in reply
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        assert ticket.status == "reopened"
        assert ticket.original_text.endswith("\nالماي بعده مقطوع")
        reopened = [event for event in ticket.events if event.to_status == "reopened"]
        assert reopened[-1].actor_label == "citizen"
        assert ticket.events[-1].kind == "escalated"  # asked whether fixed: 'not fixed'
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 0  # the reply told them


def test_reopen_after_fourteen_days_is_refused(app, twilio):
    reference = resolved_ticket(twilio)
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        ticket.resolved_at = utcnow() - timedelta(days=15)
        db.session.commit()
    reply = reply_of(twilio.send(f"REOPEN {reference} still broken", sender=FILER))
    assert "over 14 days" in reply
    with app.app_context():
        assert db.session.scalar(sa.select(Ticket.status)) == "resolved"


def test_reopen_of_a_ticket_still_open_says_so(app, twilio):
    reference = sms_ticket(twilio, sender=FILER)
    reply = reply_of(twilio.send(f"اعادة {reference}", sender=FILER))
    assert "قيد المتابعة" in reply


def test_a_command_word_without_a_reference_in_a_complaint_is_a_complaint(app, twilio):
    reply = reply_of(twilio.send("حالة الكهرباء سيئة بالعشار من يومين", sender=FILER))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.category.group == "electricity"
        assert ticket.reference in reply
