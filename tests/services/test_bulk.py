"""Bulk actions on the queue: one transaction for every selected ticket, each citizen texted in
their own language; tickets the action does not fit are named before anything changes, and a
batch with one that no longer fits changes nothing."""

from dataclasses import replace

import pytest
import sqlalchemy as sa

from feedback.domain.bulk import BulkAction, Misfit
from feedback.extensions import db
from feedback.models import Correction, Outbox, Ticket
from feedback.models.incidents import Incident
from feedback.models.responses import ResponseTemplate
from feedback.services import casework
from feedback.services.bulk import BulkRequest, apply_bulk, open_incidents, plan_bulk
from feedback.services.errors import NotFound, Refused
from tests.factories import declared_incident, demo_user, sms_ticket

TEAM_ON_THE_WAY = "فريق الصيانة بالطريق · Team on the way"


@pytest.fixture
def three(twilio):
    """Two Arabic water complaints and an English one, from three phones."""
    return [
        sms_ticket(twilio, "ماكو ماي بحي الحسين", sender="+9647801000001"),
        sms_ticket(twilio, "الماي مالح بالعشار", sender="+9647801000002"),
        sms_ticket(twilio, "no water in Al-Ashar since morning", sender="+9647801000003"),
    ]


def team_on_the_way() -> ResponseTemplate:
    return db.session.scalar(
        sa.select(ResponseTemplate).where(ResponseTemplate.title == TEAM_ON_THE_WAY)
    )


def statuses(references) -> list[str]:
    return [
        db.session.scalar(sa.select(Ticket.status).where(Ticket.reference == reference))
        for reference in references
    ]


def test_acknowledging_three_with_a_template_texts_each_citizen_in_their_language(app, three):
    with app.app_context():
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
        template = team_on_the_way()
        request = BulkRequest(BulkAction.ACKNOWLEDGE, tuple(three), template_id=template.id)
        planned = plan_bulk(demo_user("officer.water"), request)
        assert [row.message for row in planned.rows] == [
            template.body_ar,
            template.body_ar,
            template.body_en,
        ]
        assert planned.misfits == []
        apply_bulk(demo_user("officer.water"), request)
        assert statuses(three) == ["acknowledged"] * 3
        texts = db.session.scalars(sa.select(Outbox.body).order_by(Outbox.id)).all()
        assert len(texts) == 3
        assert template.body_ar in texts[0] and template.body_en in texts[2]


def test_a_typed_message_goes_to_every_citizen_as_typed(app, three):
    with app.app_context():
        request = BulkRequest(BulkAction.ACKNOWLEDGE, tuple(three), public_message=" وصلنا ")
        assert {row.message for row in plan_bulk(demo_user("officer.water"), request).rows} == {
            "وصلنا"
        }


def test_a_ticket_the_action_does_not_fit_is_named_and_a_batch_with_it_changes_nothing(app, three):
    with app.app_context():
        casework.act(demo_user("officer.water"), three[1], "acknowledge")
        outbox = db.session.scalar(sa.select(sa.func.count(Outbox.id)))
        request = BulkRequest(BulkAction.ACKNOWLEDGE, tuple(three))
        planned = plan_bulk(demo_user("officer.water"), request)
        assert [(row.ticket.reference, row.misfit) for row in planned.misfits] == [
            (three[1], Misfit.STATUS)
        ]
        with pytest.raises(Refused) as refused:
            apply_bulk(demo_user("officer.water"), request)
        assert (
            refused.value.reason == "no_longer_fits"
            and three[1] in refused.value.params["references"]
        )
        assert statuses(three) == ["new", "acknowledged", "new"]
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == outbox


def test_another_directorates_ticket_makes_the_batch_not_found(app, twilio, three):
    power = sms_ticket(twilio, "الكهرباء مقطوعة بالعشار", sender="+9647801000009")
    with app.app_context():
        request = BulkRequest(BulkAction.ACKNOWLEDGE, (*three, power))
        with pytest.raises(NotFound):
            apply_bulk(demo_user("officer.water"), request)
        assert statuses([*three, power]) == ["new"] * 4


def test_an_electricity_template_cannot_answer_water_tickets(app, three):
    with app.app_context():
        power = db.session.scalar(
            sa.select(ResponseTemplate.id).where(ResponseTemplate.title.like("عطل بالمغذي%"))
        )
        request = BulkRequest(BulkAction.ACKNOWLEDGE, tuple(three), template_id=power)
        with pytest.raises(Refused) as refused:
            plan_bulk(demo_user("officer.water"), request)
        assert refused.value.field == "template"


def test_a_transfer_needs_its_reason_then_moves_every_ticket(app, three):
    with app.app_context():
        officer = demo_user("officer.water")
        bare = BulkRequest(BulkAction.TRANSFER, tuple(three), directorate_code="sewerage")
        with pytest.raises(Refused) as refused:
            plan_bulk(officer, bare)
        assert refused.value.reason == "message_needed"
        with pytest.raises(Refused):
            plan_bulk(officer, replace(bare, public_message="سبب", directorate_code="x"))
        apply_bulk(officer, replace(bare, public_message="مشكلة مجاري"))
        moved = db.session.scalars(sa.select(Ticket).where(Ticket.reference.in_(three))).all()
        assert {(t.directorate.code, t.status) for t in moved} == {("sewerage", "new")}
        assert db.session.scalar(sa.select(sa.func.count(Correction.id))) == 3


def test_adding_to_an_incident_names_those_in_one_already(app, three):
    with app.app_context():
        officer = demo_user("officer.water")
        outage = declared_incident("water")
        elsewhere = declared_incident("water", "water-quality")
        db.session.execute(
            sa.update(Ticket).where(Ticket.reference == three[2]).values(incident_id=elsewhere)
        )
        db.session.commit()
        assert {i.id for i in open_incidents(officer)} >= {outage, elsewhere}
        request = BulkRequest(BulkAction.ADD_TO_INCIDENT, tuple(three), incident_id=outage)
        planned = plan_bulk(officer, request)
        assert [row.misfit for row in planned.rows] == [None, None, Misfit.IN_ANOTHER_INCIDENT]
        with pytest.raises(Refused) as refused:  # it would text nobody
            plan_bulk(officer, replace(request, public_message="x"))
        assert refused.value.reason == "no_message_for_incident"
        apply_bulk(officer, replace(request, references=tuple(three[:2])))
        incident = db.session.get(Incident, outage)
        members = db.session.scalars(sa.select(Ticket).where(Ticket.incident_id == outage)).all()
        assert sorted(t.reference for t in members) == sorted(three[:2])
        assert [e.kind for e in incident.events].count("ticket_added") == 2
        assert all(t.events[-1].kind == "incident" for t in members)
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 0  # joining texts nobody


def test_an_incident_of_another_directorate_is_not_offered_nor_usable(app, three):
    with app.app_context():
        power = declared_incident("electricity", "electricity-outage")
        officer = demo_user("officer.water")
        assert power not in {i.id for i in open_incidents(officer)}
        with pytest.raises(Refused) as refused:
            plan_bulk(
                officer, BulkRequest(BulkAction.ADD_TO_INCIDENT, tuple(three), incident_id=power)
            )
        assert refused.value.field == "incident"
