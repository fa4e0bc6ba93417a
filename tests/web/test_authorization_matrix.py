"""Every /officer/, /monitor/, /moderation/ and /admin/ route, taken from the app's own URL map,
for every kind of visitor: anonymous, monitor, officer of the ticket's directorate, officer of
another, the manager of the ticket's directorate, the governor's office, admin, and a monitor an
admin made a moderator. A new route without an expectation here fails the test until one is
written.

The governorate reads everything and may add an internal note; every other POST that changes a
ticket or an incident is refused with 403 before anything is looked up."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from feedback.extensions import db
from feedback.models import Correction, Ticket, utcnow
from feedback.models.attachments import Attachment
from feedback.services import incident_work
from feedback.services.attachments import add_photos
from feedback.services.photos import clean_photo
from tests.conftest import csrf_from
from tests.factories import demo_user
from tests.services.test_photos import encoded

VISITORS = [
    "anonymous",
    "monitor",
    "officer.water",
    "officer.electricity",
    "manager.water",
    "governorate",
    "admin",
    "moderator",  # a monitor with the moderator flag: a monitor, who also moderates
]
# Who may change the water ticket; the governorate only adds its note.
CHANGERS = ("officer.water", "manager.water", "admin")

# How to fill each URL parameter, and the form sent with each POST.
PARAMETERS = {
    "code": {
        "admin.edit_area": "dist-basra",
        "admin.edit_category": "water-supply",
        "admin.accept_keyword": "water-supply",
        "admin.dismiss_keyword": "water-supply",
        "admin.edit_directorate": "water",
    },
    "action": "acknowledge",
    "rule_id": 999_999,
    "user_id": 999_999,
    "block_id": 999_999,
    "outbox_id": 999_999,
    "follow_id": 999_999,
    "template_id": 999_999,
    "name": "no-such-photo.jpg",
}
POST_DATA = {
    "officer.act": {},
    "officer.note": {"note": "ملاحظة"},
    "officer.transfer": {"directorate": "sewerage", "reason": "ليس لنا"},
    # Another water category: the ticket stays with the water directorate.
    "officer.change_category": {"category": "water-leak", "reason": "بوري مكسور"},
    "admin.assign": {"directorate": "water"},
    "admin.change_rule": {"directorate": "water"},
    "monitor.follow_area": {"area": "dist-basra"},
    "officer_incidents.transfer": {"directorate": "sewerage", "reason": "ليس لنا"},
    "officer_incidents.remove_ticket": {"reason": "مشكلة ثانية"},
    # officer_incidents.join: {"incident": the declared outage}
    # The water ticket is filled in as "ticket" (see below).
    "officer.bulk_review": {"action": "acknowledge"},
    "officer.bulk_apply": {"action": "acknowledge"},
    # Back to nobody: it is nobody's already, so nothing changes (assigning: test_assignment).
    "officer.assign": {"officer": ""},
}
BULK = ("officer.bulk_review", "officer.bulk_apply")

# Expected status per (endpoint, method) for each visitor; ticket routes use a water ticket.
OFFICER_GET = {"anonymous": 302, "monitor": 403, "officer.electricity": 200,
               "manager.water": 200, "governorate": 200}  # fmt: skip
EXPECTED = {
    ("officer.queue", "GET"): {**OFFICER_GET, "officer.water": 200, "admin": 200},
    ("officer.ticket", "GET"): {**OFFICER_GET, "officer.water": 200, "officer.electricity": 404,
                                "admin": 200},
}  # fmt: skip
# Filling the message from a template (no template chosen here) shows the ticket page again.
EXPECTED[("officer.use_template", "POST")] = {**OFFICER_GET, "officer.water": 200,
                                              "officer.electricity": 404, "governorate": 403,
                                              "admin": 200}  # fmt: skip
# Acknowledging the water ticket: reviewed (200), then done (303); another directorate's: 404.
EXPECTED[("officer.bulk_review", "POST")] = EXPECTED[("officer.use_template", "POST")]
for endpoint in ("officer.act", "officer.note", "officer.transfer", "officer.change_category",
                 "officer.bulk_apply"):  # fmt: skip
    EXPECTED[(endpoint, "POST")] = {
        "anonymous": 302, "monitor": 403, "officer.water": 303, "officer.electricity": 404,
        "manager.water": 303, "governorate": 403, "admin": 303,
    }  # fmt: skip
# The governor's office comments internally on any ticket.
EXPECTED[("officer.note", "POST")] = {**EXPECTED[("officer.act", "POST")], "governorate": 303}
# Assigning is the manager's (and an admin's); officers may not give tickets to each other.
EXPECTED[("officer.assign", "POST")] = {
    "anonymous": 302, "monitor": 403, "officer.water": 403, "officer.electricity": 403,
    "manager.water": 303, "governorate": 403, "admin": 303,
}  # fmt: skip
# Recording a walk-in or a call: whoever does casework, for any directorate (routing decides);
# a blank form is refused with its errors, nothing recorded.
EXPECTED[("officer.record", "GET")] = {
    "anonymous": 302, "monitor": 403, "officer.water": 200, "officer.electricity": 200,
    "manager.water": 200, "governorate": 403, "admin": 200,
}  # fmt: skip
EXPECTED[("officer.record", "POST")] = {**EXPECTED[("officer.record", "GET")],
                                       "officer.water": 400, "officer.electricity": 400,
                                       "manager.water": 400, "admin": 400}  # fmt: skip
# Escalations: a manager's directorate's, the governorate's and an admin's of all.
EXPECTED[("escalations.index", "GET")] = {
    "anonymous": 302, "monitor": 403, "officer.water": 403, "officer.electricity": 403,
    "manager.water": 200, "governorate": 200, "admin": 200,
}  # fmt: skip
# Incidents: the water outage declared for the run; officers of electricity find nothing there.
EXPECTED[("officer_incidents.index", "GET")] = {**OFFICER_GET, "officer.water": 200, "admin": 200}
EXPECTED[("officer_incidents.declare", "GET")] = {**EXPECTED[("officer_incidents.index", "GET")],
                                                  "governorate": 403}  # fmt: skip
# A blank declaration is refused with its errors, whoever may declare.
EXPECTED[("officer_incidents.declare", "POST")] = {
    "anonymous": 302, "monitor": 403, "officer.water": 400, "officer.electricity": 400,
    "manager.water": 400, "governorate": 403, "admin": 400,
}  # fmt: skip
EXPECTED[("officer_incidents.page", "GET")] = EXPECTED[("officer.ticket", "GET")]
# Filling the messages from a template (none chosen here) shows the incident page again.
EXPECTED[("officer_incidents.use_template", "POST")] = EXPECTED[("officer.use_template", "POST")]
for endpoint in (
    "officer_incidents.act",
    "officer_incidents.transfer",
    "officer_incidents.remove_ticket",
    "officer_incidents.join",
):
    EXPECTED[(endpoint, "POST")] = EXPECTED[("officer.act", "POST")]
MONITOR_ONLY = {"anonymous": 302, "monitor": 200, "officer.water": 403,
                "officer.electricity": 403, "manager.water": 403, "governorate": 403,
                "admin": 200}  # fmt: skip
EXPECTED[("monitor.index", "GET")] = MONITOR_ONLY
EXPECTED[("monitor.ticket", "GET")] = MONITOR_ONLY
# A verdict on a ticket that is not resolved: the form is refused (note missing), nothing kept.
EXPECTED[("monitor.ticket", "POST")] = {**MONITOR_ONLY, "monitor": 400, "admin": 400}
for endpoint in ("monitor.follow_ticket", "monitor.follow_area", "monitor.unfollow"):
    EXPECTED[(endpoint, "POST")] = {**MONITOR_ONLY, "monitor": 303, "admin": 303}
# Field photos are for staff; this one does not exist.
EXPECTED[("monitor.photo", "GET")] = {"anonymous": 302, "monitor": 404, "officer.water": 404,
                                      "officer.electricity": 404, "manager.water": 404,
                                      "governorate": 404, "admin": 404}  # fmt: skip
# Moderation: admins and moderators, whatever their role or directorate. The POSTs carry no
# reason: refused with the form's errors (400), nothing changed.
MODERATORS_ONLY = {"anonymous": 302, "monitor": 403, "officer.water": 403,
                   "officer.electricity": 403, "manager.water": 403, "governorate": 403,
                   "admin": 200, "moderator": 200}  # fmt: skip
EXPECTED[("moderation.queue", "GET")] = MODERATORS_ONLY
EXPECTED[("moderation.ticket", "GET")] = MODERATORS_ONLY
for endpoint in ("moderation.redact", "moderation.hide", "moderation.restore"):
    EXPECTED[(endpoint, "POST")] = {**MODERATORS_ONLY, "admin": 400, "moderator": 400}
# The water ticket's photo: whoever reads the ticket; 404 for another directorate's officer.
EXPECTED[("officer.attachment", "GET")] = EXPECTED[("officer.ticket", "GET")]
# Photo review: the same moderators; approving the water ticket's photo redirects.
EXPECTED[("photo_review.index", "GET")] = MODERATORS_ONLY
EXPECTED[("photo_review.image", "GET")] = MODERATORS_ONLY
EXPECTED[("photo_review.review", "POST")] = {**MODERATORS_ONLY, "admin": 303, "moderator": 303}
POST_DATA["photo_review.review"] = {"review": "approved", "reason": ""}
ADMIN_ONLY = {"anonymous": 302, "monitor": 403, "officer.water": 403, "officer.electricity": 403,
              "manager.water": 403, "governorate": 403}  # fmt: skip
# No template 999999: its edit page is not found either.
EXPECTED[("admin.edit_response_template", "GET")] = {**ADMIN_ONLY, "admin": 404}
# Admin POSTs name things that do not exist here (id 999999, ref ZZZZZ): 404, nothing changed;
# a triage assignment of a ticket no longer in triage is explained on the triage page (303).
# The admin's real POSTs are tested in test_admin.py.
ADMIN_POST_TO_NOTHING = {"admin.delete_rule": 404, "admin.change_rule": 404,
                         "admin.activate_user": 404, "admin.deactivate_user": 404,
                         "admin.sign_out_user": 404,
                         "admin.make_moderator": 404, "admin.unmake_moderator": 404,
                         "admin.unblock_number": 404, "admin.retry_sms": 404,
                         "admin.edit_response_template": 404,
                         "admin.activate_response_template": 404,
                         "admin.deactivate_response_template": 404,
                         "admin.assign": 303,
                         # No word: nothing to accept (the real acceptance: test_corrections).
                         "admin.accept_keyword": 400, "admin.dismiss_keyword": 400,
                         # Blank forms: a creation is refused with its errors (400); an edit
                         # keeps the values it was filled with (WTForms) and saves nothing new.
                         "admin.users": 400, "admin.rules": 400, "admin.directorates": 400,
                         "admin.new_category": 400, "admin.edit_category": 400,
                         "admin.response_templates": 400,
                         "admin.numbers": 400,
                         "admin.edit_area": 303, "admin.edit_directorate": 303}  # fmt: skip


def routes(app):
    """Every staff route and method; the transfers last, as they take the ticket and then the
    incident away."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/officer", "/admin", "/monitor", "/moderation"))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    transfers = ("officer.transfer", "officer_incidents.transfer")
    return sorted(found, key=lambda pair: transfers.index(pair[0].endpoint) + 1
                  if pair[0].endpoint in transfers else 0)  # fmt: skip


