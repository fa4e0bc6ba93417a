"""POST /sms/inbound through the real Twilio RequestValidator, against the real database."""

import json

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Message, Ticket
from feedback.sms.signature import sign
from tests.conftest import TwilioWebhook, count_rows
from tests.factories import reply_of


def test_missing_signature_is_refused_and_writes_nothing(app, twilio):
    response = twilio.post(twilio.params("ماكو ماي بحي الحسين"), signature=None)
    assert response.status_code == 403
    assert count_rows(app, Ticket) == 0
    assert count_rows(app, Message) == 0


def test_forged_signature_is_refused_and_writes_nothing(app, twilio):
    params = twilio.params("ماكو ماي بحي الحسين")
    forged = twilio.signature({**params, "Body": "something else"})
    assert twilio.post(params, forged).status_code == 403
    assert twilio.post(params, "bm90IGEgc2lnbmF0dXJl").status_code == 403
    assert count_rows(app, Ticket) == 0
    assert count_rows(app, Message) == 0


def test_signature_for_another_url_is_refused(app, twilio):
    params = twilio.params("no water in Al-Ashar")
    other = twilio.signature(params, path="/sms/other")
    assert twilio.post(params, other).status_code == 403


def test_arabic_complaint_gets_ticket_and_arabic_reply(app, twilio):
    reply = reply_of(twilio.send("ماكو ماي بحي الحسين من ثلاث ايام"))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.original_text == "ماكو ماي بحي الحسين من ثلاث ايام"
        assert ticket.language == "ar"
        assert ticket.channel == "sms"
        assert ticket.citizen_phone == "+9647801234567"
        assert ticket.category.code == "water-supply"
        assert ticket.area.code == "nbh-hayyaniya"  # Hay al-Hussein
        assert ticket.location_method == "gazetteer"
        assert (ticket.lat, ticket.lon) == (ticket.area.lat, ticket.area.lon) != (None, None)
        assert ticket.directorate.code == "water"
        routed = ticket.events[-1]
        assert routed.kind == "routed" and routed.details["reason"].startswith("rule: water-supply")
        assert ticket.reference in reply
        assert ticket.directorate.name_ar in reply
    assert "حالة" in reply


def test_english_complaint_gets_english_reply(app, twilio):
    reply = reply_of(twilio.send("Power cut in Al-Ashar since this morning"))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.language == "en"
        assert ticket.category.code == "electricity-outage"
        assert ticket.area.code.endswith("ashar")
        assert ticket.directorate.code == "electricity"
    assert reply.startswith("Your complaint is registered as " + ticket.reference)
    assert "STATUS " + ticket.reference in reply


def test_same_message_sid_twice_gives_one_ticket_and_same_reply(app, twilio):
    params = twilio.params("الكهرباء مقطوعة بالعشار", sid="SM" + "a" * 32)
    first = reply_of(twilio.post(params, twilio.signature(params)))
    second = reply_of(twilio.post(params, twilio.signature(params)))
    assert first == second
    assert count_rows(app, Ticket) == 1
    assert count_rows(app, Message) == 1


def test_duplicate_is_blocked_by_the_database_not_only_by_a_lookup(app):
    with app.app_context():
        for _ in range(2):
            db.session.add(
                Message(
                    channel="sms",
                    direction="in",
                    external_id="SMdup",
                    from_number="+1",
                    to_number="2",
                    body="x",
                    raw={},
                )
            )
        with pytest.raises(sa.exc.IntegrityError, match="(?i)unique"):  # not a NOT NULL
            db.session.commit()
        db.session.rollback()


def test_unknown_problem_still_becomes_a_ticket_and_is_asked_about(app, twilio):
    reply = reply_of(twilio.send("السلام عليكم عندي مشكلة"))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.directorate is None
        assert ticket.awaiting == "details"
        assert [event.kind for event in ticket.events] == ["created", "asked"]
    assert ticket.reference in reply and "شنو المشكلة ووين" in reply


def test_help_and_empty_body_get_help_and_no_ticket(app, twilio):
    assert "مثال" in reply_of(twilio.send("مساعدة"))
    assert "what is wrong and where" in reply_of(twilio.send("HELP"))
    assert "مثال" in reply_of(twilio.send("   "))
    assert count_rows(app, Ticket) == 0


