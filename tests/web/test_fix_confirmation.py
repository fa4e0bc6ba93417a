"""Fix confirmation by SMS (issue 15, point 1) through the real signed webhooks, the officer
pages and the database: the resolved notice asks "reply 1 if fixed, 2 if not"; 1 confirms and
counts on /stats; 2 reopens the complaint with priority, first in the officers' queue; silence
for 7 days is unconfirmed by sla-check; a bare 1 or 2 answers the question asked last."""

import re
from datetime import timedelta

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket, utcnow
from feedback.services import casework, incident_work
from feedback.services.rollups import refresh_rollups
from tests.conftest import csrf_from
from tests.factories import FILER, demo_user, reply_of, sms_ticket
from tests.services.test_incident_work import ONE, TWO, power_cut, tickets_of
from tests.web.test_android_channel import ANDROID, post, received
from tests.web.test_kannel_channel import KANNEL, inbound

ASKS_AR = "انحلت فعلا؟ رد 1 اذا انحلت، 2 اذا ما انحلت"
ASKS_EN = "Is it fixed? Reply 1 if fixed, 2 if not"
NOTHING_ASKED_EN = "We have no question waiting for your answer."


def ticket_of(reference: str) -> Ticket:
    return db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))


def last_sms() -> Outbox:
    return db.session.scalar(sa.select(Outbox).order_by(Outbox.id.desc()).limit(1))


def resolve(app, reference: str, message: str = "رجع الماي") -> None:
    with app.app_context():
        officer = demo_user("officer.water")
        casework.act(officer, reference, "acknowledge")
        casework.act(officer, reference, "resolve", message)


def kinds(reference: str) -> list[str]:
    return [event.kind for event in ticket_of(reference).events]


