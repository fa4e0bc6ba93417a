"""The Android SIM gateway channel without a phone: SMS Gateway for Android's signed webhooks
(signature over the raw body and X-Timestamp, replay window, dedupe), replies through the
Outbox on the android channel, the send request it makes to the app's API (against a real
local HTTP server), and the app's delivery events."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket
from feedback.services.intake import WebReport, submit_web_report
from feedback.services.outbox import SendError, send_due
from feedback.sms.android import AndroidGateway
from feedback.sms.backends import gateways_for, send_policy
from tests.conftest import count_rows

KEY = "android-test-signing-key"
ANDROID = {
    "ANDROID_GATEWAY_URL": "http://127.0.0.1:9/3rdparty/v1",
    "ANDROID_GATEWAY_USERNAME": "sms",
    "ANDROID_GATEWAY_PASSWORD": "phone-password",
    "ANDROID_GATEWAY_SIGNING_KEY": KEY,
}
COMPLAINT = "ماكو ماي بحي الحسين"


@pytest.fixture
def android_app(app_with):
    return app_with(**ANDROID)


def received(text=COMPLAINT, message_id="a1b2c3d4", sender="+9647801234567", event_id=None):
    """An sms:received event as the app posts it (docs.sms-gate.app, features/webhooks)."""
    return {
        "deviceId": "ffffffffceb0b1db0000018e937c815b",
        "event": "sms:received",
        "id": event_id or "Ey6ECgOkVVFjz3CL48B8C",
        "payload": {
            "messageId": message_id,
            "message": text,
            "sender": sender,
            "recipient": "+9647700000000",
            "phoneNumber": sender,
            "simNumber": 1,
            "receivedAt": "2026-11-23T22:46:11.000+03:00",
        },
        "webhookId": "LreFUt-Z3sSq0JufY9uWB",
    }


def sign(body: bytes, timestamp: str, key: str = KEY) -> str:
    """X-Signature: hex HMAC-SHA256 of the raw body followed by X-Timestamp."""
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def post(client, event: dict, *, age: int = 0, key: str = KEY, headers: dict | None = None):
    body = json.dumps(event, ensure_ascii=False).encode()
    timestamp = str(int(time.time()) - age)
    if headers is None:
        headers = {"X-Timestamp": timestamp, "X-Signature": sign(body, timestamp, key)}
    return client.post(
        "/sms/android/inbound", data=body, headers=headers, content_type="application/json"
    )


def test_the_channel_is_off_unless_configured(client, app_with):
    assert post(client, received()).status_code == 404
    only_key = app_with(ANDROID_GATEWAY_SIGNING_KEY=KEY).test_client()
    assert post(only_key, received()).status_code == 404


def test_a_signed_arabic_message_becomes_a_ticket_and_its_reply_waits_in_the_outbox(
    android_app,
):
    client = android_app.test_client()
    response = post(client, received())
    assert response.status_code == 200 and response.get_json() == {}
    with android_app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert (ticket.channel, ticket.citizen_phone) == ("android", "+9647801234567")
        assert ticket.original_text == COMPLAINT
        assert ticket.category.code == "water-supply"
        message = db.session.scalar(sa.select(Message))
        assert (message.channel, message.external_id) == ("android", "a1b2c3d4:+9647801234567")
        reply = db.session.scalar(sa.select(Outbox))
        assert (reply.channel, reply.to_number) == ("android", "+9647801234567")
        assert ticket.reference in reply.body


def test_a_local_number_is_stored_in_e164(android_app):
    post(android_app.test_client(), received(sender="07801234567"))
    with android_app.app_context():
        assert db.session.scalar(sa.select(Ticket.citizen_phone)) == "+9647801234567"


def test_a_bad_signature_is_refused_and_writes_nothing(android_app):
    client = android_app.test_client()
    assert post(client, received(), key="guess").status_code == 403
    event = received()
    body = json.dumps(event, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    signature = sign(body, timestamp)
    event["payload"]["message"] = "ماكو كهرباء"  # the body changed after signing
    tampered = {"X-Timestamp": timestamp, "X-Signature": signature}
    assert post(client, event, headers=tampered).status_code == 403
    moved = {"X-Timestamp": str(int(timestamp) - 1), "X-Signature": signature}
    assert post(client, received(), headers=moved).status_code == 403
    assert count_rows(android_app, Message) == 0 and count_rows(android_app, Outbox) == 0


def test_missing_headers_are_refused(android_app):
    client = android_app.test_client()
    body = json.dumps(received(), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    assert post(client, received(), headers={}).status_code == 403
    assert post(client, received(), headers={"X-Timestamp": timestamp}).status_code == 403
    only_signature = {"X-Signature": sign(body, timestamp)}
    assert post(client, received(), headers=only_signature).status_code == 403
    assert count_rows(android_app, Message) == 0


def test_an_old_or_future_timestamp_is_refused_as_a_replay(android_app):
    client = android_app.test_client()
    assert post(client, received(), age=301).status_code == 403
    assert post(client, received(), age=3600).status_code == 403
    assert post(client, received(), age=-301).status_code == 403
    assert count_rows(android_app, Message) == 0
    assert post(client, received(), age=240).status_code == 200  # within the ±300 s window


def test_the_same_event_delivered_twice_makes_one_ticket_and_one_reply(android_app):
    """The app retries until it gets a 2xx, signing each attempt afresh; an inbox export
    re-sends old messages with new event ids but the same messageId."""
    client = android_app.test_client()
    assert post(client, received()).status_code == 200
    assert post(client, received(), age=5).status_code == 200
    assert post(client, received(event_id="NewEventIdOfAnExport1")).status_code == 200
    assert count_rows(android_app, Ticket) == 1 and count_rows(android_app, Outbox) == 1


def test_the_same_message_id_from_another_sender_is_another_message(android_app):
    """The app's messageId is a 32-bit hash of the message: not unique on its own."""
    client = android_app.test_client()
    post(client, received())
    post(client, received(sender="+9647712345678", text="الكهرباء مقطوعة بالعشار"))
    assert count_rows(android_app, Ticket) == 2


