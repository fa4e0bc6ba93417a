"""/dev/sms: the phone simulator goes through the real signed webhook; off with real Twilio."""

import re

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Ticket


def test_simulated_sms_creates_ticket_and_shows_reply(app, client):
    page = client.get("/dev/sms?phone=%2B9647701234567").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/dev/sms?phone=%2B9647701234567",
        data={
            "csrf_token": token,
            "phone": "+9647701234567",
            "channel": "sms",
            "body": "ماكو ماي بحي الحسين",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        message = db.session.scalar(sa.select(Message))
        assert ticket.citizen_phone == "+9647701234567"
        assert message.raw["MessageSid"].startswith("SM")
    thread = client.get("/dev/sms?phone=%2B9647701234567").get_data(as_text=True)
    assert "ماكو ماي بحي الحسين" in thread
    assert ticket.reference in thread


def test_simulator_is_404_with_twilio_backend(app_with):
    app = app_with(SMS_BACKEND="twilio", TWILIO_FROM="+15005550006", TWILIO_ACCOUNT_SID="AC1")
    assert app.test_client().get("/dev/sms").status_code == 404
    assert app.test_client().post("/dev/sms").status_code == 404