def test_body_of_1600_characters_is_accepted(app, twilio):
    body = ("الماي مقطوع بالعشار " * 100)[:1600]
    reply_of(twilio.send(body))
    assert count_rows(app, Ticket) == 1


def test_oversize_body_is_refused_with_a_clear_reply(app, twilio):
    reply = reply_of(twilio.send("ا" * 1601))
    assert "1601" in reply and "1600" in reply
    assert count_rows(app, Ticket) == 0
    assert count_rows(app, Message) == 1  # kept, so nothing the citizen sent is lost


def test_request_far_too_large_is_rejected_before_parsing(app, twilio):
    response = twilio.send("x" * 100_000)
    assert response.status_code == 413
    assert count_rows(app, Ticket) == 0


def test_behind_a_proxy_the_public_url_is_what_is_checked(app, twilio):
    """Twilio signs https://feedback.test/... while the app is reached as http://localhost/..."""
    params = twilio.params("ماكو ماي بالجمهورية")
    as_seen_inside = sign(app.config["TWILIO_AUTH_TOKEN"], "http://localhost/sms/inbound", params)
    assert twilio.post(params, as_seen_inside).status_code == 403
    assert twilio.post(params, twilio.signature(params)).status_code == 200


def test_without_public_base_url_trusted_forwarded_headers_give_the_url(app_with):
    app = app_with(PUBLIC_BASE_URL=None, TRUSTED_PROXY_COUNT=1)
    client = app.test_client()
    webhook = TwilioWebhook(app, client)
    params = webhook.params("ماكو ماي بالجمهورية")
    signature = sign(app.config["TWILIO_AUTH_TOKEN"], "https://sms.example.iq/sms/inbound", params)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.example.iq"}
    response = client.post(
        "/sms/inbound", data=params, headers={"X-Twilio-Signature": signature, **forwarded}
    )
    assert response.status_code == 200
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    response = client.post(
        "/sms/inbound", data=params, headers={"X-Twilio-Signature": signature, **spoofed}
    )
    assert response.status_code == 403


def test_whatsapp_location_pin_is_a_gps_point(app, twilio):
    reply_of(
        twilio.send(
            "ماكو ماي",
            sender="whatsapp:+9647801234567",
            Latitude="30.5085",
            Longitude="47.7804",
        )
    )
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.channel == "whatsapp"
        assert ticket.location_method == "gps"
        assert (ticket.lat, ticket.lon) == (30.5085, 47.7804)
        assert ticket.area.code == "town-basra"  # the pin, not the text


def test_a_place_with_no_known_point_gets_its_district_and_no_invented_point(app, twilio):
    reply_of(twilio.send("ماكو ماي بحي القائم من يومين"))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.area.code == "nbh-hay-al-qaim"
        assert ticket.area.lat is None
        assert (ticket.lat, ticket.lon) == (None, None)
        assert "dist-basra" in [area.code for area in ticket.area.lineage()]
        assert ticket.directorate.code == "water"


def test_a_pin_outside_basra_is_flagged_and_the_place_asked(app, twilio):
    reply = reply_of(
        twilio.send(
            "ماكو ماي", sender="whatsapp:+9647801234567", Latitude="33.31", Longitude="44.36"
        )
    )
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert (ticket.lat, ticket.lon) == (33.31, 44.36)  # kept, not silently dropped
        assert ticket.area is None
        assert ticket.events[0].details["outside_area"] is True
        assert ticket.awaiting == "place"
    assert "وين المشكلة" in reply


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("1e308", "1e308"), ("91", "47.78"), ("30.5", "-180.5"), ("nan", "47.78"), ("inf", "0")],
)
def test_a_pin_that_is_no_point_on_earth_is_no_pin_and_breaks_no_map(app, client, twilio, lat, lon):
    """One WhatsApp pin at 1e308 made every map and export overflow on PostgreSQL (round(lat *
    1000)) and the GeoJSON export say Infinity on SQLite. The complaint is kept without it."""
    reply = reply_of(twilio.send("ماكو ماي", Latitude=lat, Longitude=lon))
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.reference in reply
        assert (ticket.lat, ticket.lon, ticket.location_method) == (None, None, "none")
    for path in ("/map/points.geojson?bbox=-180,-90,180,90&zoom=15", "/export/tickets.geojson"):
        response = client.get(path)
        assert response.status_code == 200
        json.loads(response.get_data(as_text=True))  # no Infinity, which JSON has not
