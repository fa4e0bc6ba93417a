"""The baselines bench/webhook.py measures /sms/inbound against, served by gunicorn with the
same settings: a bare Flask route answering constant TwiML (/bare), the same behind Twilio's
signature check (/signed), and that plus three rows (message, ticket, event) inserted with
plain SQL in one transaction (/insert): the durable floor no webhook that stores a complaint
can beat.

    gunicorn -c gunicorn.conf.py bench.webhook_baseline:app   (DATABASE_URL, TWILIO_AUTH_TOKEN,
                                                                PUBLIC_BASE_URL from the env)"""

import os
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, abort, request

from feedback.app import configure_sqlite
from feedback.sms.signature import is_signed_by_twilio, signed_url

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>'
    "Your complaint is registered as B7K2Q. Text STATUS B7K2Q to follow it."
    "</Message></Response>"
)
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}

app = Flask(__name__)
engine = sa.create_engine(os.environ["DATABASE_URL"])
if engine.dialect.name == "sqlite":
    configure_sqlite(engine)  # WAL, busy timeout and BEGIN IMMEDIATE, as the app runs it

INSERT_TICKET = sa.text(
    "INSERT INTO ticket (reference, channel, original_text, public_text, language,"
    " location_method, status, citizen_phone, created_at, updated_at)"
    " VALUES (:reference, 'bench', :body, :body, 'ar', 'none', 'new', :sender, :now, :now)"
    " RETURNING id"
)
INSERT_MESSAGE = sa.text(
    "INSERT INTO message (channel, direction, external_id, from_number, to_number, body, raw,"
    " ticket_id, reply_body, created_at)"
    " VALUES ('bench', 'in', :external_id, :sender, '4455', :body, '{}', :ticket_id, :reply,"
    " :now)"
)
INSERT_EVENT = sa.text(
    "INSERT INTO ticket_event (ticket_id, created_at, actor_label, kind, to_status)"
    " VALUES (:ticket_id, :now, 'citizen', 'created', 'new')"
)


def _check_signature() -> None:
    url = signed_url(os.environ["PUBLIC_BASE_URL"], request.url, request.full_path)
    token = os.environ["TWILIO_AUTH_TOKEN"]
    if not is_signed_by_twilio(token, url, request.form, request.headers.get("X-Twilio-Signature")):
        abort(403)


@app.post("/bare")
def bare():
    return TWIML, 200, HEADERS


@app.post("/signed")
def signed():
    _check_signature()
    return TWIML, 200, HEADERS


@app.post("/insert")
def insert():
    _check_signature()
    now = datetime.now(UTC)
    # SQLite stores naive UTC (feedback.models.UTCDateTime). Channel 'bench': not counted as
    # the webhook's rows.
    now = now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now
    values = {"body": request.form.get("Body", ""), "sender": request.form["From"], "now": now}
    with engine.begin() as connection:
        ticket_id = connection.execute(
            INSERT_TICKET, {**values, "reference": secrets.token_hex(4).upper()}
        ).scalar_one()
        connection.execute(
            INSERT_MESSAGE,
            {
                **values,
                "external_id": secrets.token_hex(16),
                "ticket_id": ticket_id,
                "reply": TWIML,
            },
        )
        connection.execute(INSERT_EVENT, {"ticket_id": ticket_id, "now": now})
    return TWIML, 200, HEADERS
