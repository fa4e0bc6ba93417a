"""Bulk actions through the queue: tick tickets, choose an action and a template, review them on
one confirmation page (tickets the action does not fit are named there and left out), confirm,
and every citizen is texted in their own language; CSRF is checked at both steps."""

import re

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from feedback.models.responses import ResponseTemplate
from feedback.services import casework
from tests.conftest import csrf_from
from tests.factories import demo_user, sms_ticket


def water_tickets(twilio) -> list[str]:
    return [
        sms_ticket(twilio, "ماكو ماي بحي الحسين", sender="+9647801000001"),
        sms_ticket(twilio, "الماي مالح بالعشار", sender="+9647801000002"),
        sms_ticket(twilio, "no water in Al-Ashar since morning", sender="+9647801000003"),
    ]


def team_on_the_way(app) -> tuple[int, str, str]:
    with app.app_context():
        found = db.session.scalar(
            sa.select(ResponseTemplate).where(ResponseTemplate.title.like("فريق الصيانة%"))
        )
        return found.id, found.body_ar, found.body_en


def hidden_tickets(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="ticket" value="([A-Z0-9]+)">', html)


def test_bulk_acknowledge_with_a_template_after_one_confirmation(app, client, auth, twilio):
    references = water_tickets(twilio)
    template, body_ar, body_en = team_on_the_way(app)
    with app.app_context():
        db.session.execute(sa.delete(Outbox))
        db.session.commit()
    auth.login("officer.water")
    queue = client.get("/officer/").get_data(as_text=True)
    for reference in references:
        assert f'name="ticket" value="{reference}"' in queue
    assert "فريق الصيانة بالطريق" in queue  # the template is offered
    token = csrf_from(client, "/officer/")
    chosen = {"csrf_token": token, "action": "acknowledge", "template": template}
    review = client.post("/officer/bulk", data={**chosen, "ticket": references})
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert sorted(hidden_tickets(html)) == sorted(references)
    assert html.count(body_ar) == 2 and html.count(body_en) == 1  # each in its language
    with app.app_context():  # the review changed nothing
        assert set(db.session.scalars(sa.select(Ticket.status))) == {"new"}
    applied = client.post("/officer/bulk/apply", data={**chosen, "ticket": references})
    assert applied.status_code == 303 and applied.headers["Location"] == "/officer/"
    with app.app_context():
        assert set(db.session.scalars(sa.select(Ticket.status))) == {"acknowledged"}
        texts = db.session.scalars(sa.select(Outbox.body)).all()
        assert len(texts) == 3 and sum(body_ar in text for text in texts) == 2


def test_a_ticket_the_action_does_not_fit_is_named_and_left_out(app, client, auth, twilio):
    references = water_tickets(twilio)
    with app.app_context():
        casework.act(demo_user("officer.water"), references[0], "acknowledge")
    auth.login("officer.water")
    token = csrf_from(client, "/officer/")
    review = client.post(
        "/officer/bulk",
        data={"csrf_token": token, "action": "acknowledge", "ticket": references},
    )
    html = review.get_data(as_text=True)
    assert sorted(hidden_tickets(html)) == sorted(references[1:])
    misfits = html.split('class="bulk-misfits"')[1]
    assert references[0] in misfits


def test_a_refused_batch_is_explained_and_changes_nothing(app, client, auth, twilio):
    references = water_tickets(twilio)
    auth.login("officer.water")
    token = csrf_from(client, "/officer/")
    no_reason = {"csrf_token": token, "action": "transfer", "directorate": "sewerage"}
    response = client.post(
        "/officer/bulk", data={**no_reason, "ticket": references}, follow_redirects=True
    )
    assert "flash-error" in response.get_data(as_text=True)
    nothing = client.post("/officer/bulk", data={"csrf_token": token, "action": "acknowledge"})
    assert nothing.status_code == 303
    with app.app_context():
        assert set(db.session.scalars(sa.select(Ticket.status))) == {"new"}


def test_both_steps_need_the_csrf_token_and_the_officers_own_tickets(app, client, auth, twilio):
    references = water_tickets(twilio)
    power = sms_ticket(twilio, "الكهرباء مقطوعة بالعشار", sender="+9647801000009")
    auth.login("officer.water")
    token = csrf_from(client, "/officer/")
    bare = {"action": "acknowledge", "ticket": references}
    assert client.post("/officer/bulk", data=bare).status_code == 400
    assert client.post("/officer/bulk/apply", data=bare).status_code == 400
    theirs = {**bare, "csrf_token": token, "ticket": [*references, power]}
    assert client.post("/officer/bulk", data=theirs).status_code == 404
    assert client.post("/officer/bulk/apply", data=theirs).status_code == 404
    with app.app_context():
        assert set(db.session.scalars(sa.select(Ticket.status))) == {"new"}
