"""Incidents through the signed webhook (issue 14): many citizens texting about one fault in one
place form one incident, each with their own ticket; an unrelated complaint stays apart; the
reply of a report that joins says the problem is known and how many reported it."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from markupsafe import escape

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.models.incidents import Incident
from feedback.models.responses import ResponseTemplate
from feedback.services.settings import settings
from tests.conftest import csrf_from
from tests.factories import reply_of, sms_ticket

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
    assert "عدد المبلغين: 25" in replies[-1]
    assert "المشكلة معروفة" not in water
    english = [r for r in replies[8:] if r.startswith("Your complaint")]
    assert any("This problem is already known" in reply for reply in english)


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
    assert "عدد المبلغين: 2" in receipts[1]


def test_the_officer_resolves_the_incident_once_and_each_of_25_phones_gets_one_sms(
    app, client, auth, twilio
):
    for n, text in enumerate(NO_POWER_IN_JUMHURIYA):
        reply_of(twilio.send(text, sender=phone(n)))
    with app.app_context():
        incident_id = db.session.scalar(sa.select(Incident.id))
        db.session.execute(sa.delete(Outbox))  # the receipts
        db.session.commit()
    auth.login("officer.electricity")
    page = client.get(f"/officer/incidents/{incident_id}").get_data(as_text=True)
    assert page.count('remove-ticket">') == 25
    response = client.post(
        f"/officer/incidents/{incident_id}/act/resolve",
        data={
            "csrf_token": csrf_from(client, f"/officer/incidents/{incident_id}"),
            "message_ar": "رجعت الكهرباء للجمهورية بعد تبديل كيبل المغذي",
            "message_en": "Power is back in Al-Jumhuriya: the feeder cable was replaced",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        sms = db.session.scalars(sa.select(Outbox)).all()
        members = db.session.scalars(sa.select(Ticket).where(Ticket.incident_id == incident_id))
        reference_of = {ticket.citizen_phone: ticket.reference for ticket in members}
        assert len(sms) == 25
        assert {row.to_number for row in sms} == {phone(n) for n in range(25)}
        for row in sms:
            assert reference_of[row.to_number] in row.body
            told = "رجعت الكهرباء" if row.language == "ar" else "Power is back"
            assert told in row.body, row.body
        assert db.session.get(Incident, incident_id).status == "resolved"
        assert set(reference_of) == {phone(n) for n in range(25)}
    for reference in reference_of.values():
        public = client.get(f"/t/{reference}").get_data(as_text=True)
        assert "رجعت الكهرباء للجمهورية" in public or "Power is back" in public


def test_a_declared_outage_takes_matching_complaints_at_once_and_their_reply_says_when_it_ends(
    app, client, auth, twilio
):
    auth.login("officer.electricity")
    form = {
        "csrf_token": csrf_from(client, "/officer/incidents/new"),
        "category": "electricity-outage",
        "areas": ["nbh-jumhuriya"],
        "expected_end": tomorrow_at_six_pm(app),
        "message_ar": "عطل بمغذي الجمهورية",
        "message_en": "Feeder fault in Al-Jumhuriya",
    }
    response = client.post("/officer/incidents/new", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    arabic = reply_of(twilio.send("ماكو كهرباء بالجمهورية", sender=phone(1)))
    english = reply_of(twilio.send("No power in Al-Jumhuriya since an hour", sender=phone(2)))
    water = reply_of(twilio.send("ماكو ماي بالجمهورية", sender=phone(3)))
    assert arabic.startswith("انقطاع معروف، متوقع يرجع باجر الساعة ٦ م.")
    assert "عطل بمغذي الجمهورية" in arabic
    assert english.startswith("Known outage, expected to end tomorrow at 6 pm.")
    assert english.endswith("Feeder fault in Al-Jumhuriya")
    assert "انقطاع معروف" not in water
    with app.app_context():
        incident = db.session.scalar(sa.select(Incident))
        assert incident.origin == "declared"
        members = db.session.scalars(sa.select(Ticket).where(Ticket.incident_id == incident.id))
        assert {ticket.citizen_phone for ticket in members} == {phone(1), phone(2)}
        assert all(ticket.reference in arabic + english for ticket in members)


def tomorrow_at_six_pm(app) -> str:
    """Tomorrow 18:00 in Basra, as a datetime-local field sends it."""
    with app.app_context():
        zone = settings().timezone
    return (datetime.now(zone) + timedelta(days=1)).strftime("%Y-%m-%dT18:00")


def test_the_officer_s_incident_pages_in_arabic_and_english(app, client, auth, twilio):
    for n, text in enumerate(NO_POWER_IN_JUMHURIYA[:3]):
        reply_of(twilio.send(text, sender=phone(n)))
    lone = sms_ticket(twilio, "ماكو كهرباء بالعشار", sender=phone(50))
    with app.app_context():
        incident_id = db.session.scalar(sa.select(Incident.id))
        member = db.session.scalar(
            sa.select(Ticket.reference).where(Ticket.incident_id.isnot(None))
        )
    auth.login("officer.electricity")
    listing = client.get("/officer/incidents").get_data(as_text=True)
    assert f"/officer/incidents/{incident_id}" in listing and "المشاكل المشتركة" in listing
    page = client.get(f"/officer/incidents/{incident_id}").get_data(as_text=True)
    assert member in page and "إجراء على كل شكاواها" in page
    ticket_page = client.get(f"/officer/t/{member}").get_data(as_text=True)
    assert f"/officer/incidents/{incident_id}" in ticket_page
    assert "join-incident" not in ticket_page  # already in one
    lone_page = client.get(f"/officer/t/{lone}").get_data(as_text=True)
    assert "join-incident" in lone_page  # the officer may know it is the same feeder
    client.get("/lang/en")
    english = client.get(f"/officer/incidents/{incident_id}").get_data(as_text=True)
    assert "Act on all its complaints" in english
    assert "Reports of the same problem were grouped" in english
    token = csrf_from(client, f"/officer/incidents/{incident_id}")
    response = client.post(
        f"/officer/incidents/{incident_id}/remove/{member}",
        data={"csrf_token": token, "reason": "a generator, not the grid"},
    )
    assert response.status_code == 303
    response = client.post(
        f"/officer/t/{lone}/incident", data={"csrf_token": token, "incident": incident_id}
    )
    assert response.status_code == 303
    with app.app_context():
        moved = db.session.scalars(sa.select(Ticket).where(Ticket.reference.in_([member, lone])))
        assert {t.reference: (t.incident_id, t.incident_reason) for t in moved} == {
            member: (None, None),
            lone: (incident_id, "moved in by hand"),
        }
    taken_out = client.get(f"/t/{member}").get_data(as_text=True)
    assert "Taken out of the reports of another problem" in taken_out
    assert "generator" not in taken_out  # the reason is for staff
    added = client.get(f"/t/{lone}").get_data(as_text=True)
    assert "Added by an officer to reports of the same problem" in added
    assert "moved in by hand" not in added


def test_an_incident_number_no_row_can_have_is_not_found_not_an_error(client, auth, twilio):
    lone = sms_ticket(twilio, "ماكو كهرباء بالعشار", sender=phone(50))
    auth.login("admin")
    for number in ("2147483648", "99999999999999999999"):
        assert client.get(f"/officer/incidents/{number}").status_code == 404
        response = client.post(
            f"/officer/t/{lone}/incident",
            data={"csrf_token": csrf_from(client, "/officer/incidents"), "incident": number},
        )
        assert response.status_code == 303


def test_the_map_shows_the_incident_once_sized_by_its_count_and_lone_tickets_as_before(
    app, client, twilio
):
    for n, text in enumerate(NO_POWER_IN_JUMHURIYA):
        reply_of(twilio.send(text, sender=phone(n)))
    reply_of(twilio.send("ماكو ماي بالجمهورية من الصبح", sender=phone(99)))
    with app.app_context():
        incident_id = db.session.scalar(sa.select(Incident.id))
        lone = db.session.scalar(sa.select(Ticket.reference).where(Ticket.incident_id.is_(None)))
    found = client.get(
        "/map/points.geojson", query_string={"bbox": "47.70,30.45,47.90,30.60", "zoom": 16}
    ).get_json()
    incidents = [f for f in found["features"] if f["properties"].get("incident")]
    singles = [
        f["properties"]["reference"] for f in found["features"] if "reference" in f["properties"]
    ]
    assert len(incidents) == 1 and singles == [lone]
    marker = incidents[0]["properties"]
    assert marker["incident"] == incident_id and marker["reports"] == 25
    assert marker["url"] == f"/incidents/{incident_id}"
    assert marker["category"] == "electricity-outage" and marker["status"] == "new"
    assert found["total"] == found["shown"] == 26  # every report stands in a feature
    assert "citizen" not in str(marker) and "+964" not in str(found)


def test_scorecards_count_the_incident_under_its_directorate_category_and_district(
    app, client, twilio
):
    for n, text in enumerate(NO_POWER_IN_JUMHURIYA[:5]):
        reply_of(twilio.send(text, sender=phone(n)))
    by_directorate = client.get("/stats.json").get_json()
    electricity = next(g for g in by_directorate["groups"] if g["key"] == "electricity")
    assert electricity["incidents"] == 1 and electricity["received"] == 5
    assert by_directorate["total"]["incidents"] == 1
    by_category = client.get("/stats.json?group=category").get_json()
    outage = next(g for g in by_category["groups"] if g["key"] == "electricity-outage")
    assert outage["incidents"] == 1
    by_district = client.get("/stats.json?group=district").get_json()
    basra = next(g for g in by_district["groups"] if g["key"] == "dist-basra")
    assert basra["incidents"] == 1


def test_a_report_joining_an_acknowledged_incident_is_acknowledged_at_once(app, twilio):
    """The directorate already said it is on it: the late report does not wait in the queue
    as new, and its time to acknowledge is the incident's (none)."""
    from feedback.services.incident_work import act_on_incident
    from tests.factories import demo_user

    for n, text in enumerate(NO_POWER_IN_JUMHURIYA[:3]):
        reply_of(twilio.send(text, sender=phone(n)))
    with app.app_context():
        incident_id = db.session.scalar(sa.select(Incident.id))
        act_on_incident(demo_user("officer.electricity"), incident_id, "acknowledge", "عطل بالمغذي")
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
    late = reply_of(twilio.send(NO_POWER_IN_JUMHURIYA[3], sender=phone(3)))
    assert "عدد المبلغين: 4" in late and "عطل بالمغذي" in late
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.citizen_phone == phone(3)))
        assert ticket.incident_id == incident_id
        assert ticket.status == "acknowledged" and ticket.acknowledged_at == ticket.created_at
        assert [e.kind for e in ticket.events][-2:] == ["incident", "status"]
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 0  # the reply said it


