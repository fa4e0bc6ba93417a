"""Whatever text a channel or the report form brings is stored, cleaned, or refused with a 4xx
that writes nothing; never a 500 (issue 10, defect 3). A NUL byte, another control character or
a lone surrogate costs no complaint; ids and addresses longer than any real one (and than the
tables hold) are refused. A NUL in a GET's path is a 404, in its query (or a staff form) a 400.

PostgreSQL refuses NUL in text and checks column lengths, SQLite cannot encode a lone
surrogate: these run on both."""

import json
import time

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket
from tests.conftest import csrf_from
from tests.web.test_android_channel import ANDROID, sign
from tests.web.test_kannel_channel import KANNEL, inbound
from tests.web.test_report_form import report

COMPLAINT = "ماكو ماي بحي الحسين"
DIRTY = "ماكو\x00 ماي\x07 بحي\x1b الحسين\x7f\x85"


def stored(app):
    """(message body, ticket text, citizen name) of the one inbound message and its ticket."""
    with app.app_context():
        message = db.session.scalar(sa.select(Message).where(Message.direction == "in"))
        ticket = db.session.scalar(sa.select(Ticket))
        return message.body, ticket.original_text, ticket.citizen_name


def test_twilio_body_and_profile_name_with_nul(app, twilio):
    response = twilio.send(DIRTY, ProfileName="Ali\x00 Hassan")
    assert response.status_code == 200 and "<Message>" in response.get_data(as_text=True)
    assert stored(app) == (COMPLAINT, COMPLAINT, "Ali Hassan")


def test_kannel_text_with_nul(app_with):
    kannel_app = app_with(**KANNEL)
    assert inbound(kannel_app.test_client(), DIRTY.encode()).status_code == 200
    assert stored(kannel_app)[:2] == (COMPLAINT, COMPLAINT)
    with kannel_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 1


def android_post(client, body: bytes):
    timestamp = str(int(time.time()))
    headers = {"X-Timestamp": timestamp, "X-Signature": sign(body, timestamp)}
    return client.post(
        "/sms/android/inbound", data=body, headers=headers, content_type="application/json"
    )


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (DIRTY, COMPLAINT),
        ("ماكو ماي\ud800 بحي الحسين", "ماكو ماي\ufffd بحي الحسين"),  # a lone surrogate
        ("ماكو ماي \ud83d\udca7 بحي الحسين", "ماكو ماي \U0001f4a7 بحي الحسين"),  # a pair: 💧
    ],
)
def test_android_text_with_nul_or_a_lone_surrogate(app_with, text, kept):
    android_app = app_with(**ANDROID)
    event = {
        "event": "sms:received",
        "id": "e1",
        "deviceId": "dev\x00ice\udfff",
        "payload": {"messageId": "m1", "message": text, "sender": "+9647801234567"},
    }
    body = json.dumps(event).encode()  # \u0000 and \ud800 as JSON escapes, as an app may send
    assert android_post(android_app.test_client(), body).status_code == 200
    assert stored(android_app)[:2] == (kept, kept)
    with android_app.app_context():
        raw = db.session.scalar(sa.select(Message.raw))
        assert raw["deviceId"] == "device\ufffd"


def test_report_form_with_nul(app, client):
    response = report(client, description=DIRTY)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Ticket.original_text)) == COMPLAINT


def test_a_description_of_control_characters_only_is_an_empty_description(app, client):
    response = report(client, description="\x00\x01\x02\x03\x04\x05")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Ticket.id))) == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/t/AB%00CD", 404),
        ("/report/received/AB%00CD", 404),
        ("/t?ref=AB%00CD", 400),
        ("/map?district=%00", 400),
        ("/map/points.geojson?bbox=47,30,48,31&zoom=15&district=basra%00", 400),
        ("/export/tickets.csv?category=water%00", 400),
        ("/stats?group=%00", 400),
        ("/open311/v2/services/water-supply%00.json", 404),
        ("/?lang=%00", 400),
        ("/report?lang=%00", 200),  # the form reads no query: nothing to refuse
    ],
)
def test_a_nul_in_a_path_or_query_is_a_client_error(client, path, status):
    assert client.get(path).status_code == status


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_says_so_in_its_own_error_format(client, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}?service_code=water-supply%00")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    if fmt == "json":
        assert json.loads(body)[0]["code"] == 400
    else:
        assert "<errors><error><code>400</code>" in body


def test_the_officer_search_and_the_login_form_refuse_a_nul(client, auth):
    token = csrf_from(client, "/login")
    login = {"csrf_token": token, "username": "officer.water\x00", "password": "x"}
    assert client.post("/login", data=login).status_code == 400
    auth.login("officer.water")
    assert client.get("/officer/?q=%00").status_code == 400
    assert client.get("/officer/t/AB%00CD").status_code == 404


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Message, Ticket, Outbox)
        )


def test_ids_and_addresses_longer_than_any_real_one_are_refused(app, twilio, app_with):
    assert twilio.send(COMPLAINT, sid="SM" + "0" * 63).status_code == 400
    assert twilio.send(COMPLAINT, sender="+964" + "7" * 37).status_code == 400
    assert twilio.send(COMPLAINT, To="4" * 65).status_code == 400
    assert twilio.send(COMPLAINT, sid="\x00").status_code == 400  # nothing left once cleaned
    kannel_app = app_with(**KANNEL)
    assert inbound(kannel_app.test_client(), b"x", message_id="1" * 65).status_code == 400
    assert counts(app) == counts(kannel_app) == (0, 0, 0)
    assert twilio.send(COMPLAINT, sid="SM" + "0" * 62).status_code == 200  # 64: still ours


def test_a_long_profile_name_is_cut_to_what_the_ticket_holds(app, twilio):
    assert twilio.send(COMPLAINT, ProfileName="علي " * 100).status_code == 200
    assert stored(app)[2] == ("علي " * 50).strip()


def test_android_json_nested_past_reason_is_refused_and_odd_numbers_are_kept_as_text(app_with):
    android_app = app_with(**ANDROID)
    client = android_app.test_client()
    for depth in (40, 5000):
        event = {"event": "sms:received", "id": "e1", "payload": {"messageId": "m1"}}
        event["payload"] |= {"message": COMPLAINT, "sender": "+9647801234567"}
        body = json.dumps(event).encode()[:-1] + b', "x": ' + b"[" * depth + b"]" * depth + b"}"
        assert android_post(client, body).status_code == 400
    assert counts(android_app) == (0, 0, 0)
    event = {"event": "sms:received", "id": "e1", "deviceId": float("nan"), "simNumber": 1e400}
    event["payload"] = {"messageId": "m1", "message": COMPLAINT, "sender": "+9647801234567"}
    assert android_post(client, json.dumps(event).encode()).status_code == 200
    with android_app.app_context():
        raw = db.session.scalar(sa.select(Message.raw))
        assert (raw["deviceId"], raw["simNumber"]) == ("nan", "inf")
