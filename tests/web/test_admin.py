"""The admin area through the test client and the real database: who may enter, triage,
users and the reference data. Reference data and users a test changes are put back by its
fixtures, since only the ticket tables are emptied between tests."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    Outbox,
    ReferenceDataVersion,
    RoutingRule,
    Ticket,
    User,
    utcnow,
)
from tests.conftest import AuthActions, count_rows, csrf_from
from tests.factories import only_ticket

PAGES = [
    "/admin/",
    "/admin/triage",
    "/admin/users",
    "/admin/directorates",
    "/admin/directorates/water/edit",
    "/admin/categories",
    "/admin/categories/new",
    "/admin/categories/water-supply/edit",
    "/admin/areas",
    "/admin/areas/nbh-ashar/edit",
    "/admin/rules",
    "/admin/sms",
    "/admin/numbers",
]
TEST_PREFIX = "test-admin-"


def log_in(client, username: str) -> None:
    response = AuthActions(client).login(username)
    assert response.status_code == 302, username


def post(client, path: str, **data):
    """A form post with the session's CSRF token, as the browser sends it."""
    return client.post(path, data={"csrf_token": csrf_from(client, "/admin/"), **data})


def version(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(ReferenceDataVersion.version))


@pytest.fixture
def admin(client):
    log_in(client, "admin")
    return client


@pytest.fixture
def restore_users(app):
    """Test users removed, and everyone's active flag as it was."""
    with app.app_context():
        active = {u.username: u.active for u in db.session.scalars(sa.select(User))}
    yield
    with app.app_context():
        for user in db.session.scalars(sa.select(User)):
            if user.username not in active:
                db.session.delete(user)
            else:
                user.active = active[user.username]
        db.session.commit()


# ---------------------------------------------------------------- who may enter


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language, direction", [("ar", "rtl"), ("en", "ltr")])
def test_every_admin_page_opens_for_the_admin(admin, path, language, direction):
    response = admin.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert 'class="admin-nav"' in page


