"""Walk-ins and calls (issue 16, point 4) through the real officer pages (login, CSRF), the
database and the outbox: staff record a complaint for a citizen; it is understood and routed
like an SMS, its reference shown to staff and texted to the citizen's number, and the citizen
gets the notices of any SMS citizen, the fix question included."""

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from tests.conftest import csrf_from
from tests.factories import reply_of
from tests.web.test_fix_confirmation import ASKS_AR

WALK_IN_PHONE = "+9647805551234"
COMPLAINT = "ماكو ماي بحي الحسين من يومين"


def record(client, **fields):
    data = {"csrf_token": csrf_from(client, "/officer/record"), "channel": "walk_in",
            "description": COMPLAINT, "area": "", "name": "", "phone": "", **fields}  # fmt: skip
    return client.post("/officer/record", data=data, follow_redirects=True)


def newest_ticket() -> Ticket | None:
    return db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))


def sms_to(number: str) -> list[Outbox]:
    return list(
        db.session.scalars(sa.select(Outbox).where(Outbox.to_number == number).order_by(Outbox.id))
    )


def test_a_walk_in_gets_a_reference_is_routed_and_its_citizen_gets_every_notice(
    app, client, auth, twilio
):
    auth.login("officer.electricity")  # any directorate's desk takes any complaint
    page = record(client, phone="0780 555 1234", name="أبو علي")
    assert page.status_code == 200
    with app.app_context():
        ticket = newest_ticket()
        reference = ticket.reference
        assert (ticket.channel, ticket.directorate.code) == ("walk_in", "water")
        assert (ticket.citizen_phone, ticket.citizen_name) == (WALK_IN_PHONE, "أبو علي")
        created = ticket.events[0]
        assert created.kind == "created" and created.actor.username == "officer.electricity"
        assert created.actor_label == "officer"
        assert [e.kind for e in ticket.events] == ["created", "routed"]
        [receipt] = sms_to(WALK_IN_PHONE)
        assert reference in receipt.body and receipt.withheld is None
    text = page.get_data(as_text=True)
    assert reference in text and "ماء البصرة" in text  # the reference and where it went
    assert COMPLAINT not in text  # a fresh form for the next citizen

    auth.logout()
    auth.login("officer.water")
    page = client.get(f"/officer/t/{reference}", headers={"Accept-Language": "en"})
    assert "in person, recorded by staff" in page.get_data(as_text=True)
    token = csrf_from(client, f"/officer/t/{reference}")
    for action, message in (("acknowledge", ""), ("resolve", "بدلنا البوري")):
        data = {"csrf_token": token, "public_message": message}
        assert client.post(f"/officer/t/{reference}/act/{action}", data=data).status_code == 303
    with app.app_context():
        notices = sms_to(WALK_IN_PHONE)
        assert notices[-1].body.startswith(f"شكواك {reference} انحلت")
        assert notices[-1].body.endswith(ASKS_AR)

    reply = reply_of(twilio.send("1", sender=WALK_IN_PHONE))  # the citizen answers by SMS
    assert reference in reply
    with app.app_context():
        assert newest_ticket().events[-1].kind == "confirmed_fixed"

    public = client.get(f"/t/{reference}").get_data(as_text=True)
    officer = "officer.electricity"
    assert officer not in public and "أبو علي" not in public and "5551234" not in public


def test_a_call_without_a_number_is_routed_and_texts_nobody(app, client, auth):
    auth.login("manager.water")
    page = record(client, channel="phone_call", description="No water in Hay Al-Hussein")
    assert page.status_code == 200
    with app.app_context():
        ticket = newest_ticket()
        assert (ticket.channel, ticket.directorate.code) == ("phone_call", "water")
        assert ticket.citizen_phone is None and ticket.language == "en"
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 0
    assert ticket.reference in page.get_data(as_text=True)


def test_the_area_staff_pick_places_it_over_the_text(app, client, auth):
    auth.login("admin")
    record(client, description="الزبالة ما انشالت من اسبوع", area="dist-zubair")
    with app.app_context():
        ticket = newest_ticket()
        assert (ticket.area.code, ticket.location_method) == ("dist-zubair", "staff")
        assert ticket.directorate.code == "municipalities"  # Zubair's own rule
    record(client, description="الزبالة ما انشالت من اسبوع")
    with app.app_context():
        assert newest_ticket().directorate.code == "municipality"  # the general rule


def test_a_bad_number_is_refused_next_to_its_field_and_the_text_stays(app, client, auth):
    auth.login("officer.water")
    page = record(client, phone="0780 12", name="أبو علي")
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "هذا ليس رقم هاتف صحيح" in text
    assert COMPLAINT in text and "0780 12" in text and "أبو علي" in text  # nothing lost
    with app.app_context():
        assert newest_ticket() is None


def test_the_governorate_and_monitors_record_nothing(app, client, auth):
    for visitor in ("governorate", "monitor"):
        auth.login(visitor)
        assert client.get("/officer/record").status_code == 403
        token = csrf_from(client, "/login")
        data = {"csrf_token": token, "channel": "walk_in", "description": COMPLAINT}
        assert client.post("/officer/record", data=data).status_code == 403
        auth.logout()
    with app.app_context():
        assert newest_ticket() is None


def test_a_number_that_texted_stop_gets_no_receipt_and_staff_are_told_why(
    app, client, auth, twilio
):
    reply_of(twilio.send("STOP", sender=WALK_IN_PHONE))
    auth.login("officer.water")
    page = record(client, phone="07805551234")
    with app.app_context():
        reference = newest_ticket().reference
        assert newest_ticket().citizen_phone == WALK_IN_PHONE
        [receipt] = [sms for sms in sms_to(WALK_IN_PHONE) if sms.ticket is not None]
        assert (receipt.status, receipt.withheld) == ("dropped", "notices_off")
    text = page.get_data(as_text=True)
    assert reference in text and "طلب هذا الرقم ألّا نرسل إليه إشعارات" in text
