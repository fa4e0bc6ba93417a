"""The public side of incidents (issue 14): /incidents/<id> shows an incident's category, areas,
status, count and timeline without personal data; every member's /t/<ref> links to it."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from feedback.domain.incidents import IncidentEventKind
from feedback.extensions import db
from feedback.models import MAX_ROW_ID, Ticket
from feedback.models.incidents import Incident, IncidentEvent
from tests.conftest import shows_phone
from tests.factories import reply_of
from tests.web.test_incidents import NO_POWER_IN_JUMHURIYA, phone


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
