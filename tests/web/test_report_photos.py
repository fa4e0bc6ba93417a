"""Issue 16: photos on /report. Each is checked (size, pixels, one image and nothing else),
re-encoded without metadata, kept private; staff see it, the public only once a moderator
approved it, and Open311's media_url then names its public copy. A GPS position in a photo
places a report that has no pin."""

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from feedback.domain.attachments import Review
from feedback.extensions import db
from feedback.models import Incident, Ticket, TicketEvent
from feedback.models.attachments import Attachment
from feedback.services.photos import MAX_CITIZEN_PHOTO_BYTES
from tests.conftest import count_rows, csrf_from
from tests.factories import demo_user
from tests.services.test_photos import encoded, photo_with_gps, png_header_claiming
from tests.web.test_open311 import validate
from tests.web.test_report_form import csrf_token

TEXT = "انبوب مكسور والماي يطلع بالشارع"


def report_with(client, *photos, **fields):
    """The form as a browser posts it. The body is encoded here, in memory: the test client's
    own encoding spools a large body to a temporary file it never closes."""
    data = MultiDict(
        {
            "csrf_token": csrf_token(client),
            "category": "water-supply",
            "description": TEXT,
            "lat": "",
            "lon": "",
            "phone": "",
            **fields,
        }
    )
    for name, content in photos:
        data.add("photo", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(data)
    return client.post(
        "/report",
        data=body,
        headers={"Accept-Language": "en"},
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def plain_photo(colour="green") -> bytes:
    return encoded(Image.new("RGB", (120, 80), colour), "JPEG")


def the_ticket(app) -> Ticket:
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        db.session.expunge_all()
        return ticket


def attachments_of(app) -> list[Attachment]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Attachment).order_by(Attachment.id)))
        db.session.expunge_all()
        return found


def approve(client, auth, attachment_id: int, username="admin"):
    auth.login(username)
    token = csrf_from(client, "/moderation/photos/")
    response = client.post(
        f"/moderation/photos/{attachment_id}",
        data={"csrf_token": token, "review": "approved", "reason": ""},
    )
    auth.logout()
    return response


def test_a_photo_with_gps_places_a_report_without_a_pin(app, client):
    response = report_with(client, ("pipe.jpg", photo_with_gps()))
    assert response.status_code == 302
    ticket = the_ticket(app)
    assert ticket.location_method == "photo_exif"
    assert (round(ticket.lat, 3), round(ticket.lon, 3)) == (30.5, 47.8)
    assert ticket.area_id is not None  # a place in Basra, routed by it
    [photo] = attachments_of(app)
    assert (photo.kind, photo.fetch, photo.review) == ("photo", "stored", "pending")
    assert photo.content_type == "image/jpeg"
    with app.app_context():
        stored = app.extensions["feedback.attachment_storage"].get(photo.storage_key)
    assert b"PhoneMaker" not in stored and not Image.open(io.BytesIO(stored)).getexif()
    # Alone in its place and time: no incident (a report with photos is not its own match).
    assert ticket.incident_id is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Incident.id))) == 0


def test_a_pin_wins_over_the_photos_position(app, client):
    report_with(client, ("pipe.jpg", photo_with_gps()), lat="30.5085", lon="47.7804")
    ticket = the_ticket(app)
    assert (ticket.location_method, ticket.lat) == ("map_pin", 30.5085)


def test_a_photo_taken_outside_basra_does_not_place_the_report(app, client):
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (33.0, 18.0, 0.0), 3: "E", 4: (44.0, 22.0, 0.0)}  # Baghdad
    report_with(client, ("baghdad.jpg", encoded(image, "JPEG", exif=exif)))
    ticket = the_ticket(app)
    assert ticket.location_method != "photo_exif" and ticket.lat is None


def test_several_photos_of_several_formats_are_kept(app, client):
    heic = encoded(Image.new("RGB", (40, 30), "blue"), "HEIF")
    png = encoded(Image.new("RGBA", (40, 30), (0, 0, 0, 0)), "PNG")
    response = report_with(client, ("a.jpg", plain_photo()), ("b.heic", heic), ("c.png", png))
    assert response.status_code == 302
    types = [photo.content_type for photo in attachments_of(app)]
    assert types == ["image/jpeg", "image/jpeg", "image/png"]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("bomb.png", png_header_claiming(30000, 30000), "too many pixels"),
        ("poly.jpg", plain_photo() + b"<script>alert(1)</script>", "holds something besides"),
        ("poly.png", encoded(Image.new("RGB", (9, 9)), "PNG") + b"PK\x05\x06" + bytes(18), "holds"),
        ("page.jpg", b"<html><script>alert(1)</script></html>", "not a photo we can read"),
        ("huge.jpg", b"\xff\xd8" + bytes(MAX_CITIZEN_PHOTO_BYTES), "larger than 10 MB"),
    ],
)
def test_a_bad_photo_is_refused_with_the_text_kept(app, client, name, content, says):
    folder = Path(app.config["ATTACHMENT_DIR"])
    files_before = len(list(folder.glob("*"))) if folder.exists() else 0
    response = report_with(client, ("fine.jpg", plain_photo()), (name, content))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="photo-error"' in page and says in page and name in page
    assert "Please choose your photos again." in page  # the browser has dropped them
    assert TEXT in page  # nothing the citizen typed is lost
    assert count_rows(app, Ticket) == 0 and count_rows(app, Attachment) == 0
    files_after = len(list(folder.glob("*"))) if folder.exists() else 0
    assert files_after == files_before  # not even the good photo was stored