def test_a_template_fills_both_messages_of_an_incident_s_action_without_javascript(
    app, client, auth, twilio
):
    for n, text in enumerate(NO_POWER_IN_JUMHURIYA[:3]):
        reply_of(twilio.send(text, sender=phone(n)))
    with app.app_context():
        incident_id = db.session.scalar(sa.select(Incident.id))
        template = db.session.scalar(
            sa.select(ResponseTemplate).where(
                ResponseTemplate.title == "عطل بالمغذي · Feeder fault"
            )
        )
        template_id, body_ar, body_en = template.id, template.body_ar, template.body_en
    auth.login("officer.electricity")
    page = client.get(f"/officer/incidents/{incident_id}").get_data(as_text=True)
    assert 'data-fills-ar="message_ar"' in page and "Feeder fault" in page
    filled = client.post(
        f"/officer/incidents/{incident_id}/template",
        data={
            "csrf_token": csrf_from(client, f"/officer/incidents/{incident_id}"),
            "template": str(template_id),
            "internal_note": "crew 4",
        },
    ).get_data(as_text=True)
    assert escape(body_ar) in filled and escape(body_en) in filled and "crew 4" in filled
    with app.app_context():  # nothing sent or changed: the officer edits, then acts
        assert db.session.get(Incident, incident_id).status == "open"
