"""Incidents through the signed webhook (issue 14): many citizens texting about one fault in one
place form one incident, each with their own ticket; an unrelated complaint stays apart; the
reply of a report that joins says the problem is known and how many reported it."""

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.models.incidents import Incident
from tests.factories import reply_of

# Twenty-five ways a Basra resident says the power is out in Al-Jumhuriya.
NO_POWER_IN_JUMHURIYA = [
    "ماكو كهرباء بالجمهورية من ساعة",
    "الكهرباء طافية بحي الجمهورية",
    "الوطنية طافية بالجمهورية",
    "انقطاع الكهرباء في حي الجمهورية",
    "الجمهورية كلها بلا كهرباء",
    "كهرباء الجمهورية مقطوعة من الصبح",
    "ماكو وطنية بالجمهورية",
    "الكهرباء مكطوعة بالجمهورية",
    "No power in Al-Jumhuriya since an hour",
    "power cut in Jumhuriya",
    "electricity is out in al jumhuriya",
    "maku kahraba bil jumhuriya",
    "el kahraba 6afya bil jumhuriya",
    "الجمهورية طافية الكهرباء والحر ما ينطاق",
    "انقطاع التيار الكهربائي عن حي الجمهورية منذ ساعة",
    "الكهرباء طافية عدنا بالجمهورية والمولدة ما تكفي",
    "بالجمهورية ماكو كهرباء والجهال تعبانين",
    "الوطنية مقطوعة بحي الجمهورية من ساعتين",
    "Power outage in Al Jumhuriya, please fix",
    "no electricity in jumhuriya neighbourhood",
    "الكهرباء انطفت بالجمهورية",
    "حي الجمهورية بدون كهرباء",
    "ماكو كهربا بالجمهوريه",
    "طفت الكهرباء بالجمهورية كلها",
    "الكهرباء مقطوعة في الجمهورية",
]


def phone(number: int) -> str:
    return f"+96478012{number:05d}"


def test_twenty_five_reports_of_one_outage_form_one_incident_and_a_water_complaint_stays_apart(
    app, twilio
):
    replies = [
        reply_of(twilio.send(text, sender=phone(n))) for n, text in enumerate(NO_POWER_IN_JUMHURIYA)
    ]
    water = reply_of(twilio.send("ماكو ماي بالجمهورية من الصبح", sender=phone(99)))
    with app.app_context():
        incidents = db.session.scalars(sa.select(Incident)).all()
        assert len(incidents) == 1
        incident = incidents[0]
        members = db.session.scalars(
            sa.select(Ticket).where(Ticket.incident_id == incident.id)
        ).all()
        assert len(members) == 25
        assert len({ticket.reference for ticket in members}) == 25
        assert all(ticket.incident_reason for ticket in members)
        assert incident.category.code == "electricity-outage"
        assert "nbh-jumhuriya" in {area.code for area in incident.areas}
        water_ticket = db.session.scalar(sa.select(Ticket).where(Ticket.citizen_phone == phone(99)))
        assert water_ticket.incident_id is None
        assert water_ticket.category.code == "water-supply"
    assert "المشكلة معروفة" not in replies[0]  # the first report knew of no other
    assert "بلغ عنها 25 مواطن" in replies[-1]
    assert "المشكلة معروفة" not in water
    english = [r for r in replies[8:] if r.startswith("Your complaint")]
    assert any("This problem is known" in reply for reply in english)


def test_web_reports_with_pins_a_street_apart_form_an_incident_and_the_receipt_says_so(app, client):
    """Two burst-main reports by the web form, pins some 100 m apart: the second joins the
    first, and its receipt SMS says the problem is known."""
    from tests.web.test_report_form import report

    first = report(
        client,
        category="water-leak",
        description="بوري مكسور",
        lat="30.5085",
        lon="47.7804",
        phone="0780 123 4501",
    )
    second = report(
        client,
        category="water-leak",
        description="الماي يطلع من القاع",
        lat="30.5092",
        lon="47.7810",
        phone="0780 123 4502",
    )
    assert first.status_code == second.status_code == 302
    with app.app_context():
        tickets = db.session.scalars(sa.select(Ticket).order_by(Ticket.id)).all()
        assert len(tickets) == 2
        assert tickets[0].incident_id is not None
        assert tickets[0].incident_id == tickets[1].incident_id
        assert tickets[1].incident_reason.startswith("within 0.1 km")
        receipts = db.session.scalars(sa.select(Outbox.body).order_by(Outbox.id)).all()
    assert "المشكلة معروفة" not in receipts[0]
    assert "بلغ عنها 2 مواطن" in receipts[1]
