"""Sessions can be revoked: a session cookie copied before a logout, a password change, a
deactivation, a role change or an admin's "sign out everywhere" opens nothing afterwards."""

from feedback.extensions import db
from feedback.models import User
from tests.conftest import AuthActions, csrf_from


def logged_in(app, user):
    """A fresh browser logged in as `user`, and a copy of its session cookie."""
    client = app.test_client()
    assert AuthActions(client).login(user.username, user.password).status_code == 302
    return client, client.get_cookie("session").value


def replay(app, cookie: str):
    """The copied cookie, from another browser: where does /officer/ send it?"""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/officer/")


def is_sent_to_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def admin_post(app, path: str):
    admin = app.test_client()
    assert AuthActions(admin).login("admin").status_code == 302
    return admin, admin.post(path, data={"csrf_token": csrf_from(admin, "/admin/")})


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, staff_user):
    officer = staff_user("officer")
    client, cookie = logged_in(app, officer)
    assert replay(app, cookie).status_code == 200  # the copy works while the session lives
    AuthActions(client).logout()
    assert is_sent_to_login(replay(app, cookie))


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, staff_user):
    officer = staff_user("officer")
    _, cookie = logged_in(app, officer)
    client, _ = logged_in(app, officer)
    new = "another-long-passphrase"
    changed = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(client, "/account/password"),
            "current": officer.password,
            "new": new,
            "repeat": new,
        },
    )
    assert changed.status_code == 302
    assert is_sent_to_login(replay(app, cookie))
    assert client.get("/officer/").status_code == 200


def test_deactivation_ends_every_session_and_reactivation_revives_none(app, staff_user):
    officer = staff_user("officer")
    _, cookie = logged_in(app, officer)
    _, response = admin_post(app, f"/admin/users/{officer.id}/deactivate")
    assert response.status_code == 303
    assert is_sent_to_login(replay(app, cookie))
    _, response = admin_post(app, f"/admin/users/{officer.id}/activate")
    assert response.status_code == 303
    assert is_sent_to_login(replay(app, cookie))


def test_a_role_change_ends_every_session(app, runner, staff_user):
    officer = staff_user("officer")
    _, cookie = logged_in(app, officer)
    result = runner.invoke(
        args=["user", "set-role", "--username", officer.username, "--role", "monitor",
              "--organisation", "Basra Water Watch"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "monitor" in result.output
    with app.app_context():
        user = db.session.get(User, officer.id)
        assert (user.role, user.directorate, user.organisation) == (
            "monitor",
            None,
            "Basra Water Watch",
        )
    assert is_sent_to_login(replay(app, cookie))


def test_an_admin_signs_a_user_out_everywhere(app, staff_user, caplog):
    officer = staff_user("officer")
    _, first = logged_in(app, officer)
    _, second = logged_in(app, officer)
    admin, response = admin_post(app, f"/admin/users/{officer.id}/sign-out")
    assert response.status_code == 303
    assert officer.username in admin.get("/admin/users").get_data(as_text=True)
    assert is_sent_to_login(replay(app, first)) and is_sent_to_login(replay(app, second))
    assert admin.get("/admin/users").status_code == 200  # the admin's own session lives on
    assert any(
        "admin" in record.getMessage() and officer.username in record.getMessage()
        for record in caplog.records
    )  # who did it is recorded
    # The officer simply logs in again.
    assert logged_in(app, officer)[0].get("/officer/").status_code == 200


def test_the_users_page_offers_sign_out_everywhere_with_a_csrf_token(app, staff_user):
    officer = staff_user("officer")
    admin = app.test_client()
    AuthActions(admin).login("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{officer.id}/sign-out"' in page
    assert admin.post(f"/admin/users/{officer.id}/sign-out").status_code == 400  # no token
