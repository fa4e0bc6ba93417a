"""POST /sms/status: Twilio's delivery reports, signature checked, matched to the Outbox row."""

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox
from feedback.sms.signature import sign


def outbox_row(app, **fields) -> int:
    with app.app_context():
        row = Outbox(to_number="+9647801234567", body="x", language="ar", channel="sms", **fields)
        db.session.add(row)
        db.session.commit()
        return row.id


def report(app, client, path: str, params: dict, signature: str | None = None):
    url = app.config["PUBLIC_BASE_URL"] + path
    signature = signature or sign(app.config["TWILIO_AUTH_TOKEN"], url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def test_delivered_report_marks_the_row_delivered(app, client):
    row_id = outbox_row(app, status="sent", external_id="SM" + "1" * 32)
    params = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered"}
    assert report(app, client, "/sms/status", params).status_code == 204
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert row.status == "delivered" and row.delivered_at is not None


def test_a_report_for_a_row_whose_worker_died_before_recording_the_sid(app, client):
    """The callback URL names the row, so a send the worker could not record is not resent."""
    row_id = outbox_row(app, status="sending", claimed_by="dead-worker")
    params = {"MessageSid": "SM" + "2" * 32, "MessageStatus": "sent"}
    response = report(app, client, f"/sms/status?outbox={row_id}", params)
    assert response.status_code == 204
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert (row.status, row.external_id, row.claimed_by) == ("sent", "SM" + "2" * 32, None)


def test_undelivered_keeps_the_error_code(app, client):
    row_id = outbox_row(app, status="sent", external_id="SM" + "3" * 32)
    params = {"MessageSid": "SM" + "3" * 32, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    report(app, client, "/sms/status", params)
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert row.status == "undelivered" and "30003" in row.last_error


def test_forged_report_is_refused_and_changes_nothing(app, client):
    row_id = outbox_row(app, status="sent", external_id="SM" + "4" * 32)
    params = {"MessageSid": "SM" + "4" * 32, "MessageStatus": "delivered"}
    assert report(app, client, "/sms/status", params, signature="Zm9yZ2Vk").status_code == 403
    assert client.post("/sms/status", data=params).status_code == 403
    with app.app_context():
        assert db.session.get(Outbox, row_id).status == "sent"


def test_report_for_an_unknown_message_is_404(app, client):
    params = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"}
    assert report(app, client, "/sms/status", params).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Outbox.id))) == 0


def test_a_sid_longer_than_any_of_twilios_is_not_recorded(app, client):
    """The row's external_id holds 64 characters: a longer sid was a 500 on PostgreSQL."""
    row_id = outbox_row(app, status="sending", claimed_by="dead-worker")
    params = {"MessageSid": "SM" + "5" * 70, "MessageStatus": "sent"}
    response = report(app, client, f"/sms/status?outbox={row_id}", params)
    assert response.status_code == 204
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert (row.status, row.external_id) == ("sent", None)
