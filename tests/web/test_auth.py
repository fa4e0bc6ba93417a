"""Logging in and out: throttled guessing, safe redirects, hashed passwords, secure cookies."""

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import User
from tests.conftest import csrf_from


def test_officer_logs_in_and_lands_on_the_queue(client, auth):
    response = auth.login("officer.water")
    assert response.status_code == 302 and response.headers["Location"] == "/officer/"
    assert client.get("/officer/").status_code == 200
    auth.logout()
    assert client.get("/officer/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(auth):
    wrong_password = auth.login("officer.water", "not-the-password")
    no_such_user = auth.login("nobody", "not-the-password")
    assert wrong_password.status_code == no_such_user.status_code == 401
    assert "Wrong username or password" in wrong_password.get_data(as_text=True) or (
        "كلمة المرور" in wrong_password.get_data(as_text=True)
    )


def test_passwords_are_stored_hashed(app):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "officer.water"))
        assert "demo-water-2026" not in user.password_hash
        assert user.password_hash.startswith("scrypt:")


def test_next_only_redirects_within_the_site(auth, client):
    inside = auth.login("officer.water", next_path="/officer/?overdue=y")
    assert inside.headers["Location"] == "/officer/?overdue=y"
    auth.logout()
    for outside in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = auth.login("officer.water", next_path=outside)
        assert response.headers["Location"] == "/officer/", outside
        auth.logout()


def test_login_without_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "admin", "password": "demo-admin-2026"})
    assert response.status_code == 400


def test_guessing_one_account_is_throttled(app_with):
    app = app_with(LOGIN_LIMIT_PER_ACCOUNT="3 per 10 minutes")
    client = app.test_client()
    statuses = []
    for _ in range(5):
        token = csrf_from(client, "/login")
        statuses.append(
            client.post(
                "/login",
                data={"csrf_token": token, "username": "officer.water", "password": "guess"},
            ).status_code
        )
    assert statuses == [401, 401, 401, 429, 429]
    token = csrf_from(client, "/login")
    other = client.post(
        "/login", data={"csrf_token": token, "username": "monitor", "password": "guess"}
    )
    assert other.status_code == 401  # another account is not locked by it


def test_guessing_from_one_address_is_throttled(app_with):
    app = app_with(LOGIN_LIMIT_PER_IP="4 per 10 minutes")
    client = app.test_client()
    statuses = []
    for n in range(6):
        token = csrf_from(client, "/login")
        data = {"csrf_token": token, "username": f"user{n}", "password": "guess"}
        statuses.append(client.post("/login", data=data).status_code)
    assert statuses[:4] == [401] * 4 and statuses[4:] == [429, 429]


def test_password_change(app, client, auth):
    auth.login("monitor")
    token = csrf_from(client, "/account/password")
    short = client.post(
        "/account/password",
        data={"csrf_token": token, "current": "demo-monitor-2026", "new": "x", "repeat": "x"},
    )
    assert short.status_code == 400
    new = "a-much-longer-passphrase"
    changed = client.post(
        "/account/password",
        data={"csrf_token": token, "current": "demo-monitor-2026", "new": new, "repeat": new},
    )
    assert changed.status_code == 302
    try:
        auth.logout()
        assert auth.login("monitor", new).status_code == 302
    finally:
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == "monitor"))
            user.set_password("demo-monitor-2026")
            db.session.commit()


def test_session_cookie_flags(app_with, auth):
    app = app_with()
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    response = auth.login("officer.water")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
