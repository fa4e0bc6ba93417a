"""The command line: staff accounts and the sms-worker as an operator would run them."""

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Outbox, User


def test_user_create_makes_an_officer_who_can_log_in(app, runner, auth):
    result = runner.invoke(
        args=["user", "create", "--username", "Test.Ali", "--name", "علي حسن", "--role",
              "officer", "--directorate", "water", "--password", "a-long-password-1"]
    )  # fmt: skip
    try:
        assert result.exit_code == 0, result.output
        assert "Created officer test.ali" in result.output
        assert auth.login("test.ali", "a-long-password-1").status_code == 302
    finally:
        with app.app_context():
            db.session.execute(sa.delete(User).where(User.username == "test.ali"))
            db.session.commit()


def test_user_create_refuses_an_officer_without_a_directorate(runner):
    result = runner.invoke(
        args=["user", "create", "--username", "x", "--name", "x", "--role", "officer",
              "--password", "a-long-password-1"]
    )  # fmt: skip
    assert result.exit_code == 1 and "directorate" in result.output


def test_sms_worker_once_sends_the_outbox(app, runner):
    with app.app_context():
        db.session.add(
            Outbox(to_number="+9647801234567", body="مرحبا", language="ar", channel="sms")
        )
        db.session.commit()
    result = runner.invoke(args=["sms-worker", "--once"])
    assert result.exit_code == 0 and "sent 1" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Outbox.status)) == "sent"
        assert (
            db.session.scalar(sa.select(Message.body).where(Message.direction == "out")) == "مرحبا"
        )


def test_user_set_role_refuses_what_the_role_needs_or_nobody(runner, staff_user):
    monitor = staff_user("monitor")
    no_office = runner.invoke(
        args=["user", "set-role", "--username", monitor.username, "--role", "officer"]
    )
    assert no_office.exit_code == 1 and "directorate" in no_office.output
    nobody = runner.invoke(args=["user", "set-role", "--username", "nobody", "--role", "admin"])
    assert nobody.exit_code == 1 and "nobody" in nobody.output


def test_user_reset_two_factor_turns_it_off(app, runner, staff_user):
    from feedback.services.two_factor import pending_secret

    admin = staff_user("admin")
    with app.app_context():
        user = db.session.get(User, admin.id)
        pending_secret(user)
        user.two_factor_since = user.created_at
        db.session.commit()
    result = runner.invoke(args=["user", "reset-two-factor", "--username", admin.username])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.get(User, admin.id)
        assert not user.two_factor_enabled and user.totp_secret is None
    nobody = runner.invoke(args=["user", "reset-two-factor", "--username", "nobody"])
    assert nobody.exit_code == 1 and "no user 'nobody'" in nobody.output


def test_rollups_refresh_builds_then_brings_up_to_date(runner):
    first = runner.invoke(args=["rollups-refresh"])
    assert first.exit_code == 0, first.output
    assert "rebuilt from every ticket" in first.output
    again = runner.invoke(args=["rollups-refresh"])
    assert again.exit_code == 0 and "brought up to date" in again.output
    full = runner.invoke(args=["rollups-refresh", "--full"])
    assert full.exit_code == 0 and "rebuilt from every ticket" in full.output


def test_understanding_report_says_when_there_is_nothing_to_learn_from(runner):
    result = runner.invoke(args=["understanding", "report", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "No corrections in the last 7 days." in result.output
    assert runner.invoke(args=["understanding", "report", "--days", "0"]).exit_code == 2