def test_a_form_refused_for_another_field_asks_for_the_photos_again(app, client):
    """No category chosen: the text comes back, the photos cannot, and the citizen is told."""
    response = report_with(client, ("fine.jpg", plain_photo()), category="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="category-error"' in page and TEXT in page
    assert "Please choose your photos again." in page
    without = report_with(client, category="").get_data(as_text=True)
    assert "choose your photos again" not in without  # nothing to choose again


def test_at_most_three_photos(app, client):
    photos = [(f"{n}.jpg", plain_photo()) for n in range(4)]
    response = report_with(client, *photos)
    assert response.status_code == 400 and "At most 3 photos" in response.get_data(as_text=True)
    assert count_rows(app, Ticket) == 0


def test_staff_see_the_photo_the_public_only_once_approved(app, client, auth):
    report_with(client, ("pipe.jpg", plain_photo()))
    ticket, [photo] = the_ticket(app), attachments_of(app)
    public_url = f"/t/{ticket.reference}/photos/{photo.id}"
    staff_url = f"/officer/t/{ticket.reference}/attachments/{photo.id}"
    assert public_url not in client.get(f"/t/{ticket.reference}").get_data(as_text=True)
    assert client.get(public_url).status_code == 404
    assert client.get(staff_url).status_code == 302  # anonymous: log in first

    auth.login("officer.water")
    english = {"Accept-Language": "en"}
    page = client.get(f"/officer/t/{ticket.reference}", headers=english).get_data(as_text=True)
    assert f'src="{staff_url}"' in page and "Waiting for a moderator: not public" in page
    shown = client.get(staff_url)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in shown.headers["Cache-Control"]
    Image.open(io.BytesIO(shown.data)).verify()
    auth.logout()
    auth.login("officer.electricity")  # another directorate: no such ticket, no such photo
    assert client.get(staff_url).status_code == 404
    auth.logout()

    open311 = client.get(f"/open311/v2/requests/{ticket.reference}.json").get_json()
    assert open311[0]["media_url"] == ""

    auth.login("admin")  # the moderator sees the photo with its complaint, to judge it
    queue = client.get("/moderation/photos/", headers=english).get_data(as_text=True)
    assert f'href="/moderation/t/{ticket.reference}"' in queue and TEXT in queue
    auth.logout()

    assert approve(client, auth, photo.id).status_code == 303
    assert f'src="{public_url}"' in client.get(f"/t/{ticket.reference}").get_data(as_text=True)
    shown = client.get(public_url)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert client.get(f"/t/ZZZZZ/photos/{photo.id}").status_code == 404  # another reference

    absolute = app.config["PUBLIC_BASE_URL"] + public_url
    listed = client.get(f"/open311/v2/requests/{ticket.reference}.json").get_json()
    validate(listed, "requests.json")
    assert listed[0]["media_url"] == absolute
    everything = client.get("/open311/v2/requests.json").get_json()
    assert [r["media_url"] for r in everything if r["service_request_id"] == ticket.reference] == [
        absolute
    ]
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{ticket.reference}.xml").data)
    assert xml.find("./request/media_url").text == absolute


def test_a_rejected_photo_stays_private_and_says_why_to_staff(app, client, auth):
    report_with(client, ("face.jpg", plain_photo()))
    ticket, [photo] = the_ticket(app), attachments_of(app)
    auth.login("admin")
    token = csrf_from(client, "/moderation/photos/")
    queue = client.get("/moderation/photos/").get_data(as_text=True)
    assert ticket.reference in queue and f"/moderation/photos/{photo.id}/image" in queue
    no_reason = {"csrf_token": token, "review": "rejected", "reason": " "}
    client.post(f"/moderation/photos/{photo.id}", data=no_reason)
    assert attachments_of(app)[0].review == Review.PENDING  # a rejection says why
    reason = {"csrf_token": token, "review": "rejected", "reason": "يظهر وجه شخص"}
    assert client.post(f"/moderation/photos/{photo.id}", data=reason).status_code == 303
    [photo] = attachments_of(app)
    assert (photo.review, photo.review_reason) == ("rejected", "يظهر وجه شخص")
    assert photo.reviewed_by_id is not None and photo.reviewed_at is not None
    assert f"/moderation/photos/{photo.id}/" not in client.get("/moderation/photos/").get_data(
        as_text=True
    )
    with app.app_context():
        event = db.session.scalar(
            sa.select(TicketEvent).where(TicketEvent.kind == "photo_reviewed")
        )
        assert event.internal_note == "يظهر وجه شخص" and event.actor.username == "admin"
        assert event.details == {"attachment": photo.id, "review": "rejected"}
    assert client.get(f"/t/{ticket.reference}/photos/{photo.id}").status_code == 404
    public_page = client.get(f"/t/{ticket.reference}").get_data(as_text=True)
    assert "يظهر وجه شخص" not in public_page  # the reason is for staff


def test_a_moderator_need_not_be_an_admin_and_others_may_not_moderate(app, client, auth):
    report_with(client, ("pipe.jpg", plain_photo()))
    [photo] = attachments_of(app)
    auth.login("officer.water")
    assert client.get("/moderation/photos/").status_code == 403
    auth.logout()
    with app.app_context():
        demo_user("monitor").moderator = True
        db.session.commit()
    try:
        assert approve(client, auth, photo.id, username="monitor").status_code == 303
        assert attachments_of(app)[0].review == "approved"
    finally:
        with app.app_context():
            demo_user("monitor").moderator = False
            db.session.commit()
