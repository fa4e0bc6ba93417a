"""Two-factor login through the pages: enrolling with a code from an authenticator app
(pyotp computes it here), logging in with a code or a recovery code, codes refused when wrong
or used again, and admins made to enrol where PRODUCTION is set."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import RecoveryCode, User
from tests.conftest import AuthActions, csrf_from

STEP = 30


def enrol(client, user) -> tuple[pyotp.TOTP, list[str]]:
    """Log in and enrol: the authenticator app and the recovery codes shown."""
    assert AuthActions(client).login(user.username, user.password).status_code == 302
    return enrol_logged_in(client)


def enrol_logged_in(client) -> tuple[pyotp.TOTP, list[str]]:
    """Scan (read the key off the page), refuse a wrong code, confirm with the right one."""
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<script" not in html and "style=" not in html
    key = re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', html).group(1)
    app = pyotp.TOTP(key.replace(" ", ""))
    assert confirm(client, "000000").status_code == 400
    confirmed = confirm(client, app.now())
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", confirmed.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    return app, codes


def confirm(client, code: str):
    token = csrf_from(client, "/account/two-factor")
    return client.post("/account/two-factor", data={"csrf_token": token, "code": code})


def password_step(client, user):
    response = AuthActions(client).login(user.username, user.password)
    assert response.status_code == 302
    return response


def second_step(client, code: str):
    token = csrf_from(client, "/login/two-factor")
    return client.post("/login/two-factor", data={"csrf_token": token, "code": code})


def next_code(app: pyotp.TOTP) -> str:
    """The next step's code: still accepted (one step of drift), and not the one used to
    enrol, which may not be used twice."""
    return app.at(time.time() + STEP)


def test_enrol_then_log_in_with_a_code_from_the_app(app, staff_user):
    officer = staff_user("officer")
    totp, codes = enrol(app.test_client(), officer)
    with app.app_context():
        user = db.session.get(User, officer.id)
        assert user.two_factor_enabled and user.totp_secret
        stored = db.session.scalars(
            sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == officer.id)
        ).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # kept hashed only

    client = app.test_client()
    response = password_step(client, officer)
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get("/officer/").status_code == 302  # not logged in yet
    assert second_step(client, "123456").status_code == 401
    assert second_step(client, totp.now()).status_code == 401  # used to enrol: not again
    logged_in = second_step(client, next_code(totp))
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == "/officer/"
    assert client.get("/officer/").status_code == 200

    other = app.test_client()
    password_step(other, officer)
    assert second_step(other, next_code(totp)).status_code == 401  # the same code again


def test_a_recovery_code_logs_in_once(app, staff_user):
    officer = staff_user("officer")
    _, codes = enrol(app.test_client(), officer)
    client = app.test_client()
    password_step(client, officer)
    assert second_step(client, codes[3].upper().replace("-", " ")).status_code == 302
    assert client.get("/officer/").status_code == 200

    again = app.test_client()
    password_step(again, officer)
    assert second_step(again, codes[3]).status_code == 401
    assert second_step(again, codes[4]).status_code == 302
    page = again.get("/account/two-factor").get_data(as_text=True)
    assert "8" in page


def test_the_second_step_needs_the_password_step_first(app):
    client = app.test_client()
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_guessing_codes_is_slowed(app_with, staff_user):
    app = app_with(LOGIN_LIMIT_PER_ACCOUNT_AND_IP="3 per 10 minutes")
    officer = staff_user("officer")
    totp, _ = enrol(app.test_client(), officer)
    client = app.test_client()
    password_step(client, officer)
    statuses = [second_step(client, "000000").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # From another address too: only the holder of the password gets here at all.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    password_step(other, officer)
    refused = second_step(other, next_code(totp))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_turning_it_on_or_off_ends_other_sessions(app, staff_user):
    officer = staff_user("officer")
    elsewhere = app.test_client()
    password_step(elsewhere, officer)
    client = app.test_client()
    totp, codes = enrol(client, officer)
    assert elsewhere.get("/officer/").status_code == 302
    assert client.get("/officer/").status_code == 200  # the enrolling session goes on

    password_step(elsewhere, officer)
    assert second_step(elsewhere, codes[0]).status_code == 302
    token = csrf_from(client, "/account/two-factor")
    wrong = client.post(
        "/account/two-factor/disable",
        data={"csrf_token": token, "password": "not-it", "code": next_code(totp)},
    )
    assert wrong.status_code == 400
    off = client.post(
        "/account/two-factor/disable",
        data={"csrf_token": token, "password": officer.password, "code": next_code(totp)},
    )
    assert off.status_code == 302
    assert elsewhere.get("/officer/").status_code == 302
    assert client.get("/officer/").status_code == 200
    with app.app_context():
        user = db.session.get(User, officer.id)
        assert not user.two_factor_enabled and user.totp_secret is None
    assert password_step(app.test_client(), officer).headers["Location"] == "/officer/"


def test_the_password_page_offers_it(app, staff_user):
    monitor = staff_user("monitor")
    client = app.test_client()
    password_step(client, monitor)
    assert 'href="/account/two-factor"' in client.get("/account/password").get_data(as_text=True)


@pytest.fixture
def production(app_with):
    return app_with(PRODUCTION=True, SECRET_KEY="a-production-like-secret-key-" + "x" * 20)


def test_in_production_an_admin_must_enrol_before_anything_else(production, staff_user):
    admin = staff_user("admin")
    client = production.test_client()
    password_step(client, admin)
    for path in ("/officer/", "/admin/users", "/monitor/", "/account/password", "/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor", path
    token = csrf_from(client, "/account/two-factor")
    assert client.post("/admin/users/1/sign-out", data={"csrf_token": token}).status_code == 302
    enrol_logged_in(client)
    assert client.get("/admin/users").status_code == 200


def test_in_production_a_monitor_is_offered_it_not_forced(production, staff_user):
    monitor = staff_user("monitor")
    client = production.test_client()
    assert password_step(client, monitor).headers["Location"] == "/monitor/"
    assert client.get("/monitor/").status_code == 200


def test_outside_production_an_admin_is_not_forced(app, staff_user):
    admin = staff_user("admin")
    client = app.test_client()
    password_step(client, admin)
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize(
    "language, direction, words",
    [("ar", "rtl", "الدخول بخطوتين"), ("en", "ltr", "Two-factor login")],
)
def test_the_pages_speak_arabic_and_english(app, staff_user, language, direction, words):
    officer = staff_user("officer")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    _, codes = enrol(client, officer)
    pages = [client.get("/account/two-factor"), client.get("/account/password")]
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    password_step(other, officer)
    pages.append(other.get("/login/two-factor"))
    for response in pages:
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f'<html lang="{language}" dir="{direction}">' in page and words in page
        assert "<script" not in page and "style=" not in page
        assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
