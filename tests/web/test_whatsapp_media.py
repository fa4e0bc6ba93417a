"""Issue 16: WhatsApp photos and voice notes through the real signed webhook, their Twilio
URLs served by a local fake of Twilio's media API (HTTP Basic with the account's SID and
token, then a redirect to its media store), fetched by the worker's own command, never by the
webhook; retries with backoff, FAILED after the last; only allowed hosts are contacted."""

import base64
import io
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from PIL import Image

from feedback.domain.attachments import Fetch
from feedback.extensions import db
from feedback.models import Ticket, utcnow
from feedback.models.attachments import Attachment
from feedback.services.attachments import FetchError
from feedback.sms.twilio_media import TwilioMediaFetcher
from tests.conftest import TwilioWebhook
from tests.factories import reply_of
from tests.services.test_photos import encoded

JPEG = encoded(Image.new("RGB", (200, 150), (30, 90, 200)), "JPEG")
# The start of a real Ogg page: what a WhatsApp voice note (Opus in Ogg) begins with.
OGG = b"OggS\x00\x02" + bytes(20) + b"\x01\x13OpusHead\x01\x01" + bytes(200)


class FakeTwilioMedia(BaseHTTPRequestHandler):
    """/Media/<name> needs the account's Basic auth and redirects to the media store on
    another host name (localhost), which serves the content without any."""

    content: dict[str, tuple[bytes, str]] = {}
    seen: list[tuple[str, str, str | None]] = []  # (host, path, Authorization)
    expected_auth = ""

    def do_GET(self):
        host = self.headers.get("Host", "").split(":")[0]
        self.seen.append((host, self.path, self.headers.get("Authorization")))
        name = self.path.rsplit("/", 1)[-1]
        if "/Media/" in self.path:
            if self.headers.get("Authorization") != self.expected_auth:
                return self._answer(401, b"", "text/plain")
            if name == "broken":
                return self._answer(500, b"try later", "text/plain")
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/store/{name}")
            self.end_headers()
            return None
        if name not in self.content:
            return self._answer(404, b"", "text/plain")
        return self._answer(200, *self.content[name])

    def _answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_twilio(app):
    sid, token = app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"]
    FakeTwilioMedia.expected_auth = "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
    FakeTwilioMedia.content = {
        "photo": (JPEG, "image/jpeg"),
        "note": (OGG, "audio/ogg"),
        "polyglot": (JPEG + b"<script>alert(1)</script>", "image/jpeg"),
        "fake-audio": (b"<html><script>alert(1)</script></html>", "audio/ogg"),
    }
    FakeTwilioMedia.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilioMedia)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/2010-04-01/Accounts/{sid}/Messages/MM1/Media"
    yield base
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def media_app(app_with):
    return app_with(MEDIA_FETCH_HOSTS="127.0.0.1,localhost", MEDIA_FETCH_MAX_ATTEMPTS=2)


def send_media(app, body, *media, sender="whatsapp:+9647801234567"):
    fields = {"NumMedia": str(len(media))}
    for number, (url, content_type) in enumerate(media):
        fields[f"MediaUrl{number}"] = url
        fields[f"MediaContentType{number}"] = content_type
    return TwilioWebhook(app, app.test_client()).send(body, sender=sender, **fields)


