"""The moderation pages through the test client and the real database: who may enter, the
three text actions (each needing a reason, each an event with who and why), refusals shown on
the page with nothing changed, script in a text escaped, the admin's moderator switch, and
the figures on the queue and the admin overview."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.domain.attachments import AttachmentKind
from feedback.extensions import db
from feedback.models import Ticket, TicketEvent, User, utcnow
from feedback.models.attachments import Attachment
from feedback.services import moderation
from tests.conftest import AuthActions, csrf_from
from tests.factories import sms_ticket, ticket_row

NAMED = "ماكو ماي بحي الحسين، المقاول علي حسين الكعبي سرق البوري"
CUT_NAME = "ماكو ماي بحي الحسين، المقاول … سرق البوري"


def logged_in(app, username: str, password: str | None = None):
    client = app.test_client()
    assert AuthActions(client).login(username, password).status_code == 302
    return client


def post(client, path: str, **data):
    """A form post with the session's CSRF token, as the browser sends it."""
    return client.post(path, data={"csrf_token": csrf_from(client, "/moderation/"), **data})


def ticket_of(app, reference: str) -> Ticket:
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        _ = ticket.events
        return ticket


def moderation_steps(app, reference: str) -> list[tuple]:
    with app.app_context():
        events = db.session.scalars(
            sa.select(TicketEvent)
            .join(Ticket)
            .where(Ticket.reference == reference, TicketEvent.kind == "moderated")
            .order_by(TicketEvent.id)
        )
        return [(e.details["action"], e.actor.username, e.internal_note) for e in events]