def expected_status(endpoint: str, method: str, visitor: str) -> int:
    if visitor == "moderator" and not endpoint.startswith(("moderation.", "photo_review.")):
        visitor = "monitor"  # outside moderation, the flag changes nothing
    if (endpoint, method) in EXPECTED:
        return EXPECTED[(endpoint, method)][visitor]
    assert endpoint.startswith("admin."), f"no expectation for {endpoint} {method}"
    if visitor != "admin":
        return ADMIN_ONLY[visitor]
    if method == "GET":
        return 200
    assert endpoint in ADMIN_POST_TO_NOTHING, f"no expectation for admin {endpoint} {method}"
    return ADMIN_POST_TO_NOTHING[endpoint]


def url_for_rule(rule, reference: str, incident_id: int, attachment_id: int) -> str:
    values = {}
    for name in rule.arguments:
        if name == "attachment_id":
            values[name] = attachment_id
        elif name == "reference":
            values[name] = "ZZZZZ" if rule.endpoint == "admin.assign" else reference
        elif name == "incident_id":
            values[name] = incident_id
        elif isinstance(PARAMETERS[name], dict):
            values[name] = PARAMETERS[name][rule.endpoint]
        else:
            values[name] = PARAMETERS[name]
    return rule.build(values)[1]


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_staff_route_for_every_visitor(app, client, auth, twilio, moderator, visitor):
    assert twilio.send("ماكو ماي بحي الحسين").status_code == 200
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        reference, status_before = ticket.reference, ticket.status
        assert ticket.directorate.code == "water"
        outage_id = incident_work.declare(  # elsewhere: the ticket is not gathered into it
            demo_user("officer.water"),
            "water-supply",
            ["nbh-jumhuriya"],
            utcnow() + timedelta(hours=3),
            "انقطاع مبرمج",
            "",
        ).id
        add_photos(ticket, [clean_photo(encoded(Image.new("RGB", (8, 8)), "PNG"))])
        db.session.commit()
        attachment_id = db.session.scalar(sa.select(Attachment.id))
    if visitor == "moderator":
        made = moderator("monitor")
        assert auth.login(made.username, made.password).status_code == 302
    elif visitor != "anonymous":
        assert auth.login(visitor).status_code == 302
    token = csrf_from(client, "/login")
    checked = 0
    for rule, method in routes(app):
        url = url_for_rule(rule, reference, outage_id, attachment_id)
        if method == "GET":
            response = client.get(url)
        else:
            data = {"csrf_token": token, **POST_DATA.get(rule.endpoint, {})}
            if rule.endpoint == "officer_incidents.join":
                data["incident"] = outage_id
            if rule.endpoint in BULK:
                data["ticket"] = reference
            response = client.post(url, data=data)
        expected = expected_status(rule.endpoint, method, visitor)
        assert response.status_code == expected, (visitor, method, url)
        if expected == 302:
            assert "/login" in response.headers["Location"]
        checked += 1
    assert checked >= 20
    if visitor not in CHANGERS:
        with app.app_context():  # whoever may not act has changed nothing (a note aside)
            ticket = db.session.scalar(sa.select(Ticket))
            assert (ticket.status, ticket.directorate.code) == (status_before, "water")
            notes = ["note"] if visitor == "governorate" else []
            reviewed = ["photo_reviewed"] if visitor == "moderator" else []  # its photo, approved
            assert [e.kind for e in ticket.events] == ["created", "routed", *notes, *reviewed]
            assert ticket.assigned_to_id is None
            assert db.session.scalar(sa.select(sa.func.count(Correction.id))) == 0


def test_guessing_references_finds_nothing_of_another_directorate(app, client, auth, twilio):
    assert twilio.send("الكهرباء مقطوعة بالعشار").status_code == 200
    with app.app_context():
        power = db.session.scalar(sa.select(Ticket.reference))
    auth.login("officer.water")
    guesses = [power, power.lower(), "AAAAA", "ZZZZZ"]
    assert {client.get(f"/officer/t/{guess}").status_code for guess in guesses} == {404}
