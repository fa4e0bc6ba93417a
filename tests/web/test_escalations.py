"""Escalation through the real paths: complaints by the signed webhook, `flask sla-check` with
the clock moved past one and two SLAs, the public timeline, the managers' and the governor's
office's escalations page, the daily digest by SMS (the outbox) and by email (a local SMTP
server), the public map's filter and the scorecards' count."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.domain.escalation import EscalationLevel, EscalationReason
from feedback.extensions import db
from feedback.models import Escalation, Outbox, Ticket, User, utcnow
from feedback.services import escalations
from tests.factories import demo_user, sms_ticket
from tests.web.test_public_map import points, references

MANAGER_PHONE = "+9647709876543"


def move_clock(monkeypatch, to):
    """What `flask sla-check` takes for now."""
    for module in ("feedback.services.escalations", "feedback.services.deadlines"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: to)


def sla_check(runner) -> str:
    result = runner.invoke(args=["sla-check"])
    assert result.exit_code == 0, result.output
    return result.output


def rungs(app, reference: str) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (e.level, e.reason)
            for e in db.session.scalars(
                sa.select(Escalation)
                .join(Ticket, Escalation.ticket_id == Ticket.id)
                .where(Ticket.reference == reference)
                .order_by(Escalation.id)
            )
        ]


def deadline_of(app, reference: str):
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        return ticket.created_at, ticket.due_at


def test_sla_check_escalates_once_past_one_sla_and_once_more_past_two(
    app, client, twilio, runner, monkeypatch
):
    reference = sms_ticket(twilio)
    received, due = deadline_of(app, reference)
    sla = due - received
    assert sla == timedelta(hours=48)

    move_clock(monkeypatch, due - timedelta(minutes=1))
    assert "0 escalation(s)" in sla_check(runner)
    assert rungs(app, reference) == []

    move_clock(monkeypatch, due + timedelta(minutes=1))
    assert "1 escalation(s)" in sla_check(runner)
    assert "0 escalation(s)" in sla_check(runner)  # run again: nothing new
    assert rungs(app, reference) == [("directorate", "overdue")]

    move_clock(monkeypatch, received + 2 * sla + timedelta(minutes=1))
    assert "1 escalation(s)" in sla_check(runner)
    assert "0 escalation(s)" in sla_check(runner)
    assert rungs(app, reference) == [("directorate", "overdue"), ("governorate", "overdue")]

    english = client.get(f"/t/{reference}", headers={"Accept-Language": "en"}).get_data(True)
    assert english.count("Escalated to the directorate head") == 1
    assert english.count("Escalated to the governor&#39;s office") == 1
    arabic = client.get(f"/t/{reference}", headers={"Accept-Language": "ar"}).get_data(True)
    assert "تم تصعيدها إلى مدير المديرية" in arabic and "تم تصعيدها إلى مكتب المحافظ" in arabic
    with app.app_context():  # who receives it is never named publicly
        for name in (demo_user("manager.water").name, demo_user("governorate").name):
            assert name not in english


def test_a_ticket_late_by_twice_its_sla_goes_to_both_at_once_and_only_open_ones(
    app, twilio, runner, monkeypatch
):
    late = sms_ticket(twilio)
    done = sms_ticket(twilio, "الكهرباء مقطوعة بالعشار")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == done))
        ticket.status = "resolved"
        db.session.commit()
    received, due = deadline_of(app, late)
    move_clock(monkeypatch, due + (due - received) + timedelta(hours=1))
    assert "2 escalation(s)" in sla_check(runner)
    assert [level for level, _ in rungs(app, late)] == ["directorate", "governorate"]
    assert rungs(app, done) == []


def test_a_run_that_read_before_another_committed_sends_nothing_twice(app, twilio, monkeypatch):
    """Two sla-check runs at once: the second read no escalation yet, and the unique key on
    (ticket, rung, reason) turns its insert away; it still commits its other work."""
    reference = sms_ticket(twilio)
    received, due = deadline_of(app, reference)
    now = due + timedelta(minutes=5)
    with app.app_context():
        assert escalations.escalate_overdue(now) == 1
    monkeypatch.setattr(escalations, "_reached", lambda ids, reason: {})
    with app.app_context():
        assert escalations.escalate_overdue(now) == 0
        kinds = (
            db.session.scalars(sa.select(Ticket).where(Ticket.reference == reference)).one().events
        )
        assert [e.kind for e in kinds].count("escalated") == 1
    assert rungs(app, reference) == [("directorate", "overdue")]


def test_escalations_page_shows_a_manager_their_directorates_and_the_governorate_all(
    app, client, twilio, auth
):
    water = sms_ticket(twilio)
    power = sms_ticket(twilio, "الكهرباء مقطوعة بالعشار")
    with app.app_context():
        for reference in (water, power):
            ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
            escalations.escalate_now(ticket.id, EscalationReason.NOT_FIXED)
        db.session.commit()
    auth.login("manager.water")
    page = client.get("/officer/escalations", headers={"Accept-Language": "en"}).get_data(True)
    assert water in page and power not in page
    assert "The citizen said it is not fixed" in page
    auth.logout()
    auth.login("governorate")
    page = client.get("/officer/escalations").get_data(as_text=True)
    assert water in page and power in page


@pytest.fixture
def digest_recipients(app, staff_user):
    """A water manager with a staff phone and an email, and a governor's office account with
    an email only; the demo manager and governorate have neither."""
    manager, governorate = staff_user("manager"), staff_user("governorate")
    with app.app_context():
        for user_id, phone, address in (
            (manager.id, MANAGER_PHONE, "head.water@basra.example"),
            (governorate.id, None, "governor@basra.example"),
        ):
            user = db.session.get(User, user_id)
            user.phone, user.email = phone, address
        db.session.commit()
    return manager, governorate


def test_daily_digest_by_sms_through_the_outbox_and_by_email(
    app_with, twilio, digest_recipients, smtp_sink
):
    reference = sms_ticket(twilio)
    with twilio.app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        escalations.escalate_now(ticket.id, EscalationReason.NOT_FIXED)
        escalations.escalate_now(ticket.id, EscalationReason.NOT_FIXED)  # the governorate too
        db.session.commit()
    mailing = app_with(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port, MAIL_USE_TLS=False)
    result = mailing.test_cli_runner().invoke(args=["escalation-digest"])
    assert result.exit_code == 0, result.output
    # Four recipients: the demo manager and governorate (nowhere to send it) and ours.
    assert "4 digest(s): 1 by SMS, 2 by email." in result.output

    with mailing.app_context():
        texts = db.session.scalars(
            sa.select(Outbox).where(Outbox.to_number == MANAGER_PHONE).order_by(Outbox.id)
        ).all()
        assert len(texts) == 1
        assert "New escalations: 2" in texts[0].body
        assert "https://feedback.test/officer/escalations" in texts[0].body
    by_address = {tuple(to): message for to, message in smtp_sink.received}
    assert set(by_address) == {("head.water@basra.example",), ("governor@basra.example",)}
    body = by_address[("governor@basra.example",)].get_content()
    assert by_address[("governor@basra.example",)]["Subject"] == "New escalations: 2"
    assert reference in body and "Escalated to the governor's office" in body
    assert f"https://feedback.test/officer/t/{reference}" in body
    assert "تم تصعيدها إلى مكتب المحافظ" in body


def test_no_digest_without_escalations_and_no_email_without_mail_server(
    app, runner, digest_recipients, twilio
):
    result = runner.invoke(args=["escalation-digest"])
    assert "0 digest(s)" in result.output
    reference = sms_ticket(twilio)
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        escalations.escalate_now(ticket.id, EscalationReason.OVERDUE)
        db.session.commit()
    result = runner.invoke(args=["escalation-digest"])
    assert "by SMS, 0 by email." in result.output


def test_a_digest_run_again_repeats_nothing_and_a_missed_day_is_caught_up(
    app, runner, digest_recipients, twilio
):
    """Cron may run the digest twice, or miss a day: each escalation is told once, late
    rather than never."""
    reference = sms_ticket(twilio)
    with app.app_context():
        ticket_id = db.session.scalar(sa.select(Ticket.id).where(Ticket.reference == reference))
        escalations.escalate_now(ticket_id, EscalationReason.NOT_FIXED)
        db.session.commit()
    assert "1 by SMS" in runner.invoke(args=["escalation-digest"]).output
    assert "0 digest(s)" in runner.invoke(args=["escalation-digest"]).output

    with app.app_context():
        escalations.escalate_now(ticket_id, EscalationReason.NOT_FIXED)  # the governorate
        db.session.commit()
        two_days_later = utcnow() + timedelta(days=2)
        digests = escalations.queue_digests("https://feedback.test/e", now=two_days_later)
        told = {digest.username: len(digest.escalations) for digest in digests}
        texts = db.session.scalars(
            sa.select(Outbox.body).where(Outbox.to_number == MANAGER_PHONE).order_by(Outbox.id)
        ).all()
    manager, governorate = digest_recipients
    # Only the new one, though the run comes two days after it: the first was told already.
    assert told == {
        manager.username: 1,
        governorate.username: 1,
        "manager.water": 1,
        "governorate": 1,
    }
    assert len(texts) == 2 and "New escalations: 1;" in texts[1]


def test_public_map_filters_escalated_tickets(app, client, twilio):
    plain = sms_ticket(twilio)
    escalated = sms_ticket(twilio, "ماكو ماي بالعشار", sender="+9647801111111")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == escalated))
        escalations.escalate_now(ticket.id, EscalationReason.NOT_FIXED)
        db.session.commit()
    assert {plain, escalated} <= references(points(client))
    assert references(points(client, escalated="1")) == {escalated}
    page = client.get("/map?escalated=1").get_data(as_text=True)
    assert 'id="filter-escalated" name="escalated" value="1" checked' in page


def test_scorecards_count_escalations_per_directorate(app, client, twilio):
    water = sms_ticket(twilio)
    sms_ticket(twilio, "الكهرباء مقطوعة بالعشار")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == water))
        escalations.escalate_now(ticket.id, EscalationReason.NOT_FIXED, utcnow())
        escalations.escalate_now(ticket.id, EscalationReason.NOT_FIXED, utcnow())
        db.session.commit()
    card = client.get("/stats.json").get_json()
    by_key = {group["key"]: group for group in card["groups"]}
    assert by_key["water"]["escalations"] == 2
    assert by_key["electricity"]["escalations"] == 0
    assert card["total"]["escalations"] == 2
    page = client.get("/stats", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Escalations" in page


def test_escalate_now_climbs_one_rung_each_time_for_its_reason(app, twilio):
    reference = sms_ticket(twilio)
    with app.app_context():
        ticket_id = db.session.scalar(sa.select(Ticket.id).where(Ticket.reference == reference))
        first = escalations.escalate_now(ticket_id, EscalationReason.NOT_FIXED)
        second = escalations.escalate_now(ticket_id, EscalationReason.NOT_FIXED)
        third = escalations.escalate_now(ticket_id, EscalationReason.NOT_FIXED)
        assert (first.level, second.level, third) == (
            EscalationLevel.DIRECTORATE,
            EscalationLevel.GOVERNORATE,
            None,
        )
        # Lateness is its own ladder: a late ticket still goes to the directorate head.
        late = escalations.escalate_now(ticket_id, EscalationReason.OVERDUE)
        assert late.level == EscalationLevel.DIRECTORATE
        db.session.commit()
        assert first.directorate.code == "water"
