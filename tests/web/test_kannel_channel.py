"""The Kannel channel without Kannel: its sms-service requests (secret, source address,
UTF-8 and UTF-16BE text, dedupe), replies through the Outbox on the kannel channel, the
sendsms request it makes, and delivery reports. tests/kannel/ runs the real Kannel."""

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket
from feedback.services.intake import WebReport, submit_web_report
from feedback.sms.kannel import KannelGateway

SECRET = "kannel-test-secret"
KANNEL = {
    "KANNEL_INBOUND_SECRET": SECRET,
    "KANNEL_SENDSMS_URL": "http://127.0.0.1:9/cgi-bin/sendsms",
    "KANNEL_ALLOWED_IPS": "127.0.0.1",
    "KANNEL_FROM": "4455",
}


@pytest.fixture
def kannel_app(app_with):
    return app_with(**KANNEL)


def inbound(client, text: bytes, charset="UTF-8", message_id="1001", secret=SECRET, **environ):
    query = (
        urllib.parse.urlencode(
            {
                "secret": secret,
                "from": "07801234567",
                "to": "4455",
                "coding": "2",
                "charset": charset,
                "id": message_id,
                "time": "1763900000",
            }  # fmt: skip
        )
        + "&text="
        + urllib.parse.quote_from_bytes(text)
    )
    return client.get("/sms/kannel/inbound?" + query, environ_base=environ)


def test_the_channel_is_off_unless_configured(client):
    assert client.get(f"/sms/kannel/inbound?secret={SECRET}").status_code == 404
    assert client.get("/sms/kannel/dlr?status=1").status_code == 404


def test_a_wrong_secret_or_address_is_refused_and_writes_nothing(kannel_app):
    client = kannel_app.test_client()
    text = "ماكو ماي".encode()
    assert inbound(client, text, secret="guess").status_code == 403
    assert inbound(client, text, REMOTE_ADDR="10.1.2.3").status_code == 403
    with kannel_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0


def test_an_arabic_message_becomes_a_ticket_and_its_reply_waits_for_sendsms(kannel_app):
    client = kannel_app.test_client()
    response = inbound(client, "ماكو ماي بحي الحسين من يومين".encode())
    assert response.status_code == 200 and response.data == b""
    assert inbound(client, "ماكو ماي بحي الحسين من يومين".encode()).status_code == 200
    with kannel_app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert (ticket.channel, ticket.citizen_phone) == ("kannel", "+9647801234567")
        assert ticket.category.code == "water-supply" and ticket.directorate.code == "water"
        reply = db.session.scalar(sa.select(Outbox))  # one, although Kannel sent it twice
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 1
        assert (reply.channel, reply.to_number) == ("kannel", "+9647801234567")
        assert ticket.reference in reply.body and "مديرية ماء البصرة" in reply.body


def test_utf16_text_when_kannel_could_not_recode(kannel_app):
    client = kannel_app.test_client()
    inbound(client, "الكهرباء مقطوعة بالعشار".encode("utf-16-be"), charset="UTF-16BE")
    with kannel_app.app_context():
        assert db.session.scalar(sa.select(Ticket.original_text)) == "الكهرباء مقطوعة بالعشار"


def test_iraqi_mobiles_are_answered_through_kannel_when_it_is_set_up(kannel_app):
    with kannel_app.test_request_context():
        for phone, channel in [("+9647801234567", "kannel"), ("+4915112345678", "sms")]:
            submit_web_report(WebReport("water-supply", "ماكو ماي بالعشار", "ar", phone=phone))
            assert db.session.scalars(sa.select(Outbox.channel)).all()[-1] == channel


class SendSms(BaseHTTPRequestHandler):
    """Kannel's sendsms interface, as far as the gateway can tell."""

    requests: list = []

    def do_GET(self):  # noqa: N802 - http.server's name
        SendSms.requests.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b"0: Accepted for delivery")

    def log_message(self, *args):
        pass


def test_the_gateway_asks_sendsms_for_ucs2_with_a_delivery_report():
    server = HTTPServer(("127.0.0.1", 0), SendSms)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gateway = KannelGateway(
            f"http://127.0.0.1:{server.server_port}/cgi-bin/sendsms", "user", "pass", "4455"
        )
        callback = "https://feedback.test/sms/kannel/dlr?secret=s&outbox=7&status=%d"
        message_id = gateway.send("+9647801234567", "شكواك B7K2Q انحلت", callback)
    finally:
        server.shutdown()
        server.server_close()
    sent = SendSms.requests[-1]
    assert sent["text"] == ["شكواك B7K2Q انحلت"] and sent["coding"] == ["2"]
    assert sent["charset"] == ["UTF-8"] and sent["from"] == ["4455"]
    assert sent["dlr-url"] == [callback] and sent["dlr-mask"] == ["31"]
    assert message_id.startswith("kannel-")


def test_a_delivery_report_marks_the_row_delivered(kannel_app):
    client = kannel_app.test_client()
    with kannel_app.app_context():
        row = Outbox(to_number="+9647801234567", body="x", language="ar", channel="kannel",
                     status="sent")  # fmt: skip
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    query = f"secret={SECRET}&outbox={row_id}&status=1"
    assert client.get("/sms/kannel/dlr?" + query).status_code == 204
    assert client.get(f"/sms/kannel/dlr?secret={SECRET}&outbox=999999&status=1").status_code == 404
    assert client.get(f"/sms/kannel/dlr?secret=guess&outbox={row_id}&status=1").status_code == 403
    with kannel_app.app_context():
        assert db.session.get(Outbox, row_id).status == "delivered"
