"""Issue 16: a citizen on a phone-sized screen reports with a photo; staff see the photo on
the ticket page, the public page does not show it before a moderator approves it; no page
breaks its Content-Security-Policy."""

import re

import pytest
import sqlalchemy as sa
from PIL import Image

from feedback.extensions import db
from feedback.models import Ticket
from feedback.models.attachments import Attachment
from feedback.services.attachment_storage import attachment_storage, new_key
from tests.browser.test_hostile_content import login
from tests.conftest import TwilioWebhook
from tests.services.test_photos import encoded, photo_with_gps
from tests.web.test_whatsapp_media import OGG

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_photo_from_a_phone_reaches_the_officer(app, live_server, page_for, tmp_path):
    photo = tmp_path / "pipe.jpg"
    photo.write_bytes(photo_with_gps())
    page = page_for("ar", viewport=PHONE)
    page.goto(live_server + "/report")
    page.select_option("#category", "water-supply")
    page.fill("#description", "انبوب ماي مكسور والماي بالشارع")
    page.set_input_files("#photo", str(photo))
    # The photo field fits the phone's screen: nothing runs off its side.
    box = page.locator("#photo").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="أرسل الشكوى").click()
    page.wait_for_url(re.compile(r"/report/received/"))
    reference = page.locator(".reference").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}", reference)
    with app.app_context():
        attachment = db.session.scalar(sa.select(Attachment))
        assert attachment.ticket.reference == reference
        assert attachment.ticket.location_method == "photo_exif"
        attachment_id = attachment.id

    page.goto(f"{live_server}/t/{reference}")
    assert page.locator("#photos img").count() == 0  # not approved yet

    officer = page_for("en")
    login(officer, live_server, "officer.water")
    officer.goto(f"{live_server}/officer/t/{reference}")
    image = officer.locator(f"#attachments img[src$='/attachments/{attachment_id}']")
    image.wait_for()
    image.scroll_into_view_if_needed()
    officer.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert officer.evaluate("img => img.naturalWidth", image.element_handle()) == 64
    assert page.script_errors == [] and officer.script_errors == []


def test_a_voice_note_is_loaded_by_the_officers_page_within_its_policy(app, live_server, page_for):
    """The page's <audio> fetches the note from our own route (media-src 'self'); the
    browser's Content-Security-Policy refusing it would fail the test."""
    twilio = TwilioWebhook(app, app.test_client())
    twilio.send("ماكو ماي بحي الحسين", sender="whatsapp:+9647801234567")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        key = new_key("ogg")
        attachment_storage().put(key, OGG, "audio/ogg")
        note = Attachment(
            ticket=ticket, kind="audio", content_type="audio/ogg", storage_key=key,
            size_bytes=len(OGG), fetch="stored", review="pending",
        )  # fmt: skip
        db.session.add(note)
        db.session.commit()
        reference, note_id = ticket.reference, note.id
    officer = page_for("ar", viewport=PHONE)
    fetched = []
    officer.on(
        "response",
        lambda response: (
            fetched.append(response.status)
            if response.url.endswith(f"/attachments/{note_id}")
            else None
        ),
    )
    login(officer, live_server, "officer.water")
    officer.goto(f"{live_server}/officer/t/{reference}")
    audio = officer.locator("#attachments audio[controls]")
    audio.wait_for()
    officer.wait_for_function(
        "audio => audio.readyState > 0 || audio.error !== null", arg=audio.element_handle()
    )
    assert fetched and set(fetched) <= {200, 206}
    assert officer.script_errors == []


def test_a_refused_photo_keeps_what_the_citizen_typed(live_server, page_for, tmp_path):
    fake = tmp_path / "pipe.jpg"
    fake.write_bytes(encoded(Image.new("RGB", (20, 20)), "JPEG") + b"<script>alert(1)</script>")
    page = page_for("en", viewport=PHONE)
    page.goto(live_server + "/report")
    page.select_option("#category", "water-supply")
    page.fill("#description", "Broken pipe flooding the street")
    page.set_input_files("#photo", str(fake))
    page.get_by_role("button", name="Send report").click()
    page.wait_for_selector("#photo-error")
    assert "holds something besides the photo" in page.locator("#photo-error").inner_text()
    assert page.input_value("#description") == "Broken pipe flooding the street"
    assert page.script_errors == []
