"""What admins see of SMS held back or dropped: every one, with its reason; none silently."""

from feedback.domain.limits import SmsKind
from feedback.extensions import db
from feedback.services.notify import queue_to
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
    assert "/admin/sms" in overview and ">2</strong> SMS held back" in overview
    page = admin.get("/admin/sms", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "held notice" in page and "dropped reply" in page
    assert "notice 3" not in page  # sent as usual: nothing to explain
    assert page.count("Over the recipient’s daily allowance of 20 SMS") == 2
    assert "Waiting until" in page and "Dropped" in page
    assert NUMBER in page