def run_worker(app) -> str:
    result = app.test_cli_runner().invoke(args=["sms-worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def attachments_of(app) -> list[Attachment]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(Attachment).order_by(Attachment.id)))
        db.session.expunge_all()
        return found


def reference_of(app, attachment: Attachment) -> str:
    with app.app_context():
        return db.session.get(Ticket, attachment.ticket_id).reference


def login(client, username):
    from tests.conftest import AuthActions

    assert AuthActions(client).login(username).status_code == 302


def test_a_photo_and_a_voice_note_reach_the_officer(media_app, fake_twilio):
    app = media_app
    answered = send_media(app, "ماكو ماي بحي الحسين", (f"{fake_twilio}/photo", "image/jpeg"))
    assert answered.status_code == 200
    voice = send_media(
        app, "", (f"{fake_twilio}/note", "audio/ogg"), sender="whatsapp:+9647709876543"
    )
    assert "شنو المشكلة ووين" in reply_of(voice)  # a voice note alone: asked what and where
    assert FakeTwilioMedia.seen == []  # the webhook fetched nothing
    photo, note = attachments_of(app)
    assert reference_of(app, photo) in reply_of(answered)
    assert (photo.fetch, note.fetch) == (Fetch.WAITING, Fetch.WAITING)
    assert photo.source_url == f"{fake_twilio}/photo" and photo.storage_key is None

    assert "media stored 2" in run_worker(app)
    photo, note = attachments_of(app)
    assert (photo.fetch, photo.content_type, photo.fetch_attempts) == ("stored", "image/jpeg", 1)
    assert (note.fetch, note.content_type, note.size_bytes) == ("stored", "audio/ogg", len(OGG))
    auth_by_host = {
        (host, path.rsplit("/", 2)[-2]): auth for host, path, auth in FakeTwilioMedia.seen
    }
    assert auth_by_host[("127.0.0.1", "Media")] == FakeTwilioMedia.expected_auth
    assert auth_by_host[("localhost", "store")] is None  # the credentials go to Twilio only

    client = app.test_client()
    login(client, "officer.water")
    reference = reference_of(app, photo)
    page = client.get(f"/officer/t/{reference}").get_data(as_text=True)
    photo_url = f"/officer/t/{reference}/attachments/{photo.id}"
    assert f'<img src="{photo_url}"' in page
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(shown.data)).size == (200, 150)
    # The voice note's ticket waits for an answer in triage: not this officer's to read.
    note_url = f"/officer/t/{reference_of(app, note)}/attachments/{note.id}"
    assert client.get(note_url).status_code == 404
    # Nor may an attachment be read through another ticket's reference.
    assert client.get(f"/officer/t/{reference}/attachments/{note.id}").status_code == 404

    admin = app.test_client()
    login(admin, "admin")
    page = admin.get(f"/officer/t/{reference_of(app, note)}").get_data(as_text=True)
    assert f'<audio controls preload="metadata" src="{note_url}"' in page
    played = admin.get(note_url)
    assert played.status_code == 200 and played.mimetype == "audio/ogg" and played.data == OGG
    part = admin.get(note_url, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.data == b"OggS"

    public = app.test_client()
    assert public.get(f"/t/{reference}/photos/{photo.id}").status_code == 404  # not approved
    assert public.get(f"/t/{reference_of(app, note)}/photos/{note.id}").status_code == 404


def test_other_directorates_never_see_the_media(media_app, fake_twilio):
    send_media(media_app, "ماكو ماي بحي الحسين", (f"{fake_twilio}/photo", "image/jpeg"))
    run_worker(media_app)
    [photo] = attachments_of(media_app)
    reference = reference_of(media_app, photo)
    client = media_app.test_client()
    login(client, "officer.electricity")
    assert client.get(f"/officer/t/{reference}/attachments/{photo.id}").status_code == 404
    login(client, "monitor")  # a monitor is no reader of the officers' pages
    assert client.get(f"/officer/t/{reference}/attachments/{photo.id}").status_code == 403


def test_a_failing_download_is_retried_with_backoff_then_failed(media_app, fake_twilio):
    send_media(media_app, "ماكو ماي بحي الحسين", (f"{fake_twilio}/broken", "image/jpeg"))
    assert "to retry 1" in run_worker(media_app)
    [waiting] = attachments_of(media_app)
    assert (waiting.fetch, waiting.fetch_attempts) == ("waiting", 1)
    assert waiting.next_fetch_at > utcnow() + timedelta(seconds=20)  # not before its delay
    assert "media" not in run_worker(media_app)  # not due yet: nothing tried
    with media_app.app_context():
        db.session.get(Attachment, waiting.id).next_fetch_at = utcnow()
        db.session.commit()
    assert "failed 1" in run_worker(media_app)  # MEDIA_FETCH_MAX_ATTEMPTS=2: the last
    [failed] = attachments_of(media_app)
    assert (failed.fetch, failed.fetch_attempts, failed.next_fetch_at) == ("failed", 2, None)
    assert failed.source_url.endswith("/broken")  # kept for the record
    client = media_app.test_client()
    login(client, "officer.water")
    english = {"Accept-Language": "en"}
    page = client.get(f"/officer/t/{reference_of(media_app, failed)}", headers=english)
    assert "Could not be fetched from WhatsApp." in page.get_data(as_text=True)


@pytest.mark.parametrize("name", ["polyglot", "fake-audio"])
def test_media_that_is_not_what_it_claims_is_failed_not_stored(media_app, fake_twilio, name):
    kind = "audio/ogg" if name == "fake-audio" else "image/jpeg"
    send_media(media_app, "ماكو ماي بحي الحسين", (f"{fake_twilio}/{name}", kind))
    assert "failed 1" in run_worker(media_app)
    [refused] = attachments_of(media_app)
    assert (refused.fetch, refused.storage_key, refused.fetch_attempts) == ("failed", None, 1)


def test_only_allowed_hosts_are_ever_contacted(app, fake_twilio):
    """The default allow-list names Twilio's hosts: a URL on the local network (as a forged
    or odd webhook might carry) is failed without a request."""
    send_media(app, "ماكو ماي بحي الحسين", (f"{fake_twilio}/photo", "image/jpeg"))
    assert "failed 1" in run_worker(app)
    assert FakeTwilioMedia.seen == []
    fetcher = TwilioMediaFetcher("AC1", "token", frozenset({"api.twilio.com"}))
    for url in (
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",  # not HTTPS
        "https://api.twilio.com.evil.example/Media/ME1",
        "https://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ):
        with pytest.raises(FetchError, match="not allowed") as refused:
            fetcher.fetch(url, 1000)
        assert not refused.value.retryable


def test_a_forged_webhook_with_media_stores_nothing(app, fake_twilio):
    twilio = TwilioWebhook(app, app.test_client())
    params = twilio.params(
        "", sender="whatsapp:+9647801234567", NumMedia="1", MediaUrl0=f"{fake_twilio}/photo"
    )
    assert twilio.post(params, "forged").status_code == 403
    assert attachments_of(app) == []


def test_a_document_or_video_is_not_kept_as_an_attachment(app):
    response = send_media(
        app, "ماكو ماي بحي الحسين", ("https://api.twilio.com/x/Media/ME9", "application/pdf")
    )
    assert response.status_code == 200
    assert attachments_of(app) == []


def test_storage_down_is_retried_not_lost(media_app, fake_twilio, monkeypatch):
    from feedback.services.attachment_storage import LocalStorage

    send_media(media_app, "ماكو ماي بحي الحسين", (f"{fake_twilio}/photo", "image/jpeg"))

    def full_disk(self, key, content, content_type):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LocalStorage, "put", full_disk)
    assert "to retry 1" in run_worker(media_app)
    [waiting] = attachments_of(media_app)
    assert (waiting.fetch, waiting.fetch_attempts, waiting.storage_key) == ("waiting", 1, None)
    monkeypatch.undo()
    with media_app.app_context():
        db.session.get(Attachment, waiting.id).next_fetch_at = utcnow()
        db.session.commit()
    assert "media stored 1" in run_worker(media_app)
