"""What admins see of SMS not sent (held back, dropped, failed): every one, with its reason;
none silently."""

from feedback.domain.limits import SmsKind
from feedback.extensions import db
from feedback.services.notify import queue_to
from tests.conftest import csrf_from
from tests.services.test_sms_allowance import numbers_that_texted_us  # noqa: F401
from tests.web.test_admin import admin  # noqa: F401 - the logged-in admin fixture

NUMBER = "+9647801234567"


def test_held_and_dropped_sms_are_listed_with_their_reasons(app, admin):  # noqa: F811
    with app.app_context():
        for n in range(20):
            queue_to(NUMBER, f"notice {n}", "ar", kind=SmsKind.NOTICE)
        queue_to(NUMBER, "held notice", "en", kind=SmsKind.NOTICE)
        queue_to(NUMBER, "dropped reply", "en", kind=SmsKind.REPLY)
        db.session.commit()
    overview = admin.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/admin/sms" in overview and ">2</strong> SMS not sent" in overview
    page = admin.get("/admin/sms", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "held notice" in page and "dropped reply" in page
    assert "notice 3" not in page  # sent as usual: nothing to explain
    assert page.count("Over the recipient’s daily allowance of 20 SMS") == 2
    assert "Waiting until" in page and "Dropped" in page
    assert NUMBER in page


def test_sms_that_failed_after_every_retry_are_listed_and_can_be_sent_again(app, admin):  # noqa: F811
    """Issue 10, defect 6: a gateway down longer than the retries ends in 'failed' — shown to
    admins with the gateway's last error, counted on the overview, and sent again on request."""
    from feedback.models import Outbox
    from feedback.services import outbox
    from tests.services.test_outbox_worker import POLICY, FlakyGateway

    with app.app_context():
        queue_to(NUMBER, "answer that never went", "ar", kind=SmsKind.NOTICE)
        db.session.commit()
        down = FlakyGateway(failures=100, retryable=True)
        for _ in range(POLICY.max_attempts):
            db.session.execute(db.update(Outbox).values(next_attempt_at=db.func.now()))
            db.session.commit()
            outbox.send_due("w", {"sms": down}, POLICY)
        row = db.session.scalar(db.select(Outbox))
        assert row.status == "failed"
        row_id = row.id
    overview = admin.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">1</strong> SMS not sent" in overview
    page = admin.get("/admin/sms", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "answer that never went" in page
    assert "Failed after 3 attempts: gateway down" in page
    token = csrf_from(admin, "/admin/sms")
    response = admin.post(f"/admin/sms/{row_id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.get(Outbox, row_id)
        assert (row.status, row.attempts) == ("pending", 0)
        assert outbox.send_due("w", {"sms": FlakyGateway(0, True)}, POLICY).sent == 1
