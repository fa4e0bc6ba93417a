"""A moderated text on every public surface: a name a moderator cut out of a complaint, or a
text a moderator hid, is read on no public page, API, export, map or monitor page, each fetched
as a reader would; the redacted text is read where the text is shown; staff read both."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import to_user_timezone

from feedback.extensions import db
from feedback.models import Ticket, utcnow
from feedback.services import incident_work, moderation
from tests.conftest import AuthActions, csrf_from
from tests.factories import demo_user
from tests.web.test_public_text_privacy import CITY_BOX, readable

NAME_AR, NAME_EN = "زبيدة القرغولي", "Zubaida Qaraghouli"
COMPLAINT = f"ماكو ماي بحي الحسين من ثلاث ايام، المقاول {NAME_AR} ({NAME_EN}) باع الماي"
REDACTED = "ماكو ماي بحي الحسين من ثلاث ايام، المقاول … باع الماي"
# Where the complaint's text itself is shown (the rest show its status, category, counts).
SHOWING_TEXT = (
    "/t/{ref}",
    "/open311/v2/requests/{ref}.json",
    "/open311/v2/requests/{ref}.xml",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/map/points.geojson?bbox={box}&zoom=16",
    "/export/tickets.csv",
    "/export/tickets.geojson",
    "/monitor/t/{ref}",
)
ALSO_PUBLIC = (
    "/",
    "/map",
    "/stats",
    "/stats.json",
    "/reports/{month}",
    "/reports/water/{month}",
    "/monitor/",
)


@pytest.fixture
def complaint(app, twilio):
    """The complaint, by SMS, routed to water and placed on the map; its reference."""
    assert twilio.send(COMPLAINT).status_code == 200
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.directorate.code == "water" and ticket.lat is not None
        return ticket.reference


def in_an_outage(app, reference: str) -> int:
    """The complaint joins an outage declared in its area (its map marker becomes the
    outage's): the outage's id, for its public page."""
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        incident = incident_work.declare(
            demo_user("officer.water"),
            "water-supply",
            [ticket.area.code],
            utcnow() + timedelta(hours=6),
            "انقطاع بسبب عطل بالخط",
            "",
        )
        db.session.expire_all()
        assert db.session.get(Ticket, ticket.id).incident_id == incident.id
        return incident.id


def surfaces(app, reference: str, incident: int | None = None) -> dict[str, str]:
    """Every public surface as an anonymous visitor (or, for /monitor/, a monitor following
    the complaint) reads it; with its incident's page when it is in one."""
    visitor = app.test_client()
    monitor = app.test_client()
    AuthActions(monitor).login("monitor")
    token = csrf_from(monitor, f"/monitor/t/{reference}")
    monitor.post(f"/monitor/t/{reference}/follow", data={"csrf_token": token})
    with app.test_request_context():
        month = to_user_timezone(utcnow()).strftime("%Y-%m")  # Basra's month
    values = {"ref": reference, "box": CITY_BOX, "incident": incident, "month": month}
    found = {}
    outage = ("/incidents/{incident}",) if incident is not None else ()
    for pattern in SHOWING_TEXT + ALSO_PUBLIC + outage:
        path = pattern.format(**values)
        reader = monitor if path.startswith("/monitor/") else visitor
        response = reader.get(path)
        assert response.status_code == 200, path
        found[path] = readable(response)
    return found


def showing_text(found: dict[str, str], reference: str) -> dict[str, str]:
    paths = {pattern.format(ref=reference, box=CITY_BOX) for pattern in SHOWING_TEXT}
    return {path: text for path, text in found.items() if path in paths}


def test_a_cut_name_is_on_no_public_surface(app, complaint):
    reference = complaint
    before = surfaces(app, reference)
    assert all(NAME_EN in text for text in showing_text(before, reference).values())
    with app.app_context():
        moderation.redact_text(demo_user("admin"), reference, REDACTED, "a named person")
    after = surfaces(app, reference)
    after |= surfaces(app, reference, in_an_outage(app, reference))
    leaks = [path for path, text in after.items() if NAME_AR in text or NAME_EN in text]
    assert not leaks, leaks
    missing = [
        path
        for path, text in showing_text(after, reference).items()
        if REDACTED not in text and not path.startswith("/map/")  # the outage's marker now
    ]
    assert not missing, missing
    assert "حرره مشرف" in after[f"/t/{reference}"]
    assert "a named person" not in "".join(after.values())  # the reason is for staff


def test_a_hidden_text_is_on_no_public_surface(app, complaint):
    reference = complaint
    with app.app_context():
        moderation.hide_text(demo_user("admin"), reference, "accuses a person")
    after = surfaces(app, reference)
    leaks = [path for path, text in after.items() if NAME_EN in text or "باع الماي" in text]
    assert not leaks, leaks
    for path, text in showing_text(after, reference).items():
        assert "مشرف" in text, path  # the hidden line, or the page's own words for it


def test_staff_read_the_original_and_what_the_public_reads(app, complaint):
    reference = complaint
    with app.app_context():
        moderation.redact_text(demo_user("admin"), reference, REDACTED, "a named person")
    officer = app.test_client()
    AuthActions(officer).login("officer.water")
    page = readable(officer.get(f"/officer/t/{reference}"))
    original = page[page.index('id="original-text"') :]
    assert COMPLAINT in original
    public = page[page.index('id="public-text"') :]
    assert public.index(REDACTED) < 200
    assert "a named person" in page  # the reason, on the staff timeline
