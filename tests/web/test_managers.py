"""Managers and the governor's office through the pages: a manager assigns their directorate's
tickets to its officers (the officer's "assigned to me" tab), the governorate reads every
directorate and comments internally but changes nothing, both are made with `flask user
create` and the admin pages, and both must use two-factor login in production."""

import pytest
import sqlalchemy as sa

from feedback.domain import two_factor
from feedback.extensions import db
from feedback.models import Ticket, User
from tests.conftest import csrf_from
from tests.factories import demo_user, sms_ticket
from tests.web.test_two_factor import enrol_logged_in, password_step

POWER_SENDER = "+9647801111111"


def user_id(app, username: str) -> int:
    with app.app_context():
        return demo_user(username).id


def assign(client, reference: str, officer: int | str):
    token = csrf_from(client, f"/officer/t/{reference}")
    return client.post(
        f"/officer/t/{reference}/assign", data={"csrf_token": token, "officer": officer}
    )


def queue_page(client, **args) -> str:
    response = client.get("/officer/", query_string=args, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_manager_assigns_a_ticket_to_an_officer_who_sees_it_as_theirs(app, client, twilio, auth):
    mine = sms_ticket(twilio)
    shared = sms_ticket(twilio, "ماكو ماي بالعشار", sender=POWER_SENDER)
    officer = user_id(app, "officer.water")
    auth.login("manager.water")
    assert mine in queue_page(client) and shared in queue_page(client)  # all the directorate's
    assert assign(client, mine, officer).status_code == 303
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == mine))
        assert ticket.assigned_to.username == "officer.water"
        event = ticket.events[-1]
        assert (event.kind, event.actor.username) == ("assigned", "manager.water")
        assert event.details["to"] == officer
    page = client.get(f"/officer/t/{mine}").get_data(as_text=True)
    assert '→ <span dir="ltr">officer.water</span>' in page
    page = client.get(f"/t/{mine}", headers={"Accept-Language": "en"}).get_data(True)
    assert "Zainab" not in page and "Assigned" not in page  # the public never sees who

    auth.logout()
    auth.login("officer.water")
    assert mine in queue_page(client, assigned="mine")
    assert shared not in queue_page(client, assigned="mine")
    unassigned = queue_page(client, assigned="unassigned")
    assert shared in unassigned and mine not in unassigned
    assert mine in queue_page(client) and shared in queue_page(client)  # still shared
    assert assign(client, shared, officer).status_code == 403  # officers do not assign


def test_only_an_officer_of_the_tickets_directorate_can_be_assigned(app, client, twilio, auth):
    reference = sms_ticket(twilio)
    auth.login("manager.water")
    for nobody in (user_id(app, "officer.electricity"), user_id(app, "monitor"), 999_999, "x"):
        response = assign(client, reference, nobody)
        assert response.status_code == 303
    page = client.get(f"/officer/t/{reference}").get_data(as_text=True)
    assert "اختر موظفاً من هذه المديرية." in page  # flashed in the request's language
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        assert ticket.assigned_to_id is None
        assert "assigned" not in [event.kind for event in ticket.events]


def test_a_manager_reaches_only_their_directorates_tickets(app, client, twilio, auth):
    power = sms_ticket(twilio, "الكهرباء مقطوعة بالعشار", sender=POWER_SENDER)
    auth.login("manager.water")
    assert client.get(f"/officer/t/{power}").status_code == 404
    assert power not in queue_page(client)


def test_a_transfer_takes_the_ticket_from_its_officer(app, client, twilio, auth):
    reference = sms_ticket(twilio)
    auth.login("manager.water")
    assign(client, reference, user_id(app, "officer.water"))
    token = csrf_from(client, f"/officer/t/{reference}")
    client.post(
        f"/officer/t/{reference}/transfer",
        data={"csrf_token": token, "directorate": "sewerage", "reason": "ليس لنا"},
    )
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        assert (ticket.directorate.code, ticket.assigned_to_id) == ("sewerage", None)


