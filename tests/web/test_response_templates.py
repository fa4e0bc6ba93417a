"""Response templates through the client: admins keep them per directorate; in a ticket's action
form an officer picks one of their directorate's, which fills the public message (here without
JavaScript, by the "Use template" button) in the citizen's language, editable before sending."""

import re

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox
from feedback.models.responses import ResponseTemplate
from tests.conftest import csrf_from
from tests.factories import sms_ticket


def template(title: str) -> ResponseTemplate:
    return db.session.scalar(sa.select(ResponseTemplate).where(ResponseTemplate.title == title))


def test_an_admin_creates_edits_and_retires_a_template(
    app, client, auth, restore_response_templates
):
    auth.login("admin")
    token = csrf_from(client, "/admin/templates")
    refused = client.post("/admin/templates", data={"csrf_token": token, "title": "x"})
    assert refused.status_code == 400 and "field-error" in refused.get_data(as_text=True)
    created = client.post(
        "/admin/templates",
        data={
            "csrf_token": token,
            "directorate": "water",
            "title": "قطع للصيانة · Maintenance cut",
            "body_ar": "قطع مبرمج للصيانة لحد الساعة 4",
            "body_en": "A planned cut for maintenance until 4 pm",
        },
    )
    assert created.status_code == 303
    with app.app_context():
        made = template("قطع للصيانة · Maintenance cut")
        assert (made.directorate.code, made.active) == ("water", True)
        made_id = made.id
    assert "قطع مبرمج للصيانة" in client.get("/admin/templates").get_data(as_text=True)
    edit = f"/admin/templates/{made_id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert re.search(r'<option (?=[^>]*\bselected\b)(?=[^>]*value="water")', form)
    saved = client.post(
        edit,
        data={
            "csrf_token": token,
            "directorate": "water",
            "title": "قطع للصيانة · Maintenance cut",
            "body_ar": "قطع مبرمج للصيانة لحد الساعة 5",
            "body_en": "A planned cut for maintenance until 5 pm",
        },
    )
    assert saved.status_code == 303
    assert client.post(f"/admin/templates/{made_id}/deactivate").status_code == 400  # no CSRF
    retired = client.post(f"/admin/templates/{made_id}/deactivate", data={"csrf_token": token})
    assert retired.status_code == 303
    with app.app_context():
        made = db.session.get(ResponseTemplate, made_id)
        assert (made.body_en, made.active) == ("A planned cut for maintenance until 5 pm", False)


def test_the_officer_is_offered_only_active_templates_of_the_tickets_directorate(
    app, client, auth, twilio
):
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    auth.login("officer.water")
    page = client.get(f"/officer/t/{reference}").get_data(as_text=True)
    assert "فريق الصيانة بالطريق · Team on the way" in page
    assert "عطل بالمغذي" not in page  # the electricity directorate's
    # The Arabic body travels with the option, for the script that fills the message.
    assert 'data-body="استلمنا بلاغك وفريق الصيانة بالطريق الى المنطقة."' in page
    assert "js/response-template.js" in page


def test_use_template_fills_the_message_in_the_citizens_language_and_keeps_the_note(
    app, client, auth, twilio
):
    arabic = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    english = sms_ticket(
        twilio, "no water in Hay Al-Hussein since yesterday", sender="+9647801112223"
    )
    with app.app_context():
        picked = template("فريق الصيانة بالطريق · Team on the way")
        picked_id, body_ar, body_en = picked.id, picked.body_ar, picked.body_en
    auth.login("officer.water")
    for reference, body in ((arabic, body_ar), (english, body_en)):
        token = csrf_from(client, f"/officer/t/{reference}")
        page = client.post(
            f"/officer/t/{reference}/template",
            data={"csrf_token": token, "template": picked_id, "internal_note": "الفريق 3"},
        )
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        message = re.search(r'<textarea[^>]*id="public_message"[^>]*>\s*([^<]*)</textarea>', html)
        assert message and message.group(1).strip() == body
        assert "الفريق 3</textarea>" in html
    token = csrf_from(client, f"/officer/t/{arabic}")
    client.post(
        f"/officer/t/{arabic}/act/acknowledge",
        data={"csrf_token": token, "public_message": body_ar + " اليوم"},
    )
    with app.app_context():
        bodies = db.session.scalars(sa.select(Outbox.body).order_by(Outbox.id)).all()
        assert body_ar + " اليوم" in bodies[-1]


def test_use_template_refuses_another_directorates_template(app, client, auth, twilio):
    reference = sms_ticket(twilio, "ماكو ماي بحي الحسين")
    with app.app_context():
        power = template("عطل بالمغذي · Feeder fault").id
    auth.login("officer.water")
    token = csrf_from(client, f"/officer/t/{reference}")
    page = client.post(
        f"/officer/t/{reference}/template",
        data={"csrf_token": token, "template": power},
        follow_redirects=True,
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "flash-error" in html and "عطل بالمغذي وفرقنا" not in html
    assert (
        client.post(f"/officer/t/{reference}/template", data={"template": power}).status_code == 400
    )