def test_resolved_on_the_officer_page_asks_and_a_2_reopens_it_first_in_the_queue(
    app, client, auth, twilio
):
    earlier = sms_ticket(twilio, "ماكو ماي بحي الحسين", sender="+9647809990001")
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    auth.login("officer.water")
    token = csrf_from(client, f"/officer/t/{reference}")
    client.post(f"/officer/t/{reference}/act/acknowledge", data={"csrf_token": token})
    client.post(
        f"/officer/t/{reference}/act/resolve",
        data={"csrf_token": token, "public_message": "بدلنا البوري"},
    )
    with app.app_context():
        sms = last_sms()
        assert sms.to_number == FILER and sms.body.startswith(f"شكواك {reference} انحلت")
        assert sms.body.endswith(ASKS_AR) and "بدلنا البوري" in sms.body
        assert ticket_of(reference).fix_asked_at is not None
        sent = db.session.scalar(sa.select(sa.func.count(Outbox.id)))

    reply = reply_of(twilio.send("٢"))
    assert reply == f"فتحنا شكواك {reference} مرة ثانية وبلغنا مديرية ماء البصرة بأولوية"
    with app.app_context():
        ticket = ticket_of(reference)
        assert (ticket.status, ticket.priority, ticket.fix_asked_at) == ("reopened", True, None)
        assert ticket.directorate.code == "water"
        assert kinds(reference)[-4:] == ["fix_asked", "not_fixed", "status", "escalated"]
        assert ticket.events[-2].to_status == "reopened"
        assert ticket.events[-1].details["level"] == "directorate"  # at once, to its head
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == sent  # the reply told

    public = client.get(f"/t/{reference}", headers={"Accept-Language": "en"}).get_data(True)
    assert "Citizen said not fixed on" in public
    assert "The citizen said it is not fixed: reopened with priority" in public
    assert "Escalated to the directorate head" in public
    assert FILER not in public and "7801234567" not in public

    queue = client.get("/officer/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Priority: citizen said not fixed" in queue
    assert queue.index(reference) < queue.index(earlier)  # its deadline is later, yet first
    page = client.get(f"/officer/t/{reference}", headers={"Accept-Language": "en"})
    assert 'id="priority-notice"' in page.get_data(as_text=True)

    # Resolved again: the priority has been seen to, and the citizen is asked again.
    client.post(f"/officer/t/{reference}/act/acknowledge", data={"csrf_token": token})
    client.post(
        f"/officer/t/{reference}/act/resolve",
        data={"csrf_token": token, "public_message": "فحصنا الضغط"},
    )
    with app.app_context():
        ticket = ticket_of(reference)
        assert (ticket.status, ticket.priority) == ("resolved", False)
        assert ticket.fix_asked_at is not None and last_sms().body.endswith(ASKS_AR)

    # Not fixed a second time: up to the governor's office.
    reply_of(twilio.send("2"))
    public = client.get(f"/t/{reference}", headers={"Accept-Language": "en"}).get_data(True)
    assert "Escalated to the governor&#39;s office" in public


def test_yes_confirms_the_fix_in_english_and_counts_on_stats(app, client, twilio):
    reference = sms_ticket(twilio, "No water in Hay Al-Hussein")
    resolve(app, reference, "The valve was replaced")
    with app.app_context():
        body = last_sms().body
        assert body.startswith(f"Complaint {reference} resolved: The valve was replaced")
        assert body.endswith(ASKS_EN)

    reply = reply_of(twilio.send("Yes!"))
    assert reply == f"Thank you: complaint {reference} is recorded as fixed."
    with app.app_context():
        ticket = ticket_of(reference)
        assert (ticket.status, ticket.fix_asked_at, ticket.priority) == ("resolved", None, False)
        assert kinds(reference)[-2:] == ["fix_asked", "confirmed_fixed"]
    assert "ما عدنا سؤال" in reply_of(twilio.send("1"))  # answered once; a digit: Arabic

    for refreshed in (False, True):  # by definition, then from the rollups
        if refreshed:
            with app.app_context():
                refresh_rollups()
        total = client.get("/stats.json?group=directorate").get_json()["total"]
        assert total["confirmed_fixed_by_citizens"] == {
            "numerator": 1,
            "denominator": 1,
            "percent": 100.0,
        }
        assert total["citizens_said_not_fixed"]["percent"] == 0.0
    page = client.get("/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Confirmed fixed by citizens" in page and "Citizens said not fixed" in page
    # Disputed 0 of 1, then confirmed fixed 1 of 1 and said not fixed 0 of 1, for all complaints.
    cells = r'title="0 of 1">0%</td>\s*<td class="num" title="1 of 1">100%</td>\s*'
    assert re.search(cells + r'<td class="num" title="0 of 1">0%</td>', page)
    public = client.get(f"/t/{reference}", headers={"Accept-Language": "en"}).get_data(True)
    assert "Citizen confirmed it fixed on" in public


def test_arabic_yes_with_punctuation_confirms(app, twilio):
    reference = sms_ticket(twilio)
    resolve(app, reference)
    assert reply_of(twilio.send("نعم.")) == f"شكرا، سجلنا ان شكواك {reference} انحلت فعلا"


def test_no_in_english_reopens(app, twilio):
    reference = sms_ticket(twilio, "No water in Hay Al-Hussein")
    resolve(app, reference, "Fixed")
    reply = reply_of(twilio.send("NO"))
    assert reply.startswith(f"Complaint {reference} is reopened") and "with priority" in reply


def test_silence_for_seven_days_is_unconfirmed_by_sla_check(app, client, twilio, runner):
    silent, recent = sms_ticket(twilio), sms_ticket(twilio, sender="+9647809990002")
    resolve(app, silent)
    resolve(app, recent)
    with app.app_context():  # the clock moves on: one was asked 7 days and a minute ago
        ticket_of(silent).fix_asked_at = utcnow() - timedelta(days=7, minutes=1)
        ticket_of(recent).fix_asked_at = utcnow() - timedelta(days=6, hours=23)
        db.session.commit()
    output = runner.invoke(args=["sla-check"]).output
    assert "1 fix(es) unconfirmed by the citizen" in output
    with app.app_context():
        assert ticket_of(silent).fix_asked_at is None
        assert kinds(silent)[-2:] == ["fix_asked", "unconfirmed"]
        assert ticket_of(silent).status == "resolved"  # closed only past the reopen window
        assert ticket_of(recent).fix_asked_at is not None
    assert "0 fix(es) unconfirmed" in runner.invoke(args=["sla-check"]).output
    public = client.get(f"/t/{silent}", headers={"Accept-Language": "en"}).get_data(True)
    assert "Citizen did not answer by" in public and "unconfirmed" in public
    # Now a 1 finds nothing awaiting: the citizen is told what to send, nothing changes.
    reply = reply_of(twilio.send("1"))
    assert "ما عدنا سؤال ينتظر ردك" in reply and "اعادة" in reply
    with app.app_context():
        assert kinds(silent)[-1] == "unconfirmed"


def test_sla_check_counts_a_long_silence_unconfirmed_before_closing(app, twilio, runner):
    reference = sms_ticket(twilio)
    resolve(app, reference)
    with app.app_context():
        ticket = ticket_of(reference)
        ticket.resolved_at = ticket.fix_asked_at = utcnow() - timedelta(days=15)
        db.session.commit()
    assert (
        "1 fix(es) unconfirmed by the citizen, 1 closed" in runner.invoke(args=["sla-check"]).output
    )
    with app.app_context():
        assert kinds(reference)[-2:] == ["unconfirmed", "status"]
        assert ticket_of(reference).status == "closed"


def test_a_bare_answer_with_nothing_awaiting_is_helped_and_changes_nothing(app, twilio):
    assert reply_of(twilio.send("2")).startswith("ما عدنا سؤال ينتظر ردك")
    assert reply_of(twilio.send("yes")).startswith(NOTHING_ASKED_EN)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0
    reference = sms_ticket(twilio)  # open, not resolved: nothing is asked of it yet
    assert reply_of(twilio.send("لا")).startswith("ما عدنا سؤال ينتظر ردك")
    with app.app_context():
        assert ticket_of(reference).status == "new"
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1


def test_the_close_call_question_asked_after_the_fix_question_takes_the_bare_2(app, twilio):
    resolved = sms_ticket(twilio)
    resolve(app, resolved)
    question = reply_of(twilio.send("انقطاع بالعشار من الصبح"))
    assert question.endswith("ماكو ماي لو انقطاع كهرباء؟ رد 1 او 2")
    answer = reply_of(twilio.send("2"))
    with app.app_context():
        new = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))
        assert (new.awaiting, new.category.code) == (None, "electricity-outage")
        assert new.reference in answer
        kept = ticket_of(resolved)
        assert (kept.status, kept.priority) == ("resolved", False)
        assert kept.fix_asked_at is not None  # still awaited: the next 1 or 2 is about it
    assert "انحلت فعلا" in reply_of(twilio.send("1"))


