"""50 signed webhooks at once against a real threaded HTTP server: 50 tickets, no errors.
Also Twilio's retry racing its original: the same MessageSid ten times at once -> one ticket."""

import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Ticket
from tests.conftest import TwilioWebhook, count_rows

PLACES = ["بحي الحسين", "بالعشار", "بالجمهورية", "بالمعقل", "بالتنومة", "in Al-Ashar", "بالزبير"]
PROBLEMS = ["ماكو ماي", "الكهرباء مقطوعة", "مجاري طافحة", "الزبالة متراكمة", "no water"]


def post(base_url: str, webhook: TwilioWebhook, params: dict) -> tuple[int, str]:
    request = urllib.request.Request(
        base_url + "/sms/inbound",
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": webhook.signature(params)},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_fifty_concurrent_webhooks_make_fifty_tickets(app, client, live_server):
    webhook = TwilioWebhook(app, client)
    messages = [
        webhook.params(
            f"{PROBLEMS[i % len(PROBLEMS)]} {PLACES[i % len(PLACES)]} رقم {i}",
            sender=f"+96478012345{i:02d}",
        )
        for i in range(50)
    ]
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda params: post(live_server, webhook, params), messages))
    assert [status for status, _ in results] == [200] * 50, [r for r in results if r[0] != 200]
    assert count_rows(app, Ticket) == 50
    with app.app_context():
        references = set(db.session.scalars(sa.select(Ticket.reference)))
    assert len(references) == 50
    assert all(any(ref in body for ref in references) for _, body in results)


def test_ten_racing_copies_of_one_message_make_one_ticket(app, client, live_server):
    webhook = TwilioWebhook(app, client)
    params = webhook.params("ماكو ماي بحي الحسين", sid="SM" + "c" * 32)
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: post(live_server, webhook, params), range(10)))
    assert {status for status, _ in results} == {200}
    assert len({body for _, body in results}) == 1  # the very same reply every time
    assert count_rows(app, Ticket) == 1
    assert count_rows(app, Message) == 1


def test_reports_of_one_fault_at_once_make_one_incident_and_lose_none(app, client, live_server):
    """A feeder trips: a dozen phones text at the same moment, some from a place the incident
    does not yet hold. Every one gets its ticket and reply; they make one incident, each ticket
    in it once and each of its places once (on PostgreSQL they are grouped one at a time)."""
    from feedback.models.incidents import Incident, incident_area

    webhook = TwilioWebhook(app, client)
    texts = [
        "ماكو كهرباء بالجمهورية",
        "No power near the Basra War Cemetery",
        "الوطنية طافية بالجمهورية",
    ]
    messages = [
        webhook.params(texts[i % len(texts)], sender=f"+96478055500{i:02d}") for i in range(12)
    ]
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda params: post(live_server, webhook, params), messages))
    assert [status for status, _ in results] == [200] * 12, [r for r in results if r[0] != 200]
    with app.app_context():
        assert count_rows(app, Ticket) == 12
        assert db.session.scalar(sa.select(sa.func.count(Incident.id))) == 1
        grouped = db.session.scalars(sa.select(Ticket.incident_id)).all()
        assert len(set(grouped)) == 1 and None not in grouped
        places = db.session.execute(sa.select(incident_area.c.area_id)).scalars().all()
        assert len(places) == len(set(places)) >= 1
