"""Logging in and out: throttled guessing, safe redirects, hashed passwords, secure cookies."""

from feedback.extensions import db
from tests.conftest import DEMO_PASSWORDS, csrf_from
from tests.factories import demo_user


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
    assert "اسم المستخدم أو كلمة المرور غير صحيحة." in wrong_password.get_data(as_text=True)


def test_passwords_are_stored_hashed(app):
    with app.app_context():
        user = demo_user("officer.water")
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


def from_address(app, address: str):
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def try_password(client, username: str, password: str):
    token = csrf_from(client, "/login")
    return client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}
    )


def test_guessing_one_account_from_one_address_is_throttled(app_with):
    app = app_with(LOGIN_LIMIT_PER_ACCOUNT_AND_IP="3 per 10 minutes")
    client = app.test_client()
    statuses = [try_password(client, "officer.water", "guess").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert try_password(client, "monitor", "guess").status_code == 401  # another account


def test_guessing_admin_from_one_address_never_locks_the_admin_out(app):
    attacker = from_address(app, "203.0.113.7")
    statuses = [try_password(attacker, "admin", "guess").status_code for _ in range(20)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}

    owner = from_address(app, "198.51.100.20")
    assert try_password(owner, "admin", DEMO_PASSWORDS["admin"]).status_code == 302

    # Address A is throttled, even with the right password: by the backoff, and by now (20
    # failures) by the limit per address, which lasts until its 10-minute window ends.
    throttled = try_password(attacker, "admin", DEMO_PASSWORDS["admin"])
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


def test_each_further_failure_waits_longer_and_then_may_try_again(app_with, monkeypatch):
    from feedback.web import throttle

    clock = [1_000_000.0]
    monkeypatch.setattr(throttle, "now", lambda: clock[0])
    app = app_with(LOGIN_LIMIT_PER_ACCOUNT_AND_IP="2 per 10 minutes", LOGIN_BACKOFF_SECONDS=10)
    client = from_address(app, "203.0.113.8")
    assert [try_password(client, "monitor", "guess").status_code for _ in range(2)] == [401, 401]
    waiting = try_password(client, "monitor", "guess")
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "10"
    page = waiting.get_data(as_text=True)
    assert "10" in page and 'id="throttled"' in page  # the page says when to try again

    clock[0] += 10
    assert try_password(client, "monitor", "guess").status_code == 401
    assert try_password(client, "monitor", "guess").headers["Retry-After"] == "20"
    clock[0] += 20
    assert try_password(client, "monitor", DEMO_PASSWORDS["monitor"]).status_code == 302
    # A success forgets the failures: the next mistake starts again from nothing.
    assert try_password(from_address(app, "203.0.113.8"), "monitor", "guess").status_code == 401


def test_guessing_from_one_address_is_throttled(app_with):
    app = app_with(LOGIN_LIMIT_PER_IP="4 per 10 minutes")
    client = app.test_client()
    responses = [try_password(client, f"user{n}", "guess") for n in range(6)]
    assert [r.status_code for r in responses] == [401] * 4 + [429, 429]
    assert 0 < int(responses[-1].headers["Retry-After"]) <= 601  # the window's end


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
            user = demo_user("monitor")
            user.set_password("demo-monitor-2026")
            db.session.commit()


def test_session_cookie_flags(app_with, auth):
    app = app_with()
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    response = auth.login("officer.water")
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
