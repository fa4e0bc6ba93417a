"""The public side of incidents (issue 14): /incidents/<id> shows an incident's category, areas,
status, count and timeline without personal data; every member's /t/<ref> links to it; "me
too" on the page (once per address, throttled) or by SMS (+1 <ref> / انا هم <ref>, once per
phone) adds a supporter, not a ticket."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from feedback.domain.incidents import IncidentEventKind, IncidentStatus
from feedback.extensions import db
from feedback.models import MAX_ROW_ID, Ticket
from feedback.models.incidents import Incident, IncidentEvent, IncidentSupport
from tests.conftest import TwilioWebhook, csrf_from, shows_phone
from tests.factories import reply_of
from tests.web.test_incidents import NO_POWER_IN_JUMHURIYA, phone
from tests.web.test_open311 import requests_both
from tests.web.test_public_map import read_csv


def outage(app, twilio) -> tuple[int, list[str]]:
    """The 25 reports of no power in Al-Jumhuriya by SMS: the incident's id and the refs."""
    for n, text in enumerate(NO_POWER_IN_JUMHURIYA):
        reply_of(twilio.send(text, sender=phone(n)))
    with app.app_context():
        incident_id = db.session.scalar(sa.select(Incident.id))
        references = db.session.scalars(
            sa.select(Ticket.reference).where(Ticket.incident_id == incident_id)
        ).all()
    return incident_id, list(references)


def page(client, path: str, language: str = "ar") -> str:
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_each_ticket_page_links_to_the_incident_page_which_shows_25_and_no_phone(
    app, client, twilio
):
    incident_id, references = outage(app, twilio)
    assert len(references) == 25
    for reference in references:
        ticket_page = page(client, f"/t/{reference}", "en")
        assert f'href="/incidents/{incident_id}"' in ticket_page
        assert "25 reports" in ticket_page
    assert f"رقم {incident_id} (25 بلاغاً)" in page(client, f"/t/{references[0]}")
    arabic = page(client, f"/incidents/{incident_id}")
    english = page(client, f"/incidents/{incident_id}", "en")
    assert 'dir="rtl"' in arabic and 'dir="ltr"' in english
    assert "Al-Jumhuriya" in english and "الجمهورية" in arabic
    assert "Power cut / no electricity" in english and "انقطاع الكهرباء" in arabic
    assert 'id="report-count">25<' in english and 'id="report-count">25<' in arabic
    for reference in references:
        assert f'href="/t/{reference}"' in english
    for text in (arabic, english):
        for n in range(len(NO_POWER_IN_JUMHURIYA)):
            assert not shows_phone(text, phone(n).removeprefix("+964"))
        assert "same area" not in text and "neighbouring area" not in text  # incident_reason
        assert NO_POWER_IN_JUMHURIYA[0] not in text  # citizens' own words stay on /t/<ref>


def test_the_timeline_shows_public_messages_in_the_page_language_escaped_and_masked(
    app, client, twilio
):
    incident_id, _ = outage(app, twilio)
    with app.app_context():
        incident = db.session.get_one(Incident, incident_id)
        incident.expected_end = datetime(2026, 7, 1, 18, 0, tzinfo=UTC)
        incident.events.append(
            IncidentEvent(
                actor_label="officer.electricity",
                kind=IncidentEventKind.UPDATED,
                public_message_ar="الفرق تبدل الكيبل <script>alert(1)</script> اتصل 07801234567",
                public_message_en="Crews replace the feeder cable <script>alert(2)</script>",
                internal_note="the contractor is late again",
            )
        )
        db.session.commit()
    arabic = page(client, f"/incidents/{incident_id}")
    english = page(client, f"/incidents/{incident_id}", "en")
    assert "الفرق تبدل الكيبل &lt;script&gt;alert(1)&lt;/script&gt;" in arabic
    assert "Crews replace the feeder cable &lt;script&gt;alert(2)&lt;/script&gt;" in english
    assert "<script>alert" not in arabic + english
    assert not shows_phone(arabic, "7801234567")
    assert "contractor" not in arabic + english
    assert "Expected end" in english and 'datetime="2026-07-01T18:00:00+00:00"' in english


@pytest.mark.parametrize("incident_id", ["0", "999999", str(MAX_ROW_ID + 1), str(2**64), "x"])
def test_an_unknown_incident_is_404(client, incident_id):
    assert client.get(f"/incidents/{incident_id}").status_code == 404


def test_a_ticket_in_no_incident_links_to_none(app, client, twilio):
    reply_of(twilio.send("ماكو ماي بحي الحسين"))
    with app.app_context():
        reference = db.session.scalar(sa.select(Ticket.reference))
    assert "/incidents/" not in page(client, f"/t/{reference}")


def me_too(client, incident_id: int, address: str, token: str | None = None, language="en"):
    """The page's button from `address`; its answer, flashed, in `language`."""
    client.environ_base["REMOTE_ADDR"] = address
    token = token or csrf_from(client, f"/incidents/{incident_id}")
    return client.post(
        f"/incidents/{incident_id}/me-too",
        data={"csrf_token": token},
        headers={"Accept-Language": language},
    )


