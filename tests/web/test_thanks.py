"""A citizen who writes to thank us, naming no problem, is thanked back: no ticket is opened and
nothing asks them what the problem is. Through the signed webhook."""

from feedback.models import Message, Ticket
from tests.conftest import count_rows
from tests.factories import only_ticket, reply_of


def test_arabic_thanks_for_a_fix_opens_no_ticket_and_is_thanked(app, twilio):
    reply = reply_of(twilio.send("تسلم ايد الجماعة اللي بدلوا المحولة بالجمهورية، الكهرباء رجعت"))
    assert reply.startswith("شكرا لرسالتك") and "سجلنا" not in reply  # nothing registered
    assert count_rows(app, Ticket) == 0
    assert count_rows(app, Message) == 1  # the thanks is kept, with no ticket


def test_english_thanks_is_thanked_in_english(app, twilio):
    reply = reply_of(twilio.send("Thank you for fixing the water pipe in Briha so fast"))
    assert reply.startswith("Thank you") and "registered" not in reply
    assert count_rows(app, Ticket) == 0


def test_thanks_with_a_problem_still_opens_a_ticket(app, twilio):
    reply_of(twilio.send("شكرا، بس ماكو ماي بحي الحسين من ثلاث ايام"))
    assert only_ticket(app).category.code == "water-supply"


def test_a_wish_to_complain_that_names_no_problem_is_asked_what_and_where(app, twilio):
    reply = reply_of(twilio.send("السلام عليكم عندي شكوى"))
    ticket = only_ticket(app)
    assert ticket.reference in reply and "شنو المشكلة ووين" in reply