def test_a_signed_event_that_is_not_a_message_is_acknowledged(android_app):
    client = android_app.test_client()
    ping = {"event": "system:ping", "id": "p1", "payload": {"health": {"status": "pass"}}}
    response = post(client, ping)
    assert response.status_code == 200 and response.get_json() == {}
    assert post(client, {"event": "sms:received", "id": "x", "payload": {}}).status_code == 400
    assert count_rows(android_app, Message) == 0


def test_iraqi_mobiles_are_answered_through_the_phone_when_it_is_the_only_local_route(
    android_app, app_with
):
    with android_app.test_request_context():
        for phone, channel in [("+9647801234567", "android"), ("+4915112345678", "sms")]:
            submit_web_report(WebReport("water-supply", "ماكو ماي بالعشار", "ar", phone=phone))
            assert db.session.scalars(sa.select(Outbox.channel)).all()[-1] == channel
    kannel = {"KANNEL_INBOUND_SECRET": "s", "KANNEL_SENDSMS_URL": "http://127.0.0.1:9/"}
    with app_with(**ANDROID, **kannel).test_request_context():
        submit_web_report(WebReport("water-supply", "ماكو ماي", "ar", phone="+9647801234567"))
        assert db.session.scalars(sa.select(Outbox.channel)).all()[-1] == "kannel"


class MessagesApi(BaseHTTPRequestHandler):
    """The app's POST /messages, as far as the gateway can tell (features/sending-messages)."""

    requests: list = []
    status = 202

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        MessagesApi.requests.append((self.path, dict(self.headers), body))
        answer = {"id": "zXDYfTmTVf3iMd16zzdBj", "state": "Pending", "recipients": []}
        if self.status >= 400:
            answer = {"message": "refused"}
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def messages_api():
    MessagesApi.requests = []
    MessagesApi.status = 202
    server = HTTPServer(("127.0.0.1", 0), MessagesApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/3rdparty/v1"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_the_gateway_posts_a_text_message_with_basic_auth(messages_api):
    gateway = AndroidGateway(messages_api + "/", "sms", "phone-password")
    message_id = gateway.send("+9647801234567", "شكواك B7K2Q انحلت", "ignored")
    assert message_id == "zXDYfTmTVf3iMd16zzdBj"
    path, headers, body = MessagesApi.requests[-1]
    assert path == "/3rdparty/v1/messages"
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"sms:phone-password").decode()
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body.decode("utf-8")) == {
        "textMessage": {"text": "شكواك B7K2Q انحلت"},
        "phoneNumbers": ["+9647801234567"],
        "withDeliveryReport": True,
    }


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (503, True), (429, True),
                                                   (400, False), (401, False)])  # fmt: skip
def test_server_errors_and_rate_limits_are_retried_refusals_are_not(
    messages_api, status, retryable
):
    MessagesApi.status = status
    with pytest.raises(SendError) as raised:
        AndroidGateway(messages_api, "sms", "pw").send("+9647801234567", "x")
    assert raised.value.retryable is retryable


def test_an_unreachable_phone_is_retried():
    with pytest.raises(SendError) as raised:
        AndroidGateway("http://127.0.0.1:9", "sms", "pw").send("+9647801234567", "x")
    assert raised.value.retryable is True


def test_the_reply_is_sent_through_the_phone_and_its_delivery_recorded(app_with, messages_api):
    app = app_with(**{**ANDROID, "ANDROID_GATEWAY_URL": messages_api})
    client = app.test_client()
    post(client, received())
    with app.app_context():
        result = send_due("test-worker", gateways_for(app.config), send_policy(app.config))
        assert result.sent == 1
        row = db.session.scalar(sa.select(Outbox))
        assert (row.status, row.external_id) == ("sent", "zXDYfTmTVf3iMd16zzdBj")
        row_id = row.id
    sent = json.loads(MessagesApi.requests[-1][2])
    assert sent["phoneNumbers"] == ["+9647801234567"] and "textMessage" in sent

    def status_event(kind: str, message_id="zXDYfTmTVf3iMd16zzdBj", **fields):
        payload = {"messageId": message_id, "phoneNumber": "+9647801234567", **fields}
        return {"event": kind, "id": "ev-" + kind, "payload": payload}

    assert post(client, status_event("sms:sent")).status_code == 200
    assert post(client, status_event("sms:delivered")).status_code == 200
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert row.status == "delivered" and row.delivered_at is not None
    failed = status_event("sms:failed", reason="RESULT_ERROR_GENERIC_FAILURE")
    assert post(client, failed).status_code == 200
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert row.status == "undelivered" and "RESULT_ERROR_GENERIC_FAILURE" in row.last_error
    assert post(client, status_event("sms:delivered", message_id="unknown")).status_code == 404