def test_me_too_on_the_page_counts_each_address_once_and_keeps_no_address(app, client, twilio):
    incident_id, _ = outage(app, twilio)
    first = me_too(client, incident_id, "10.20.0.1")
    assert first.status_code == 302 and first.location == f"/incidents/{incident_id}"
    shown = page(client, f"/incidents/{incident_id}", "en")
    assert 'id="report-count">26<' in shown and "26 reports so far" in shown
    assert me_too(client, incident_id, "10.20.0.1").status_code == 302
    assert "already counted" in page(client, f"/incidents/{incident_id}", "en")
    me_too(client, incident_id, "10.20.0.2", language="ar")
    assert "عدد البلاغات حتى الآن: 27" in page(client, f"/incidents/{incident_id}")
    with app.app_context():
        incident = db.session.get_one(Incident, incident_id)
        assert incident.supporters == 2
        keys = db.session.scalars(sa.select(IncidentSupport.supporter_key)).all()
        assert len(keys) == 2 and not any("10.20" in key for key in keys)
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 25  # no new ticket
    shown = page(client, f"/incidents/{incident_id}", "en")
    assert 'id="report-count">27<' in shown
    assert "(25 complaints and 2 “me too”)" in shown  # why 27 reports list 25 references


def test_me_too_needs_the_form_token_and_a_known_open_incident(app, client, twilio):
    incident_id, _ = outage(app, twilio)
    client.environ_base["REMOTE_ADDR"] = "10.21.0.1"
    assert client.post(f"/incidents/{incident_id}/me-too").status_code == 400
    token = csrf_from(client, f"/incidents/{incident_id}")
    assert me_too(client, 999999, "10.21.0.1", token).status_code == 404
    assert me_too(client, MAX_ROW_ID + 1, "10.21.0.1", token).status_code == 404
    with app.app_context():
        db.session.get_one(Incident, incident_id).status = IncidentStatus.RESOLVED
        db.session.commit()
    assert 'id="me-too"' not in page(client, f"/incidents/{incident_id}")
    assert me_too(client, incident_id, "10.21.0.1", token).status_code == 302
    assert "marked resolved" in page(client, f"/incidents/{incident_id}", "en")
    with app.app_context():
        assert db.session.get_one(Incident, incident_id).supporters == 0


def test_me_too_on_the_page_is_throttled_per_address(app_with, twilio):
    app = app_with(SUPPORT_LIMIT_PER_ADDRESS="2 per hour")
    client = app.test_client()
    incident_id, _ = outage(app, TwilioWebhook(app, client))
    token = csrf_from(client, f"/incidents/{incident_id}")
    statuses = [me_too(client, incident_id, "10.22.0.1", token).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert me_too(client, incident_id, "10.22.0.2", token).status_code == 302


def test_me_too_by_sms_in_arabic_and_english_adds_supporters_not_tickets(app, twilio):
    incident_id, references = outage(app, twilio)
    reference = references[3]
    arabic = reply_of(twilio.send(f"انا هم {reference}", sender=phone(100)))
    assert "عدد المبلغين لحد الان: 26" in arabic and reference in arabic
    again = reply_of(twilio.send(f"أنا هم {reference.lower()}", sender=phone(100)))
    assert "انت محسوب" in again and "26" in again
    english = reply_of(twilio.send(f"+1 {reference.lower()}", sender=phone(101)))
    assert "27 people have reported it" in english
    indic = reply_of(twilio.send(f"+١ {references[0]}", sender=phone(102)))
    assert "عدد المبلغين لحد الان: 28" in indic
    filer = reply_of(twilio.send(f"+1 {references[0]}", sender=phone(0)))
    assert "already counted" in filer  # phone(0) reported it: counted once
    with app.app_context():
        assert db.session.get_one(Incident, incident_id).supporters == 3
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 25


def test_me_too_by_sms_for_a_ref_in_no_incident_or_unknown_says_so(app, twilio):
    reply_of(twilio.send("ماكو ماي بحي الحسين", sender=phone(200)))
    with app.app_context():
        alone = db.session.scalar(sa.select(Ticket.reference))
    for text in (f"انا هم {alone}", "انا هم ABCDE"):
        reply = reply_of(twilio.send(text, sender=phone(201)))
        assert "مو ضمن مشكلة مشتركة" in reply
    assert "not part of a shared problem" in reply_of(twilio.send(f"+1 {alone}", sender=phone(201)))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 1


def test_open311_keeps_one_request_per_ticket_and_says_its_incident(app, client, twilio):
    incident_id, references = outage(app, twilio)
    reply_of(twilio.send(f"+1 {references[0]}", sender=phone(300)))
    reply_of(twilio.send("ماكو ماي بحي الحسين", sender=phone(301)))
    requests = requests_both(client)
    assert len(requests) == 26
    members = [r for r in requests if r["service_request_id"] in references]
    assert len(members) == 25
    for request in members:
        assert request["description"].endswith(f"[incident {incident_id}: 26 reports]")
    [alone] = [r for r in requests if r["service_request_id"] not in references]
    assert "[incident" not in alone["description"]


def test_exports_have_an_incident_column(app, client, twilio):
    incident_id, references = outage(app, twilio)
    reply_of(twilio.send("ماكو ماي بحي الحسين", sender=phone(301)))
    rows = read_csv(client.get("/export/tickets.csv"))
    assert {row["reference"]: row["incident"] for row in rows} == {
        **dict.fromkeys(references, str(incident_id)),
        **{row["reference"]: "" for row in rows if row["reference"] not in references},
    }
    assert sum(1 for row in rows if row["incident"] == "") == 1
    features = client.get("/export/tickets.geojson").get_json()["features"]
    incidents = [feature["properties"]["incident"] for feature in features]
    assert sorted(incidents, key=str) == sorted([incident_id] * 25 + [None], key=str)
