"""Field verification by civil-society monitors: verify or dispute a resolved ticket (a
dispute reopens it to the same directorate), photos checked, follows and a feed."""

import io

import sqlalchemy as sa
from PIL import Image

from feedback.extensions import db
from feedback.models import Follow, Outbox, Ticket, Verification
from tests.conftest import csrf_from
from tests.factories import resolved_ticket, sms_ticket
from tests.services.test_photos import encoded, photo_with_gps, png_header_claiming

PNG = encoded(Image.new("RGBA", (8, 8), (0, 0, 0, 0)), "PNG")


def check(client, reference, verdict, note="شفت الموقع", photo=None):
    data = {"csrf_token": csrf_from(client, f"/monitor/t/{reference}"), "verdict": verdict,
            "note": note}  # fmt: skip
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "field.png")
    return client.post(f"/monitor/t/{reference}", data=data, content_type="multipart/form-data")


def test_verifying_a_fix_puts_it_on_the_public_record(app, client, auth, twilio):
    reference = resolved_ticket(twilio, "تم التصليح")
    auth.login("monitor")
    assert reference in client.get("/monitor/").get_data(as_text=True)
    assert check(client, reference, "verified", "الماي واصل للبيوت").status_code == 303
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.status == "resolved" and ticket.events[-1].kind == "verified"
        assert db.session.scalar(sa.select(Verification.verdict)) == "verified"
    public = client.get(f"/t/{reference}").get_data(as_text=True)
    assert "الماي واصل للبيوت" in public
    assert reference not in client.get("/monitor/").get_data(as_text=True)  # checked now


def test_a_dispute_reopens_to_the_same_directorate_and_tells_the_citizen(app, client, auth, twilio):
    reference = resolved_ticket(twilio, "تم التصليح")
    auth.login("monitor")
    check(client, reference, "disputed", "الماي بعده مقطوع بالزقاق")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert (ticket.status, ticket.directorate.code) == ("reopened", "water")
        assert ticket.events[-1].details["disputed_by"]
        assert "فتحنا" in db.session.scalar(sa.select(Outbox.body))
    auth.logout()
    auth.login("officer.water")
    assert reference in client.get("/officer/").get_data(as_text=True)


def test_only_a_resolved_ticket_can_be_checked(app, client, auth, twilio):
    reference = sms_ticket(twilio)
    auth.login("monitor")
    response = check(client, reference, "disputed")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Verification.id))) == 0
        assert db.session.scalar(sa.select(Ticket.status)) == "new"


def test_photos_are_checked_by_content_and_shown_to_staff_only(app, client, auth, twilio):
    reference = resolved_ticket(twilio, "تم التصليح")
    auth.login("monitor")
    fake = check(client, reference, "verified", photo=b"GIF89a not a png")
    assert fake.status_code == 400 and 'id="photo-error"' in fake.get_data(as_text=True)
    assert check(client, reference, "verified", photo=PNG).status_code == 303
    with app.app_context():
        name = db.session.scalar(sa.select(Verification.photo_path))
        assert (
            name.endswith(".png")
            and db.session.scalar(sa.select(sa.func.count(Verification.id))) == 1
        )
    with client.get(f"/monitor/photos/{name}") as shown:
        assert shown.data.startswith(b"\x89PNG")
    auth.logout()
    assert client.get(f"/monitor/photos/{name}").status_code == 302  # anonymous: log in first
    assert client.get("/monitor/photos/../../config.py").status_code == 404


def test_hostile_photos_are_refused_or_re_encoded_and_served_inert(app, client, auth, twilio):
    """Issue 9, defect 10: a JPEG header followed by script and a 30000×30000 PNG were
    accepted by their first bytes; a real photo is stored re-encoded and served as an
    image that no browser will sniff into HTML. Issue 16: a real photo carrying script after
    its end is refused too (a polyglot), not quietly re-encoded."""
    reference = resolved_ticket(twilio, "تم التصليح")
    auth.login("monitor")
    script = b"\xff\xd8\xff\xe0<script>window.__pwned=1</script>"
    assert check(client, reference, "verified", photo=script).status_code == 400
    bomb = png_header_claiming(30000, 30000)
    assert check(client, reference, "verified", photo=bomb).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Verification.id))) == 0
    carrying = photo_with_gps() + b"<script>window.__pwned=1</script>"
    assert check(client, reference, "verified", photo=carrying).status_code == 400
    assert check(client, reference, "verified", photo=photo_with_gps()).status_code == 303
    with app.app_context():
        name = db.session.scalar(sa.select(Verification.photo_path))
    with client.get(f"/monitor/photos/{name}") as shown:
        assert shown.status_code == 200
        assert shown.mimetype == "image/jpeg"
        assert shown.headers["X-Content-Type-Options"] == "nosniff"
        assert shown.headers["Content-Disposition"].startswith("inline")
        assert b"<script>" not in shown.data and b"PhoneMaker" not in shown.data
    assert client.get("/monitor/photos/..%2Fsecret_key").status_code == 404
    assert client.get("/monitor/photos/x.html").status_code == 404


def test_following_an_area_brings_its_changes_into_the_feed(app, client, auth, twilio):
    auth.login("monitor")
    token = csrf_from(client, "/monitor/")
    client.post("/monitor/areas/follow", data={"csrf_token": token, "area": "dist-basra"})
    reference = resolved_ticket(twilio, "تم التصليح")  # Hay al-Hussein lies in Basra district
    feed = client.get("/monitor/").get_data(as_text=True)
    assert reference in feed and "تم التصليح" in feed
    with app.app_context():
        follow = db.session.scalar(sa.select(Follow))
    client.post(f"/monitor/follows/{follow.id}/delete", data={"csrf_token": token})
    assert reference not in client.get("/monitor/").get_data(as_text=True).split("history")[-1]
