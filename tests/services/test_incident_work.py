"""Officers working incidents against the real database: one step for all of an incident's
tickets and one SMS per reporting phone, tickets moved out and in by hand, incidents
transferred with their tickets, outages declared; another directorate's incident does not
exist, and a refused change leaves nothing behind."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.domain.incidents import IncidentActionRefused
from feedback.extensions import db
from feedback.models import Correction, Outbox, Ticket, TicketEvent, utcnow
from feedback.models.incidents import Incident, IncidentEvent
from feedback.services import casework, incident_work
from feedback.services.errors import NotFound, Refused
from tests.factories import demo_user, reply_of

ONE, TWO, THREE = "+9647801110001", "+9647801110002", "+9647801110003"


def power_cut(twilio) -> int:
    """Four reports of one power cut in Al-Jumhuriya: two from ONE (Arabic), one from TWO
    (English), one from THREE. The incident's id; the receipts are removed."""
    for text, sender in [
        ("ماكو كهرباء بالجمهورية", ONE),
        ("No power in Al-Jumhuriya", TWO),
        ("الكهرباء طافية بحي الجمهورية", ONE),
        ("الوطنية طافية بالجمهورية", THREE),
    ]:
        reply_of(twilio.send(text, sender=sender))
    with twilio.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Incident.id))) == 1
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
        return db.session.scalar(sa.select(Incident.id))


def tickets_of(incident_id: int) -> list[Ticket]:
    query = sa.select(Ticket).where(Ticket.incident_id == incident_id).order_by(Ticket.id)
    return list(db.session.scalars(query))


def outbox() -> list[Outbox]:
    return list(db.session.scalars(sa.select(Outbox).order_by(Outbox.id)))


