"""The officer's pages through the client: scoped queue, filters, keyset pages, actions with
their errors shown, and the public page showing only the public part."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket, utcnow
from feedback.services import queues
from tests.conftest import csrf_from
from tests.factories import sms_ticket


def test_queue_shows_only_the_officers_directorate(client, auth, twilio):
    water = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    power = sms_ticket(twilio, "الكهرباء مقطوعة بالعشار")
    auth.login("officer.water")
    page = client.get("/officer/").get_data(as_text=True)
    assert water in page and power not in page


def test_queue_filters_and_overdue_flag(app, client, auth, twilio):
    late = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    on_time = sms_ticket(twilio, "الماي مالح بالعشار")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == late))
        ticket.due_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    auth.login("officer.water")
    overdue = client.get("/officer/?overdue=y").get_data(as_text=True)
    assert late in overdue and on_time not in overdue
    assert re.search(r'class="overdue-count">1\b', overdue)
    by_category = client.get("/officer/?category=water-quality").get_data(as_text=True)
    assert on_time in by_category and late not in by_category
    by_text = client.get("/officer/?q=مالح").get_data(as_text=True)
    assert on_time in by_text and late not in by_text
    by_area = client.get("/officer/?area=dist-basra").get_data(as_text=True)
    assert on_time in by_area and late in by_area


# No water in seven places far apart: seven tickets, none in an incident with another.
APART = ["الحسين", "الزبير", "الفاو", "القرنة", "ابي الخصيب", "المدينة", "شط العرب"]


def test_queue_pages_by_deadline_without_repeats(app, client, auth, twilio, monkeypatch):
    monkeypatch.setattr(queues, "PAGE_SIZE", 3)
    references = [sms_ticket(twilio, f"ماكو ماي ب{place}") for place in APART]
    auth.login("officer.water")
    seen, url = [], "/officer/"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += re.findall(r"/officer/t/([A-Z2-9]{5})", page)
        found = re.search(r'href="(/officer/\?[^"]*after=[^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert sorted(seen) == sorted(references) and len(seen) == 7


@pytest.mark.parametrize("argument", ["_method=POST", "_external=1", "_anchor=top"])
def test_the_next_page_link_passes_no_argument_to_url_for_as_its_own(
    app, client, auth, twilio, monkeypatch, argument
):
    monkeypatch.setattr(queues, "PAGE_SIZE", 1)
    for place in APART[:2]:
        sms_ticket(twilio, f"ماكو ماي ب{place}")
    auth.login("officer.water")
    response = client.get(f"/officer/?{argument}")
    assert response.status_code == 200
    found = re.search(r'href="([^"]*after=[^"]+)"', response.get_data(as_text=True))
    assert found and found.group(1).startswith("/officer/?") and "#" not in found.group(1)


def test_acknowledge_and_resolve_through_the_page(app, client, auth, twilio):
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    auth.login("officer.water")
    page = client.get(f"/officer/t/{reference}").get_data(as_text=True)
    assert "ماكو ماي بحي الحسين" in page
    token = csrf_from(client, f"/officer/t/{reference}")
    client.post(f"/officer/t/{reference}/act/acknowledge", data={"csrf_token": token})
    refused = client.post(
        f"/officer/t/{reference}/act/resolve", data={"csrf_token": token}, follow_redirects=True
    )
    assert "flash-error" in refused.get_data(as_text=True)
    client.post(
        f"/officer/t/{reference}/act/resolve",
        data={"csrf_token": token, "public_message": "رجع الماي", "internal_note": "بدلنا الصمام"},
    )
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        assert ticket.status == "resolved"
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 2
    public = client.get(f"/t/{reference}").get_data(as_text=True)
    assert "رجع الماي" in public and "بدلنا الصمام" not in public


def test_an_illegal_action_is_explained_and_changes_nothing(app, client, auth, twilio):
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    auth.login("officer.water")
    token = csrf_from(client, f"/officer/t/{reference}")
    response = client.post(
        f"/officer/t/{reference}/act/close", data={"csrf_token": token}, follow_redirects=True
    )
    assert "flash-error" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Ticket.status)) == "new"


def test_actions_need_the_csrf_token(app, client, auth, twilio):
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    auth.login("officer.water")
    assert client.post(f"/officer/t/{reference}/act/acknowledge").status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(Ticket.status)) == "new"


def test_transfer_sends_the_officer_back_to_a_queue_without_it(app, client, auth, twilio):
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    auth.login("officer.water")
    token = csrf_from(client, f"/officer/t/{reference}")
    response = client.post(
        f"/officer/t/{reference}/transfer",
        data={"csrf_token": token, "directorate": "sewerage", "reason": "مشكلة مجاري"},
    )
    assert response.headers["Location"] == "/officer/"
    assert client.get(f"/officer/t/{reference}").status_code == 404
    assert reference not in client.get("/officer/").get_data(as_text=True)


def test_officer_text_is_escaped_on_every_page(app, client, auth, twilio):
    reference = sms_ticket(twilio, 'ماكو ماي <img src=x onerror="alert(1)"> بحي الحسين')
    auth.login("officer.water")
    for path in (f"/officer/t/{reference}", "/officer/", f"/t/{reference}"):
        html = client.get(path).get_data(as_text=True)
        assert "<img src=x" not in html, path


def test_an_incident_is_one_row_with_its_count_and_its_tickets_folded(app, client, auth, twilio):
    grouped = [
        sms_ticket(twilio, "ماكو ماي بحي الحسين", sender=f"+96478010000{n}") for n in range(3)
    ]
    alone = sms_ticket(twilio, "ماكو ماي بالفاو", sender="+9647801000009")
    with app.app_context():
        incident = db.session.scalar(
            sa.select(Ticket.incident_id).where(Ticket.reference == grouped[0])
        )
        assert incident is not None
    auth.login("officer.water")
    page = client.get("/officer/").get_data(as_text=True)
    assert page.count('class="incident-row') == 1
    assert f'href="/officer/incidents/{incident}"' in page
    assert re.search(r'class="report-count">[^<]*3', page)
    folded = page.split("<details>")[1].split("</details>")[0]
    assert all(f'name="ticket" value="{reference}"' in folded for reference in grouped)
    assert alone not in folded and f'name="ticket" value="{alone}"' in page