def test_the_governorate_reads_every_directorate_and_comments_but_changes_nothing(
    app, client, twilio, auth
):
    water = sms_ticket(twilio)
    power = sms_ticket(twilio, "الكهرباء مقطوعة بالعشار", sender=POWER_SENDER)
    auth.login("governorate")
    page = queue_page(client)
    assert water in page and power in page and 'id="bulk-form"' not in page
    ticket_page = client.get(f"/officer/t/{power}").get_data(as_text=True)
    assert 'id="act-form"' not in ticket_page and "/transfer" not in ticket_page
    token = csrf_from(client, f"/officer/t/{power}")
    note = client.post(
        f"/officer/t/{power}/note", data={"csrf_token": token, "note": "متابعة المحافظة"}
    )
    assert note.status_code == 303
    refused = [
        client.post(f"/officer/t/{power}/act/acknowledge", data={"csrf_token": token}),
        client.post(f"/officer/t/{power}/transfer", data={"csrf_token": token}),
        client.post(f"/officer/t/{power}/assign", data={"csrf_token": token}),
        client.post("/officer/bulk/apply", data={"csrf_token": token, "ticket": power}),
    ]
    assert {response.status_code for response in refused} == {403}
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == power))
        assert ticket.status == "new"
        event = ticket.events[-1]
        assert (event.kind, event.actor_label, event.internal_note) == (
            "note",
            "governorate",
            "متابعة المحافظة",
        )
    assert "متابعة المحافظة" not in client.get(f"/t/{power}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "directorate", "refusal"),
    [("manager", "water", None), ("governorate", None, None), ("manager", None, "directorate")],
)
def test_user_create_makes_managers_and_the_governorate(app, runner, role, directorate, refusal):
    args = ["user", "create", "--username", f"test.{role}", "--name", "اسم", "--role", role,
            "--phone", "07709876543", "--email", "head@basra.example",
            "--password", "a-long-password-1"]  # fmt: skip
    if directorate:
        args += ["--directorate", directorate]
    result = runner.invoke(args=args)
    try:
        if refusal:
            assert result.exit_code == 1 and refusal in result.output
            return
        assert result.exit_code == 0, result.output
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == f"test.{role}"))
            assert (user.role, user.phone, user.email) == (
                role,
                "+9647709876543",
                "head@basra.example",
            )
            assert (user.directorate.code if user.directorate else None) == directorate
    finally:
        with app.app_context():
            db.session.execute(sa.delete(User).where(User.username == f"test.{role}"))
            db.session.commit()


def test_the_admin_creates_a_manager_with_a_staff_phone(app, client, auth):
    auth.login("admin")
    token = csrf_from(client, "/admin/users")
    form = {"csrf_token": token, "username": "head.water", "name": "مدير الماء", "role": "manager",
            "password": "a-long-password-1", "phone": "07709876543"}  # fmt: skip
    try:
        assert client.post("/admin/users", data=form).status_code == 400  # no directorate
        response = client.post("/admin/users", data={**form, "directorate": "water"})
        assert response.status_code == 303
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == "head.water"))
            assert (user.role, user.directorate.code, user.phone) == (
                "manager",
                "water",
                "+9647709876543",
            )
        page = client.get("/admin/users", headers={"Accept-Language": "en"}).get_data(True)
        assert "Manager (directorate head)" in page and "+9647709876543" in page
    finally:
        with app.app_context():
            db.session.execute(sa.delete(User).where(User.username == "head.water"))
            db.session.commit()


@pytest.mark.parametrize("role", ["manager", "governorate"])
def test_in_production_managers_and_the_governorate_must_enrol_first(app_with, staff_user, role):
    assert two_factor.required(role, production=True)
    production = app_with(PRODUCTION=True, SECRET_KEY="a-production-like-secret-key-" + "x" * 20)
    client = production.test_client()
    password_step(client, staff_user(role))
    for path in ("/officer/", "/officer/escalations"):
        response = client.get(path)
        assert response.headers["Location"] == "/account/two-factor", path
    enrol_logged_in(client)
    assert client.get("/officer/escalations").status_code == 200
