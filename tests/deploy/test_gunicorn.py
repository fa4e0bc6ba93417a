"""The web server as deployed: gunicorn started by the feedback-web unit's ExecStart line with
gunicorn.conf.py, in production mode with the example environment file's settings, on the
test database. A correctly signed Twilio webhook through it becomes a ticket; the access log
keeps no query strings; a development SECRET_KEY stops it from serving at all."""

import secrets
import subprocess
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Ticket
from feedback.sms.signature import sign
from tests.deploy.harness import (
    LOCAL,
    PUBLIC_HOST,
    TWILIO_TOKEN,
    answers,
    free_port,
    production_env,
    start_gunicorn,
)

COMPLAINT = "ماكو ماي بحي الحسين من ثلاث ايام"
CITIZEN = "+9647801234567"


@pytest.fixture(scope="module")
def gunicorn(database_url, tmp_path_factory):
    port = free_port()
    env = production_env(database_url, port)
    server = start_gunicorn(env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log")
    try:
        server.wait_until(lambda: answers(f"http://127.0.0.1:{port}/"))
        server.url = f"http://127.0.0.1:{port}"
        server.public_base_url = env["PUBLIC_BASE_URL"]
        yield server
    finally:
        code = server.stop()
    assert code == 0, f"gunicorn did not stop cleanly on SIGTERM:\n{server.output()}"


def post(url: str, params: dict, headers: dict):
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(params).encode(), headers=headers, method="POST"
    )
    try:
        with LOCAL.open(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def twilio_params(body: str, sid: str | None = None) -> dict:
    return {
        "MessageSid": sid or "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "1" * 32,
        "From": CITIZEN,
        "To": "4455",
        "Body": body,
        "NumMedia": "0",
    }


def as_from_nginx(signature: str) -> dict:
    """The headers nginx adds (deploy/nginx/feedback.conf) and Twilio's signature."""
    return {
        "Host": PUBLIC_HOST,
        "X-Forwarded-For": "198.51.100.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": PUBLIC_HOST,
        "X-Twilio-Signature": signature,
    }


def test_gunicorn_config_is_the_production_one(gunicorn):
    assert gunicorn.public_base_url == f"https://{PUBLIC_HOST}"
    output = gunicorn.output()
    assert "Listening at: http://127.0.0.1:" in output
    assert output.count("Booting worker") >= 2


def test_signed_twilio_webhook_through_gunicorn_becomes_a_ticket(gunicorn, app):
    params = twilio_params(COMPLAINT)
    # Twilio signs the public URL it called; the app checks against PUBLIC_BASE_URL + path.
    signature = sign(TWILIO_TOKEN, gunicorn.public_base_url + "/sms/inbound", params)
    status, headers, body = post(gunicorn.url + "/sms/inbound", params, as_from_nginx(signature))

    assert status == 200, body
    assert headers["Content-Type"].startswith("text/xml")
    reply = ET.fromstring(body).find("Message").text
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket is not None
        assert ticket.reference in reply
        assert ticket.original_text == COMPLAINT
        assert ticket.citizen_phone == CITIZEN
        assert ticket.directorate.code == "water"

    # Twilio's retry of the same MessageSid: the same reply, still one ticket.
    again = post(gunicorn.url + "/sms/inbound", params, as_from_nginx(signature))
    assert again[0] == 200 and ET.fromstring(again[2]).find("Message").text == reply
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Ticket)) == 1

    # Written by the worker just after the response: wait for it.
    gunicorn.wait_until(
        lambda: '198.51.100.7 "POST /sms/inbound HTTP/1.1" 200' in gunicorn.output(), timeout=10
    )


def test_forged_signature_is_refused_through_gunicorn(gunicorn, app):
    params = twilio_params(COMPLAINT)
    signature = sign("not-the-auth-token", gunicorn.public_base_url + "/sms/inbound", params)
    status, _, _ = post(gunicorn.url + "/sms/inbound", params, as_from_nginx(signature))
    assert status == 403
    with app.app_context():
        assert db.session.scalar(sa.select(Ticket)) is None


def test_access_log_has_paths_without_query_strings(gunicorn):
    number = "9647801239999"
    request = urllib.request.Request(f"{gunicorn.url}/t/NOPE?from=%2B{number}&text=secret")
    with pytest.raises(urllib.error.HTTPError) as raised:
        LOCAL.open(request, timeout=15)
    raised.value.close()
    assert raised.value.code == 404
    gunicorn.wait_until(lambda: '"GET /t/NOPE HTTP/1.1" 404' in gunicorn.output(), timeout=10)
    log = gunicorn.output()
    assert number not in log and "secret" not in log


def test_production_refuses_to_serve_with_the_development_secret_key(database_url, tmp_path):
    port = free_port()
    env = production_env(database_url, port, SECRET_KEY=None)
    server = start_gunicorn(env, tmp_path / "gunicorn.log")
    try:
        code = server.popen.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(
            "gunicorn kept running: its workers failed but it went on starting new ones. It "
            "stops only when a worker fails to boot with an exception; a sys.exit() while the "
            "app is created (SystemExit) makes it respawn workers forever.\n" + server.output()
        )
    finally:
        server.stop()
    assert code != 0
    assert "SECRET_KEY" in server.output()
    assert not answers(f"http://127.0.0.1:{port}/")
