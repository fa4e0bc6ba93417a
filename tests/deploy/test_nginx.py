"""deploy/nginx/feedback.conf with Debian's nginx in front of gunicorn (both on loopback ports,
a self-signed certificate for feedback.basra.example instead of certbot's): `nginx -t` passes,
HTTP redirects to HTTPS, static files come from nginx without a listing, webhook bodies are
capped at 64 KB, unknown names get nothing, and a Twilio webhook signed for the public HTTPS
URL is accepted through the proxy with no PUBLIC_BASE_URL set: the X-Forwarded-* headers
alone give the app the URL Twilio signed."""

import http.client
import secrets
import shutil
import socket
import ssl
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Ticket
from feedback.sms.signature import sign
from tests.deploy.harness import (
    PUBLIC_HOST,
    REPO,
    TWILIO_TOKEN,
    Process,
    answers,
    free_port,
    listening,
    production_env,
    render_nginx,
    start_gunicorn,
)

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
)
pytestmark = [
    pytest.mark.skipif(
        NGINX is None, reason="nginx is missing: apt-get install -y nginx (make install-test does)"
    ),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is missing"),
]


@pytest.fixture(scope="module")
def site(database_url, tmp_path_factory):
    """gunicorn without PUBLIC_BASE_URL behind nginx; yields the nginx setup."""
    directory = tmp_path_factory.mktemp("nginx")
    upstream, http_port, https_port = free_port(), free_port(), free_port()
    env = production_env(database_url, upstream, PUBLIC_BASE_URL=None)
    gunicorn = start_gunicorn(env, directory / "gunicorn.log")
    nginx = None
    try:
        gunicorn.wait_until(lambda: answers(f"http://127.0.0.1:{upstream}/"))
        conf = render_nginx(directory, http_port, https_port, upstream)
        argv = [NGINX, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(conf)]
        nginx = Process([*argv, "-g", "daemon off;"], directory / "nginx.log")
        nginx.wait_until(lambda: listening(http_port) and listening(https_port), timeout=20)
        yield {
            "argv": argv,
            "http": http_port,
            "https": https_port,
            "cert": directory / "fullchain.pem",
            "gunicorn": gunicorn,
        }
    finally:
        if nginx is not None:
            nginx.stop()
        gunicorn.stop()


def https(site, host: str = PUBLIC_HOST) -> http.client.HTTPSConnection:
    """A connection to nginx's HTTPS port as a client that resolved `host` to 127.0.0.1 and
    verifies the certificate for it."""
    context = ssl.create_default_context(cafile=str(site["cert"]))
    connection = http.client.HTTPSConnection(host, site["https"], context=context, timeout=15)
    connection._create_connection = lambda _address, *args, **kwargs: socket.create_connection(
        ("127.0.0.1", site["https"]), *args, **kwargs
    )
    return connection


def request(connection, method: str, path: str, body=None, headers=None):
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_nginx_t_accepts_the_site(site):
    result = subprocess.run(  # noqa: S603
        [*site["argv"], "-t"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_http_redirects_to_https(site):
    connection = http.client.HTTPConnection("127.0.0.1", site["http"], timeout=15)
    status, headers, _ = request(connection, "GET", "/report?x=1", headers={"Host": PUBLIC_HOST})
    assert status == 301
    assert headers["Location"] == f"https://{PUBLIC_HOST}/report?x=1"


def test_other_host_names_get_no_answer(site):
    connection = http.client.HTTPConnection("127.0.0.1", site["http"], timeout=15)
    with pytest.raises(http.client.RemoteDisconnected):
        request(connection, "GET", "/", headers={"Host": "203.0.113.9"})


def test_pages_come_from_the_app_over_tls_with_security_headers(site):
    status, headers, body = request(https(site), "GET", "/")
    assert status == 200 and b"<html" in body
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "nginx/" not in headers["Server"]  # server_tokens off


def test_static_files_come_from_nginx_without_a_listing(site):
    status, headers, body = request(https(site), "GET", "/static/css/app.css")
    assert status == 200
    assert body == (REPO / "static" / "css" / "app.css").read_bytes()
    assert "max-age=3600" in headers["Cache-Control"]
    assert "/static/" not in site["gunicorn"].output()  # never reached gunicorn
    status, _, body = request(https(site), "GET", "/static/css/")
    assert status == 403 and b"Index of" not in body


def test_public_pages_are_kept_by_nginx(site):
    path = "/open311/v2/services.json"
    bodies = [request(https(site), "GET", path)[2] for _ in range(3)]
    assert bodies[0] == bodies[1] == bodies[2] and b"water-supply" in bodies[0]
    # Pages not kept reach gunicorn every time; once the last of two has been logged, so have
    # all the requests before it.
    for _ in range(2):
        request(https(site), "GET", "/report")
    gunicorn = site["gunicorn"]
    gunicorn.wait_until(lambda: gunicorn.output().count("GET /report ") == 2, timeout=10)
    assert gunicorn.output().count(f"GET {path} ") == 1  # the others came from nginx


def test_signed_twilio_webhook_through_nginx_and_gunicorn(site, app):
    params = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "1" * 32,
        "From": "+9647801234567",
        "To": "4455",
        "Body": "No water in Al-Ashar since yesterday",
        "NumMedia": "0",
    }
    # What Twilio signs: the public HTTPS URL it was told, not the loopback one gunicorn sees.
    signature = sign(TWILIO_TOKEN, f"https://{PUBLIC_HOST}/sms/inbound", params)
    status, headers, body = request(
        https(site),
        "POST",
        "/sms/inbound",
        body=urllib.parse.urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
    )
    assert status == 200, body
    reply = ET.fromstring(body).find("Message").text
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket is not None and ticket.reference in reply
        assert ticket.directorate.code == "water"


def test_webhook_bodies_over_64_kb_stop_at_nginx(site):
    body = "Body=" + "x" * 100_000
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, answer = request(https(site), "POST", "/sms/inbound", body=body, headers=headers)
    assert status == 413 and b"<center>nginx</center>" in answer
    # Elsewhere a photo-sized body passes nginx, and the app answers for itself.
    status, _, answer = request(https(site), "POST", "/report", body=body * 10, headers=headers)
    assert status == 400 and b"<center>nginx</center>" not in answer  # the app's: no CSRF token