@pytest.mark.parametrize("username", ["officer.water", "monitor"])
def test_officers_and_monitors_are_forbidden(client, username):
    log_in(client, username)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    token = csrf_from(client, "/account/password")
    for path in ("/admin/rules", "/admin/triage/ABCDE", "/admin/users/1/deactivate"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_anonymous_visitors_are_sent_to_log_in(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login"), path
    # A post without its CSRF token is refused before anything asks who is signed in.
    assert client.post("/admin/rules", data={}).status_code == 400


def test_a_post_without_csrf_token_is_rejected(app, admin):
    rules = count_rows(app, RoutingRule)
    response = admin.post(
        "/admin/rules",
        data={"category": "noise-pollution", "area": "", "directorate": "environment"},
    )
    assert response.status_code == 400
    assert count_rows(app, RoutingRule) == rules
    assert admin.post("/admin/users/1/deactivate").status_code == 400


# ---------------------------------------------------------------- triage


def test_unroutable_ticket_is_assigned_from_triage(app, admin, twilio):
    assert twilio.send("ضوضاء مولدة بالعشار").status_code == 200
    waiting = only_ticket(app)
    assert waiting.category.code == "noise-pollution"
    assert waiting.directorate is None and waiting.triage_reason
    assert count_rows(app, Outbox) == 0

    page = admin.get("/admin/triage").get_data(as_text=True)
    assert f'id="t-{waiting.reference}"' in page
    assert "ضوضاء مولدة بالعشار" in page
    assert "لا توجد قاعدة توجيه لـ noise-pollution" in page  # the stored reason, in Arabic

    response = post(admin, f"/admin/triage/{waiting.reference}", directorate="environment")
    assert response.status_code == 303

    ticket = only_ticket(app)
    assert ticket.directorate.code == "environment"
    assert ticket.triage_reason is None
    assert ticket.status == "new"
    routed = ticket.events[-1]
    assert routed.kind == "routed"
    assert routed.details == {
        "reason": "assigned by admin from triage",
        "directorate": "environment",
    }
    assert routed.actor.username == "admin"
    assert [e.kind for e in ticket.events].count("routed") == 1
    with app.app_context():
        outbox = db.session.scalars(sa.select(Outbox)).all()
        assert len(outbox) == 1
        assert outbox[0].to_number == "+9647801234567"
        assert outbox[0].status == "pending"
        assert ticket.reference in outbox[0].body
        assert ticket.directorate.name_ar in outbox[0].body
    assert f'id="t-{waiting.reference}"' not in admin.get("/admin/triage").get_data(as_text=True)


def test_a_silent_conversation_reaches_triage_and_the_category_can_be_set(
    app, admin, twilio, runner
):
    twilio.send("السلام عليكم")
    asked = only_ticket(app)
    assert asked.awaiting == "details"
    # Still waiting for the citizen's answer: not triage's business yet.
    assert f'id="t-{asked.reference}"' not in admin.get("/admin/triage").get_data(as_text=True)

    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        ticket.awaiting_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    result = runner.invoke(args=["conversations-expire"])
    assert result.exit_code == 0, result.output
    assert f'id="t-{asked.reference}"' in admin.get("/admin/triage").get_data(as_text=True)

    response = post(
        admin, f"/admin/triage/{asked.reference}", directorate="water", category="water-supply"
    )
    assert response.status_code == 303
    ticket = only_ticket(app)
    assert ticket.directorate.code == "water"
    assert ticket.category.code == "water-supply"
    assert ticket.due_at is not None
    assert ticket.events[-1].details["directorate"] == "water"
    assert count_rows(app, Outbox) == 1


def test_assigning_without_a_directorate_is_refused_next_to_the_field(app, admin, twilio):
    twilio.send("ضوضاء مولدة بالعشار")
    waiting = only_ticket(app)
    response = post(admin, f"/admin/triage/{waiting.reference}", directorate="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="directorate-{waiting.reference}-error"' in page
    response = post(admin, f"/admin/triage/{waiting.reference}", directorate="no-such-office")
    assert response.status_code == 400
    ticket = only_ticket(app)
    assert ticket.directorate is None
    assert [e.kind for e in ticket.events] == [e.kind for e in waiting.events]
    assert count_rows(app, Outbox) == 0


def test_a_ticket_no_longer_in_triage_is_not_assigned_twice(app, admin, twilio):
    twilio.send("ضوضاء مولدة بالعشار")
    waiting = only_ticket(app)
    post(admin, f"/admin/triage/{waiting.reference}", directorate="environment")
    again = post(admin, f"/admin/triage/{waiting.reference}", directorate="health")
    assert again.status_code == 303
    assert only_ticket(app).directorate.code == "environment"
    assert count_rows(app, Outbox) == 1


# ---------------------------------------------------------------- categories


def category_form(app, code: str, **changes) -> dict:
    with app.app_context():
        category = db.session.scalar(sa.select(Category).where(Category.code == code))
        data = {
            "name_ar": category.name_ar,
            "name_en": category.name_en,
            "sla_hours": str(category.sla_hours),
            "active": "y" if category.active else "",
        }
        for name in ("ar", "en", "arabizi", "subjects"):
            data[f"keywords_{name}"] = "\n".join(category.keywords.get(name, []))
    return {**data, **changes}


@pytest.mark.usefixtures("restore_reference_data")
def test_a_new_keyword_changes_how_the_next_sms_is_read(app, admin, twilio):
    before = version(app)
    twilio.send("قنفذ بالعشار", sender="+9647801111111")
    with app.app_context():
        unknown = db.session.scalar(sa.select(Ticket))
        assert unknown.category is None and unknown.awaiting == "category"

    data = category_form(app, "stray-animals")
    data["keywords_ar"] += "\nقنفذ، قنافذ"
    response = post(admin, "/admin/categories/stray-animals/edit", **data)
    assert response.status_code == 303
    assert version(app) > before
    with app.app_context():
        keywords = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "stray-animals")
        )
        assert keywords["ar"][-2:] == ["قنفذ", "قنافذ"]

    twilio.send("قنفذ بالعشار", sender="+9647802222222")
    with app.app_context():
        ticket = db.session.scalar(
            sa.select(Ticket).where(Ticket.citizen_phone == "+9647802222222")
        )
        assert ticket.category.code == "stray-animals"
        assert ticket.directorate.code == "municipality"


@pytest.mark.usefixtures("restore_reference_data")
def test_category_edits_are_checked_next_to_their_fields(app, admin):
    before = version(app)
    for hours in ("0", "2001", "many"):
        response = post(
            admin,
            "/admin/categories/water-supply/edit",
            **category_form(app, "water-supply", sla_hours=hours),
        )
        assert response.status_code == 400
        assert 'id="sla_hours-error"' in response.get_data(as_text=True)
    data = category_form(app, "stray-animals")
    data["keywords_ar"] += "\nالماي مقطوع"  # water-supply's
    response = post(admin, "/admin/categories/stray-animals/edit", **data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="keywords_ar-error"' in page and "water-supply" in page
    assert version(app) == before

    ok = category_form(app, "water-supply", sla_hours="36", active="")
    assert post(admin, "/admin/categories/water-supply/edit", **ok).status_code == 303
    with app.app_context():
        category = db.session.scalar(sa.select(Category).where(Category.code == "water-supply"))
        assert (category.sla_hours, category.active) == (36, False)
    assert version(app) == before + 1


@pytest.mark.usefixtures("restore_reference_data")
def test_a_new_category_is_created_once(app, admin):
    data = {
        "code": TEST_PREFIX + "pests",
        "group": "environment",
        "name_ar": "حشرات <b>",
        "name_en": "Insects <script>alert(1)</script>",
        "sla_hours": "100",
        "active": "y",
        "keywords_en": "bed bugs, silverfish",
    }
    assert post(admin, "/admin/categories/new", **data).status_code == 303
    page = admin.get("/admin/categories", headers={"Accept-Language": "en"}).get_data(True)
    assert "Insects &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    with app.app_context():
        created = db.session.scalar(sa.select(Category).where(Category.code == data["code"]))
        assert created.keywords["en"] == ["bed bugs", "silverfish"]
    again = post(admin, "/admin/categories/new", **data)
    assert again.status_code == 400
    assert 'id="code-error"' in again.get_data(as_text=True)
    bad_code = post(admin, "/admin/categories/new", **{**data, "code": "Not A Code"})
    assert bad_code.status_code == 400


# ---------------------------------------------------------------- areas


def area_form(app, code: str, **changes) -> dict:
    with app.app_context():
        area = db.session.scalar(sa.select(Area).where(Area.code == code))
        data = {
            "name_ar": area.name_ar,
            "name_en": area.name_en,
            "alt_names": "\n".join(area.alt_names),
            "lat": "" if area.lat is None else str(area.lat),
            "lon": "" if area.lon is None else str(area.lon),
            "parent": area.parent.code if area.parent else "",
        }
    return {**data, **changes}


@pytest.mark.usefixtures("restore_reference_data")
def test_a_lone_latitude_or_a_point_outside_basra_is_refused(app, admin):
    before = version(app)
    for changes, field in (
        ({"lat": "30.5", "lon": ""}, "lon"),
        ({"lat": "", "lon": "47.8"}, "lat"),
        ({"lat": "33.3", "lon": "44.4"}, "lat"),  # Baghdad
        ({"lat": "30.5", "lon": "49.5"}, "lon"),
    ):
        response = post(
            admin, "/admin/areas/nbh-ashar/edit", **area_form(app, "nbh-ashar", **changes)
        )
        assert response.status_code == 400, changes
        assert f'id="{field}-error"' in response.get_data(as_text=True), changes
    with app.app_context():
        area = db.session.scalar(sa.select(Area).where(Area.code == "nbh-ashar"))
        assert area.lat is not None and area.lon is not None
    assert version(app) == before


@pytest.mark.usefixtures("restore_reference_data")
def test_an_area_cannot_be_put_inside_its_own_part(app, admin):
    with app.app_context():
        child = db.session.scalar(sa.select(Area).where(Area.parent.has(code="dist-basra")))
        child_code = child.code
    page = admin.get("/admin/areas/dist-basra/edit").get_data(as_text=True)
    assert f'value="{child_code}"' not in page
    response = post(
        admin, "/admin/areas/dist-basra/edit", **area_form(app, "dist-basra", parent=child_code)
    )
    assert response.status_code == 400


@pytest.mark.usefixtures("restore_reference_data")
def test_area_names_and_point_are_saved_and_the_gazetteer_knows_them(app, admin, twilio):
    data = area_form(app, "nbh-ashar", alt_names="سوق الهنود القديم\nOld Indian Market")
    data.update(lat="30.51", lon="47.81")
    assert post(admin, "/admin/areas/nbh-ashar/edit", **data).status_code == 303
    with app.app_context():
        area = db.session.scalar(sa.select(Area).where(Area.code == "nbh-ashar"))
        assert area.alt_names == ["سوق الهنود القديم", "Old Indian Market"]
        assert (area.lat, area.lon) == (30.51, 47.81)
    twilio.send("ماكو ماي بسوق الهنود القديم")
    assert only_ticket(app).area.code == "nbh-ashar"
    neither = area_form(app, "nbh-ashar", lat="", lon="")
    assert post(admin, "/admin/areas/nbh-ashar/edit", **neither).status_code == 303
    assert "no point" in admin.get("/admin/areas", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


# ---------------------------------------------------------------- routing rules


def test_a_duplicate_rule_is_refused(app, admin, restore_rules):
    before, rules = version(app), count_rows(app, RoutingRule)
    anywhere = post(
        admin, "/admin/rules", category="water-supply", area="", directorate="municipality"
    )
    assert anywhere.status_code == 400
    page = anywhere.get_data(as_text=True)
    assert 'id="area-error"' in page
    in_area = post(
        admin,
        "/admin/rules",
        category="waste-collection",
        area="dist-zubair",
        directorate="municipality",
    )
    assert in_area.status_code == 400
    assert count_rows(app, RoutingRule) == rules
    assert version(app) == before


def test_rules_are_added_changed_and_deleted(app, admin, twilio, restore_rules):
    before = version(app)
    added = post(
        admin, "/admin/rules", category="noise-pollution", area="", directorate="environment"
    )
    assert added.status_code == 303
    assert version(app) == before + 1
    twilio.send("ضوضاء مولدة بالعشار", sender="+9647801111111")
    with app.app_context():
        rule = db.session.scalar(
            sa.select(RoutingRule).where(RoutingRule.category.has(code="noise-pollution"))
        )
        rule_id = rule.id
        first = db.session.scalar(sa.select(Ticket))
        assert first.directorate.code == "environment"

    assert post(admin, f"/admin/rules/{rule_id}/directorate", directorate="health").status_code
    twilio.send("ضوضاء مولدة بالعشار", sender="+9647802222222")
    with app.app_context():
        second = db.session.scalar(
            sa.select(Ticket).where(Ticket.citizen_phone == "+9647802222222")
        )
        assert second.directorate.code == "health"

    assert post(admin, f"/admin/rules/{rule_id}/delete").status_code == 303
    assert version(app) == before + 3
    assert post(admin, f"/admin/rules/{rule_id}/delete").status_code == 404
    page = admin.get("/admin/rules", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'id="rule-{rule_id}"' not in page
    assert "anywhere" in page


# ---------------------------------------------------------------- users and directorates


def test_users_are_created_deactivated_and_activated(app, admin, restore_users):
    username = TEST_PREFIX + "officer"
    data = {
        "username": username,
        "name": "Test Officer <i>",
        "role": "officer",
        "directorate": "water",
        "organisation": "",
        "password": "a-long-test-password",
    }
    assert post(admin, "/admin/users", **data).status_code == 303
    page = admin.get("/admin/users").get_data(as_text=True)
    assert username in page and "Test Officer &lt;i&gt;" in page

    taken = post(admin, "/admin/users", **data)
    assert taken.status_code == 400 and 'id="username-error"' in taken.get_data(as_text=True)
    no_office = post(
        admin, "/admin/users", **{**data, "username": username + "2", "directorate": ""}
    )
    assert no_office.status_code == 400
    assert 'id="directorate-error"' in no_office.get_data(as_text=True)
    short = post(admin, "/admin/users", **{**data, "username": username + "3", "password": "short"})
    assert short.status_code == 400

    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.username == username))
    assert post(admin, f"/admin/users/{user_id}/deactivate").status_code == 303
    other = app.test_client()
    token = csrf_from(other, "/login")
    refused = other.post(
        "/login",
        data={"username": username, "password": data["password"], "csrf_token": token},
    )
    assert refused.status_code == 401
    assert post(admin, f"/admin/users/{user_id}/activate").status_code == 303
    with app.app_context():
        assert db.session.get(User, user_id).active


def test_an_admin_cannot_deactivate_themselves(app, admin, restore_users):
    with app.app_context():
        me = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
    response = post(admin, f"/admin/users/{me}/deactivate")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(User, me).active
    assert admin.get("/admin/").status_code == 200
    assert post(admin, "/admin/users/999999/deactivate").status_code == 404


@pytest.mark.usefixtures("restore_reference_data")
def test_directorates_are_created_and_renamed_but_keep_their_code(app, admin):
    code = TEST_PREFIX + "ports"
    data = {"code": code, "name_ar": "الموانئ", "name_en": "Ports", "description_en": ""}
    assert post(admin, "/admin/directorates", **data).status_code == 303
    again = post(admin, "/admin/directorates", **data)
    assert again.status_code == 400 and 'id="code-error"' in again.get_data(as_text=True)

    edited = post(
        admin,
        f"/admin/directorates/{code}/edit",
        code="hijacked",
        name_ar="الشركة العامة لموانئ العراق",
        name_en="General Company for Ports of Iraq <b>",
        description_en="Umm Qasr",
    )
    assert edited.status_code == 303
    with app.app_context():
        directorate = db.session.scalar(sa.select(Directorate).where(Directorate.code == code))
        assert directorate.name_en == "General Company for Ports of Iraq <b>"
        assert (
            db.session.scalar(sa.select(Directorate).where(Directorate.code == "hijacked")) is None
        )
    page = admin.get("/admin/directorates", headers={"Accept-Language": "en"}).get_data(True)
    assert "Ports of Iraq &lt;b&gt;" in page
    assert admin.get("/admin/directorates/no-such/edit").status_code == 404