def test_officers_and_monitors_without_the_flag_get_403(app, twilio):
    reference = sms_ticket(twilio, NAMED)
    for username in ("officer.water", "manager.water", "governorate", "monitor"):
        client = logged_in(app, username)
        assert client.get("/moderation/").status_code == 403, username
        assert client.get(f"/moderation/t/{reference}").status_code == 403, username
        token = csrf_from(client, "/")
        for action in ("redact", "hide", "restore"):
            data = {"csrf_token": token, "text": CUT_NAME, "reason": "no"}
            response = client.post(f"/moderation/t/{reference}/{action}", data=data)
            assert response.status_code == 403, (username, action)
        assert "/moderation/" not in client.get("/").get_data(as_text=True)  # no menu link
    assert moderation_steps(app, reference) == []
    anonymous = app.test_client().get("/moderation/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


@pytest.mark.parametrize("role", ["monitor", "officer"])
def test_a_flagged_account_redacts_hides_and_restores(app, twilio, moderator, role):
    reference = sms_ticket(twilio, NAMED)
    made = moderator(role)
    client = logged_in(app, made.username, made.password)
    assert 'href="/moderation/"' in client.get("/").get_data(as_text=True)
    queue = client.get("/moderation/").get_data(as_text=True)
    assert reference in queue and NAMED in queue

    redacted = post(client, f"/moderation/t/{reference}/redact", text=CUT_NAME, reason="اسم")
    assert redacted.status_code == 303
    assert redacted.headers["Location"].endswith(f"/moderation/t/{reference}")
    assert ticket_of(app, reference).public_text == CUT_NAME
    hidden = post(client, f"/moderation/t/{reference}/hide", reason="اتهام")
    assert hidden.status_code == 303
    assert ticket_of(app, reference).text_moderation == "hidden"
    restored = post(client, f"/moderation/t/{reference}/restore", reason="تم التحقق")
    assert restored.status_code == 303
    ticket = ticket_of(app, reference)
    assert (ticket.public_text, ticket.text_moderation) == (NAMED, None)
    assert moderation_steps(app, reference) == [
        ("redact", made.username, "اسم"),
        ("hide", made.username, "اتهام"),
        ("restore", made.username, "تم التحقق"),
    ]
    page = client.get(f"/moderation/t/{reference}").get_data(as_text=True)
    history = page[page.index('id="moderation-history"') :]
    assert [reason in history for reason in ("اسم", "اتهام", "تم التحقق")] == [True] * 3


@pytest.mark.parametrize(
    "action, data, error",
    [
        ("redact", {"text": CUT_NAME, "reason": ""}, "reason"),
        ("redact", {"text": CUT_NAME, "reason": "   "}, "reason"),
        ("redact", {"text": "", "reason": "name"}, "text"),
        ("redact", {"text": NAMED, "reason": "name"}, "text"),
        ("redact", {"text": "المقاول حرامي …", "reason": "name"}, "text"),
        ("hide", {"reason": ""}, "reason"),
        ("restore", {"reason": "nothing to restore"}, None),
    ],
)
def test_a_refused_action_is_explained_and_changes_nothing(app, twilio, action, data, error):
    reference = sms_ticket(twilio, NAMED)
    admin = logged_in(app, "admin")
    response = post(admin, f"/moderation/t/{reference}/{action}", **data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    if error:
        key = reference.lower()
        field = {"reason": f"{action}-reason-" if action != "redact" else "reason-"}.get(
            error, "text-"
        )
        assert f'id="{field}{key}-error"' in page
    else:
        assert "form-error" in page
    ticket = ticket_of(app, reference)
    assert (ticket.public_text, ticket.text_moderation) == (NAMED, None)
    assert moderation_steps(app, reference) == []


def test_a_post_without_its_csrf_token_is_refused(app, twilio):
    reference = sms_ticket(twilio, NAMED)
    admin = logged_in(app, "admin")
    response = admin.post(f"/moderation/t/{reference}/hide", data={"reason": "forged"})
    assert response.status_code == 400
    assert ticket_of(app, reference).text_moderation is None


def test_an_unknown_reference_is_404(app):
    admin = logged_in(app, "admin")
    assert admin.get("/moderation/t/ZZZZZ").status_code == 404
    assert post(admin, "/moderation/t/ZZZZZ/hide", reason="why").status_code == 404
    found = admin.get("/moderation/?ref=ZZZZZ").get_data(as_text=True)
    assert 'id="not-found"' in found


def test_script_in_a_text_and_its_redaction_is_shown_as_text(app, twilio):
    hostile = 'ماكو ماي <script>alert("x")</script> <img src=x onerror=alert(1)> علي حسين'
    reference = sms_ticket(twilio, hostile)
    admin = logged_in(app, "admin")
    cut = 'ماكو ماي <script>alert("x")</script> <img src=x onerror=alert(1)> …'
    done = post(admin, f"/moderation/t/{reference}/redact", text=cut, reason="<b>x</b>")
    assert done.status_code == 303
    pages = [
        admin.get(f"/moderation/t/{reference}"),
        admin.get("/moderation/"),
        admin.get(f"/officer/t/{reference}"),
        app.test_client().get(f"/t/{reference}"),
    ]
    for response in pages:
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>x</b>" not in page
        assert "&lt;script&gt;alert(" in page


def test_the_search_finds_one_ticket_by_its_reference_as_typed(app, twilio):
    first = sms_ticket(twilio, NAMED)
    sms_ticket(twilio, "الكهرباء مقطوعة بالعشار")
    admin = logged_in(app, "admin")
    page = admin.get(f"/moderation/?ref=+{first.lower()}+").get_data(as_text=True)
    assert re.findall(r'<li id="text-(\w+)"', page) == [first]


def test_the_queue_pages_and_lists_the_moderated(app):
    now = utcnow()
    count = moderation.PAGE_SIZE + 1
    with app.app_context():
        db.session.add_all(
            ticket_row(f"R{n:04d}", created_at=now - timedelta(minutes=n)) for n in range(count)
        )
        db.session.commit()
    admin = logged_in(app, "admin")
    page = admin.get("/moderation/").get_data(as_text=True)
    shown = re.findall(r'<li id="text-(\w+)"', page)
    assert shown == [f"R{n:04d}" for n in range(moderation.PAGE_SIZE)]
    older = html.unescape(re.search(r'id="older" href="([^"]+)"', page).group(1))
    rest = admin.get(older).get_data(as_text=True)
    assert re.findall(r'<li id="text-(\w+)"', rest) == [f"R{count - 1:04d}"]
    assert 'id="older"' not in rest

    assert post(admin, "/moderation/t/R0007/hide", reason="x").status_code == 303
    moderated = admin.get("/moderation/?moderated=1").get_data(as_text=True)
    assert re.findall(r'<li id="text-(\w+)"', moderated) == ["R0007"]
    assert admin.get("/moderation/?before=99999999999").status_code == 200  # no such row


def test_the_admin_marks_moderators_on_the_users_page(app, staff_user):
    made = staff_user("monitor")
    admin = logged_in(app, "admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{made.id}/moderator" in page
    token = csrf_from(admin, "/admin/")
    response = admin.post(f"/admin/users/{made.id}/moderator", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, made.id).moderator
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{made.id}/not-moderator" in page
    monitor = logged_in(app, made.username, made.password)
    assert monitor.get("/moderation/").status_code == 200
    admin.post(f"/admin/users/{made.id}/not-moderator", data={"csrf_token": token})
    assert monitor.get("/moderation/").status_code == 403
    with app.app_context():
        me = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
    refused = admin.post(f"/admin/users/{me}/moderator", data={"csrf_token": token})
    assert refused.status_code == 303
    with app.app_context():
        assert not db.session.get(User, me).moderator
    assert admin.post(f"/admin/users/{made.id}/moderator", data={}).status_code == 400


def test_the_queue_and_the_admin_overview_show_the_figures(app, twilio):
    reference = sms_ticket(twilio, NAMED)
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        db.session.add(
            Attachment(
                ticket=ticket,
                kind=AttachmentKind.PHOTO,
                content_type="image/jpeg",
                created_at=utcnow() - timedelta(hours=3, minutes=5),
            )
        )
        db.session.commit()
    admin = logged_in(app, "admin")
    assert post(admin, f"/moderation/t/{reference}/hide", reason="x").status_code == 303
    for path in ("/admin/", "/moderation/"):
        admin.get("/lang/en")
        page = html.unescape(admin.get(path).get_data(as_text=True))
        photos = page[page.index('id="photos-waiting"') :]
        assert re.search(r'href="/moderation/photos/"><strong class="count">1</strong>', photos)
        assert "3 hours" in photos[:600]
        texts = page[page.index('id="texts-moderated"') :]
        moderated = r'<strong class="count">1</strong> Texts moderated in the last 7 days'
        assert re.search(moderated, texts)