def test_the_fix_question_asked_after_the_close_call_question_takes_the_bare_1(app, twilio):
    resolved = sms_ticket(twilio)
    reply_of(twilio.send("انقطاع بالعشار من الصبح"))  # the close call is asked
    resolve(app, resolved)  # then the older complaint is resolved: asked last
    assert reply_of(twilio.send("١")) == f"شكرا، سجلنا ان شكواك {resolved} انحلت فعلا"
    with app.app_context():
        pending = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))
        assert pending.awaiting == "choice"  # its question still stands
    reply_of(twilio.send("2"))  # and now takes the next answer
    with app.app_context():
        pending = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()).limit(1))
        assert (pending.awaiting, pending.category.code) == (None, "electricity-outage")


def test_an_incident_resolution_asks_each_reporter_once(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        incident_work.act_on_incident(
            demo_user("officer.electricity"),
            incident_id,
            "resolve",
            "رجعت الكهرباء",
            "Power is back",
        )
        asked = db.session.scalars(sa.select(Outbox.to_number).order_by(Outbox.id)).all()
        assert sorted(asked) == sorted([ONE, TWO, "+9647801110003"])  # ONE reported twice
        first_of_one, of_two = tickets_of(incident_id)[:2]
        second_of_one = tickets_of(incident_id)[2]
        assert second_of_one.citizen_phone == ONE and second_of_one.fix_asked_at is None
    assert "انحلت فعلا" not in reply_of(twilio.send("2", sender=ONE))
    assert "recorded as fixed" in reply_of(twilio.send("yes", sender=TWO))
    with app.app_context():
        members = tickets_of(incident_id)
        assert [t.status for t in members[:3]] == ["reopened", "resolved", "resolved"]
        assert members[0].priority and members[0].reference == first_of_one.reference
        assert [e.kind for e in members[1].events][-1] == "confirmed_fixed"
        assert of_two.reference == members[1].reference


def test_whatsapp_kannel_and_android_answer_the_same_way(app, app_with, twilio):
    whatsapp = "whatsapp:+9647801234568"
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين", sender=whatsapp)
    resolve(app, reference)
    assert "انحلت فعلا" in reply_of(twilio.send("1", sender=whatsapp))

    kannel = app_with(**KANNEL)
    with kannel.app_context():
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
    inbound(kannel.test_client(), "ماكو ماي بحي الحسين".encode(), message_id="k1")
    with kannel.app_context():
        by_kannel = db.session.scalar(sa.select(Ticket.reference).order_by(Ticket.id.desc()))
    resolve(kannel, by_kannel)
    inbound(kannel.test_client(), "٢".encode(), message_id="k2")
    with kannel.app_context():
        assert ticket_of(by_kannel).status == "reopened" and ticket_of(by_kannel).priority
        assert "بأولوية" in last_sms().body and last_sms().channel == "kannel"

    android = app_with(**ANDROID)
    client = android.test_client()
    post(client, received(message_id="a1", sender="+9647801234569"))
    with android.app_context():
        by_android = db.session.scalar(sa.select(Ticket.reference).order_by(Ticket.id.desc()))
    resolve(android, by_android)
    post(client, received("نعم", message_id="a2", sender="+9647801234569", event_id="e2"))
    with android.app_context():
        assert kinds(by_android)[-1] == "confirmed_fixed"
        assert "انحلت فعلا" in last_sms().body and last_sms().channel == "android"


def test_reopen_while_asked_is_the_citizen_saying_not_fixed(app, twilio):
    reference = sms_ticket(twilio, "No water in Hay Al-Hussein")
    resolve(app, reference, "Fixed")
    reply = reply_of(twilio.send(f"REOPEN {reference} still dry"))
    assert reply.startswith(f"Complaint {reference} is reopened") and "with priority" in reply
    with app.app_context():
        ticket = ticket_of(reference)
        assert (ticket.status, ticket.priority) == ("reopened", True)
        assert ticket.original_text.endswith("\nstill dry")
        assert kinds(reference)[-3:] == ["not_fixed", "status", "escalated"]