def test_resolving_resolves_each_open_ticket_and_texts_each_phone_once(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        members = tickets_of(incident_id)
        assert len(members) == 4
        members[3].status = "closed"  # THREE's, answered on its own long ago
        db.session.commit()
        incident_work.act_on_incident(
            demo_user("officer.electricity"),
            incident_id,
            "resolve",
            "رجعت الكهرباء",
            "Power is back",
            "feeder 11kV replaced",
        )
        db.session.expire_all()
        members = tickets_of(incident_id)
        assert [t.status for t in members] == ["resolved", "resolved", "resolved", "closed"]
        assert all(t.acknowledged_at is not None for t in members[:3])
        first = members[0]
        steps = [(e.to_status, e.public_message) for e in first.events if e.kind == "status"]
        assert steps == [("acknowledged", None), ("resolved", "رجعت الكهرباء")]
        english = next(t for t in members if t.citizen_phone == TWO)
        resolved = [e for e in english.events if e.kind == "status"][-1]
        assert resolved.public_message == "Power is back"
        sms = outbox()
        assert [row.to_number for row in sms] == [ONE, TWO]  # one each; THREE's was closed
        assert sms[0].ticket_id == first.id and first.reference in sms[0].body
        assert "رجعت الكهرباء" in sms[0].body and "رد 1 اذا انحلت، 2 اذا ما انحلت" in sms[0].body
        assert sms[1].body.startswith(f"Complaint {english.reference} resolved: Power is back")
        assert sms[1].body.endswith("Reply 1 if fixed, 2 if not")
        # Each phone is asked once, about the ticket its SMS names: ONE's second report is not.
        asked = [t.reference for t in members if t.fix_asked_at is not None]
        assert asked == [first.reference, english.reference]
        assert [e.kind for e in english.events][-2:] == ["status", "fix_asked"]
        incident = db.session.get(Incident, incident_id)
        assert incident.status == "resolved" and incident.resolved_at is not None
        step = incident.events[-1]
        assert (step.kind, step.internal_note, step.details) == (
            "resolved",
            "feeder 11kV replaced",
            {"tickets": 3},
        )


def test_an_update_is_an_event_on_each_ticket_and_one_sms_a_phone_without_a_change(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        incident_work.act_on_incident(
            demo_user("officer.electricity"), incident_id, "update", "الفرق بالموقع", ""
        )
        db.session.expire_all()
        members = tickets_of(incident_id)
        assert {t.status for t in members} == {"new"}
        news = [t.events[-1] for t in members]
        assert {(e.kind, e.public_message) for e in news} == {("incident", "الفرق بالموقع")}
        assert [row.to_number for row in outbox()] == [ONE, TWO, THREE]
        # English has no English message: it gets the Arabic one rather than nothing.
        assert "الفرق بالموقع" in outbox()[1].body
        assert db.session.get(Incident, incident_id).status == "open"


def test_a_refused_action_changes_nothing(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        officer = demo_user("officer.electricity")
        events = db.session.scalar(sa.select(sa.func.count(TicketEvent.id)))
        with pytest.raises(IncidentActionRefused):
            incident_work.act_on_incident(officer, incident_id, "resolve", "", "  ")
        incident_work.act_on_incident(officer, incident_id, "acknowledge")
        with pytest.raises(IncidentActionRefused):
            incident_work.act_on_incident(officer, incident_id, "acknowledge")
        assert db.session.scalar(sa.select(sa.func.count(TicketEvent.id))) == events + 4
        assert len(outbox()) == 3
        kinds = [e.kind for e in db.session.get(Incident, incident_id).events]
        assert kinds == ["formed", "acknowledged"]


def test_another_directorate_s_incident_does_not_exist_for_an_officer(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        water = demo_user("officer.water")
        reference = tickets_of(incident_id)[0].reference
        for attempt in (
            lambda: incident_work.act_on_incident(water, incident_id, "resolve", "تم"),
            lambda: incident_work.transfer_incident(water, incident_id, "water", "لنا"),
            lambda: incident_work.remove_ticket(water, incident_id, reference, "غلط"),
            lambda: incident_work.incident_for(water, incident_id),
        ):
            with pytest.raises(NotFound):
                attempt()
        assert incident_work.incidents_of(water) == []
        admin = demo_user("admin")
        assert [row.reports for row in incident_work.incidents_of(admin)] == [4]
        assert outbox() == []


def test_a_wrong_join_is_taken_out_and_put_back_by_hand(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        officer = demo_user("officer.electricity")
        reference = tickets_of(incident_id)[1].reference
        with pytest.raises(Refused):  # already in it
            incident_work.add_ticket(officer, reference, incident_id)
        with pytest.raises(Refused):  # a page of another incident, stale
            incident_work.remove_ticket(officer, incident_id + 1, reference, "not this one")
        incident_work.remove_ticket(officer, incident_id, reference, "a generator, not the grid")
        ticket = casework.ticket_for(officer, reference)
        assert (ticket.incident_id, ticket.incident_reason) == (None, None)
        assert ticket.events[-1].details == {"incident": incident_id, "step": "ticket_removed"}
        assert ticket.events[-1].internal_note == "a generator, not the grid"
        assert len(tickets_of(incident_id)) == 3
        with pytest.raises(Refused):
            incident_work.remove_ticket(officer, incident_id, reference, "again")
        assert incident_work.incidents_to_join(officer, ticket) == [
            db.session.get(Incident, incident_id)
        ]
        incident_work.add_ticket(officer, reference, incident_id)
        ticket = casework.ticket_for(officer, reference)
        assert (ticket.incident_id, ticket.incident_reason) == (incident_id, "moved in by hand")
        kinds = [e.kind for e in db.session.get(Incident, incident_id).events]
        assert kinds == ["formed", "ticket_removed", "ticket_added"]
        assert outbox() == []  # staff housekeeping: nobody is texted


def test_transferring_an_incident_moves_its_open_tickets_and_tells_each_phone_once(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        officer = demo_user("officer.electricity")
        incident_work.act_on_incident(officer, incident_id, "acknowledge")
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
        incident_work.transfer_incident(officer, incident_id, "water", "خط الماي")
        db.session.expire_all()
        incident = db.session.get(Incident, incident_id)
        assert (incident.directorate.code, incident.status) == ("water", "open")
        members = tickets_of(incident_id)
        assert {(t.directorate.code, t.status) for t in members} == {("water", "new")}
        assert [row.to_number for row in outbox()] == [ONE, TWO, THREE]
        assert db.session.scalar(sa.select(sa.func.count(Correction.id))) == 4
        with pytest.raises(NotFound):  # no longer the electricity officer's
            incident_work.incident_for(officer, incident_id)


def test_a_ticket_transferred_alone_leaves_its_incident(app, twilio):
    incident_id = power_cut(twilio)
    with app.app_context():
        reference = tickets_of(incident_id)[0].reference
        casework.transfer(demo_user("officer.electricity"), reference, "water", "ماي مو كهرباء")
        ticket = casework.ticket_for(demo_user("officer.water"), reference)
        assert ticket.incident_id is None
        assert db.session.get(Incident, incident_id).directorate.code == "electricity"
        assert len(tickets_of(incident_id)) == 3
        assert len(outbox()) == 1


def test_declaring_an_outage(app):
    with app.app_context():
        officer = demo_user("officer.electricity")
        end = utcnow() + timedelta(hours=5)
        incident = incident_work.declare(
            officer, "electricity-outage", ["nbh-jumhuriya"], end, "صيانة المغذي", ""
        )
        assert (incident.origin, incident.status, incident.directorate.code) == (
            "declared",
            "open",
            "electricity",
        )
        assert incident.declared_by.username == "officer.electricity"
        assert [a.code for a in incident.areas] == ["nbh-jumhuriya"]
        event = incident.events[0]
        assert (event.kind, event.public_message("en")) == ("declared", "صيانة المغذي")
        admin_declared = incident_work.declare(
            demo_user("admin"), "water-supply", ["nbh-jumhuriya"], end, "", "Main repair"
        )
        assert admin_declared.directorate.code == "water"  # as the routing rules say
        for args, field in [
            (("no-such", ["nbh-jumhuriya"], end, "x", ""), "category"),
            (("electricity-outage", ["nowhere"], end, "x", ""), "areas"),
            (("electricity-outage", [], end, "x", ""), "areas"),
            (("electricity-outage", ["nbh-jumhuriya"], end, " ", ""), "message_ar"),
            (("electricity-outage", ["nbh-jumhuriya"], utcnow(), "x", ""), "expected_end"),
            # A water cut's complaints go to the water directorate: it would catch none.
            (("water-supply", ["nbh-jumhuriya"], end, "x", ""), "category"),
        ]:
            with pytest.raises(Refused) as refused:
                incident_work.declare(officer, *args)
            assert refused.value.field == field
        assert db.session.scalar(sa.select(sa.func.count(IncidentEvent.id))) == 2


def test_the_electricity_officer_is_offered_only_categories_routed_to_them(app):
    with app.app_context():
        theirs = incident_work.declarable_categories(demo_user("officer.electricity"))
        assert "electricity-outage" in theirs and "water-supply" not in theirs
        assert incident_work.declarable_categories(demo_user("admin")) is None


def test_a_category_changed_takes_the_ticket_out_of_its_incident(app, twilio):
    """A feeder outage's ticket that is really dangerous wires: it is not resolved and texted
    with the outage any more, though it stays with the same directorate."""
    incident_id = power_cut(twilio)
    with app.app_context():
        officer = demo_user("officer.electricity")
        reference = tickets_of(incident_id)[0].reference
        casework.change_category(officer, reference, "electricity-wires", "a wire is down")
        ticket = casework.ticket_for(officer, reference)
        assert ticket.incident_id is None and ticket.directorate.code == "electricity"
        assert len(tickets_of(incident_id)) == 3
        kinds = [e.kind for e in db.session.get(Incident, incident_id).events]
        assert kinds[-1] == "ticket_removed"


def test_a_complaint_joining_an_outage_past_its_expected_end_is_not_promised_that_end(app, twilio):
    with app.app_context():
        incident = incident_work.declare(
            demo_user("officer.electricity"),
            "electricity-outage",
            ["nbh-jumhuriya"],
            utcnow() + timedelta(hours=1),
            "صيانة المغذي",
            "Feeder maintenance",
        )
        incident.expected_end = utcnow() - timedelta(hours=2)
        db.session.commit()
    reply = reply_of(twilio.send("No power in Al-Jumhuriya", sender=ONE))
    assert "expected to end" not in reply and "already known" in reply
    assert "Feeder maintenance" in reply


def test_declaring_an_outage_gathers_the_complaints_already_waiting_from_its_areas(app, twilio):
    """Two people texted before the directorate declared the outage, one from elsewhere:
    the two from its area join it at once; the other, and a water complaint, stay apart."""
    for text, sender in [
        ("ماكو كهرباء بالجمهورية", ONE),
        ("ماكو ماي بالجمهورية", TWO),
        ("ماكو كهرباء بحي الحسين", THREE),
    ]:
        reply_of(twilio.send(text, sender=sender))
    with app.app_context():
        incident = incident_work.declare(
            demo_user("officer.electricity"),
            "electricity-outage",
            ["nbh-jumhuriya"],
            utcnow() + timedelta(hours=3),
            "صيانة المغذي",
            "",
        )
        members = {ticket.citizen_phone for ticket in tickets_of(incident.id)}
        assert members == {ONE}
        joined = tickets_of(incident.id)[0]
        assert joined.incident_reason == "inside the declared area nbh-jumhuriya"
        assert joined.events[-1].kind == "incident"
