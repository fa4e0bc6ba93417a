"""Property-based: every webhook's fields and every public GET's query parameters, filled with
random Unicode (control characters, direction marks, lone surrogates where JSON carries them),
odd numbers and dates, and huge values. Never a 500, and the database stays consistent: a
signed webhook either stores exactly one message (and the same answer when it comes again) or
is refused with a 4xx that writes nothing; a GET writes nothing.

Webhooks are signed as each gateway signs them, so the fuzzing reaches intake, not only the
signature check, and what they stored must read back (the ticket's page, Open311, the map).
Each webhook example starts from the reference data alone (its rows are removed after it), so
no example's rows decide another's outcome; the GETs share a few tickets and write nothing.
A quarter of the profile's examples per test (50 under `quick`, 5,000 under `long`)."""

import functools
import json
import secrets
import time
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from feedback.domain.lifecycle import Status
from feedback.domain.text import clean_text
from feedback.extensions import db
from feedback.models import Message, Outbox, Ticket, TicketEvent
from tests.conftest import TwilioWebhook, empty_ticket_tables
from tests.factories import web_ticket
from tests.web.test_android_channel import ANDROID
from tests.web.test_android_channel import sign as android_signature
from tests.web.test_kannel_channel import KANNEL, SECRET

hostile = settings(
    max_examples=max(settings.default.max_examples // 4, 10),
    # One app and database for all of a test's examples, on purpose (see above).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a form or a query string can carry (UTF-8): controls, marks, every script.
FORM_CHARACTER = st.characters(codec="utf-8")
# JSON carries lone surrogates too, as \ud800 escapes.
JSON_CHARACTER = st.characters(exclude_categories=[])
MARKS = list(
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9f\t\r\n\u200b\u200c\u200d\u200e\u200f\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufffe\uffff\u0640"
)
WORDS = [
    "ماكو", "ماي", "كهرباء", "مجاري", "زبالة", "بحي", "الحسين", "العشار", "الزبير", "حالة",
    "اعادة", "مساعدة", "STATUS", "REOPEN", "HELP", "STOP", "START", "+1", "تابع", "FOLLOW",
    "نعم", "لا", "1", "2", "B7K2Q", "٠٧٨٠١٢٣٤٥٦٧", "07801234567", "no water", "power cut",
]  # fmt: skip
ODD = [
    "", " ", "0", "-1", "+5", "٣", "99999999999999999999", "9" * 400, "2147483648", "1e309",
    "-1e309", "nan", "NaN", "inf", "-0", "0x10", "1_000", "0001-01-01", "9999-12-31",
    "2026-02-30", "2026-11-27T10:00:00+14:00", "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00", "2026-11-27T10:00:00 03:00", "9999-01-01T00:00:00+00:00_1",
    "<script>alert(1)</script>", "' OR '1'='1", "%00", "%", "../../etc/passwd", "null", "[]",
    "{}", ",", ",,,", "open,closed", "whatsapp:", "whatsapp:+9647801234567", "+9647801234567",
]  # fmt: skip


def text_of(characters, max_size: int = 40):
    """Odd values, Arabic and English words broken up by marks and controls, random text,
    and text repeated to thousands of characters."""
    piece = st.one_of(
        st.text(characters, max_size=12),
        st.sampled_from(MARKS),
        st.sampled_from(WORDS),
        st.sampled_from(ODD),
    )
    return st.one_of(
        st.sampled_from(ODD),
        st.lists(piece, max_size=8).map("".join),
        st.text(characters, max_size=max_size),
        st.tuples(st.text(characters, min_size=1, max_size=6), st.integers(50, 1000)).map(
            lambda repeated: repeated[0] * repeated[1]
        ),
    )


form_text = text_of(FORM_CHARACTER)
json_text = text_of(JSON_CHARACTER)
moments = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.builds(
        lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))),
        st.datetimes(),
        st.integers(-14 * 60, 14 * 60),
    ).map(lambda moment: moment.isoformat()),
    st.datetimes().map(lambda moment: moment.isoformat()),
)
numbers = st.one_of(
    st.integers().map(str),
    st.floats().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


anything = st.one_of(form_text, moments, numbers)


def value(*valid: str):
    """A query-string value: often one an honest client sends (so that the others in the
    request get past validation to the database), or anything at all."""
    if not valid:
        return anything
    honest = st.sampled_from(valid)
    return st.one_of(honest, honest, anything)


# A pin's latitude or longitude: on Basra, at the edges of the Earth, off it, or no number.
coordinate = st.one_of(
    st.sampled_from(["30.5085", "47.7804", "-90", "180", "90.0001", "-180.5", "1e308", "-1e308"]),
    st.floats().map(repr),
    anything,
)


def query(**names):
    """Some of `names` (each a value strategy) and maybe a stray parameter."""
    return st.tuples(
        st.fixed_dictionaries({}, optional=names),
        st.dictionaries(text_of(FORM_CHARACTER, 12), form_text, max_size=2),
    ).map(lambda pair: {**pair[1], **pair[0]})


def strict_json(text):
    """JSON as the standard has it: Python's reader takes NaN and Infinity, which are not."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


MODELS = (Message, Ticket, Outbox, TicketEvent)


def counts(app) -> dict:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in MODELS
        }


def added(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in before}


def stored_message(app) -> Message:
    """The one inbound message an example stored (each starts with none)."""
    with app.app_context():
        [message] = db.session.scalars(sa.select(Message).where(Message.direction == "in"))
        return message


def assert_stored_or_refused(app, before: dict, response, stored: bool, replies_by_outbox: bool):
    """A 2xx stored one message if it was one (and its reply); a 4xx nothing at all."""
    assert response.status_code < 500
    event(f"answered {response.status_code}")
    change = added(before, counts(app))
    if response.status_code >= 400:
        assert change == dict.fromkeys(change, 0), change
        return
    assert response.status_code == 200
    assert change["Message"] == (1 if stored else 0)
    assert change["Ticket"] in (0, 1)
    if replies_by_outbox:
        assert change["Outbox"] == change["Message"]


def assert_repeat_changes_nothing(app, first, again) -> None:
    assert again.status_code == first.status_code
    if first.status_code == 200:
        assert again.get_data() == first.get_data()


def assert_readers_still_answer(app, message: Message, map_too: bool = False) -> None:
    """What a stored message made is consistent and can be read back: a pin on Earth or none,
    its ticket's page and Open311 record, and (after a pin) the map, whatever was sent."""
    if message.ticket_id is None:  # a command, or help
        return
    client = app.test_client()
    with app.app_context():
        ticket = db.session.get(Ticket, message.ticket_id)
        reference, lat, lon = ticket.reference, ticket.lat, ticket.lon
    assert (lat is None) == (lon is None)
    assert lat is None or (abs(lat) <= 90 and abs(lon) <= 180)
    assert client.get(f"/t/{reference}").status_code == 200
    for fmt, parse in (("json", strict_json), ("xml", ET.fromstring)):
        response = client.get(f"/open311/v2/requests/{reference}.{fmt}")
        assert response.status_code == 200
        parse(response.get_data(as_text=True))
    if map_too:
        response = client.get("/map/points.geojson?bbox=-180,-90,180,90&zoom=15")
        assert response.status_code == 200
        strict_json(response.get_data(as_text=True))


def alone(test):
    """Each example starts from the reference data alone: a row one example stored, even a
    bad one, never decides another's outcome, so a failure shrinks to its own example."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        finally:
            empty_ticket_tables(kwargs["channels"])

    return run


@pytest.fixture
def channels(app_with):
    """One app with every channel configured: Twilio (the test config), Kannel, Android."""
    return app_with(**KANNEL, **ANDROID)


def id_or(strategy):
    """A message id as the gateway makes them (None here), or anything at all."""
    return st.one_of(st.none(), strategy)


@hostile
@given(
    sid=id_or(form_text),
    fields=st.fixed_dictionaries(
        {
            "From": value("+9647801234567", "whatsapp:+9647712345678", "+4915112345678"),
            "Body": form_text,
        },
        optional={
            "To": value("4455", "whatsapp:+14155238886"),
            "ProfileName": form_text,
            "Address": form_text,
            "NumMedia": value("0", "1"),
            "AccountSid": value("AC" + "0" * 32),
            "WaId": form_text,
        },
    ),
    pin=st.none() | st.tuples(coordinate, coordinate),
    extra=st.dictionaries(text_of(FORM_CHARACTER, 12), form_text, max_size=2),
)
@alone
def test_twilio_webhook(channels, sid, fields, pin, extra):
    twilio = TwilioWebhook(channels, channels.test_client())
    params = {**extra, **fields, "MessageSid": sid or "SM" + secrets.token_hex(16)}
    if pin:  # WhatsApp's location pin
        params |= {"Latitude": pin[0], "Longitude": pin[1]}
    before = counts(channels)
    response = twilio.post(params, twilio.signature(params))
    assert_stored_or_refused(channels, before, response, True, replies_by_outbox=False)
    if response.status_code == 200:
        ET.fromstring(response.data)  # TwiML, whatever the text
        message = stored_message(channels)
        assert message.body == clean_text(params["Body"])
        assert message.external_id == clean_text(params["MessageSid"])
        assert_readers_still_answer(channels, message, map_too=pin is not None)
    before = counts(channels)
    again = twilio.post(params, twilio.signature(params))
    assert_repeat_changes_nothing(channels, response, again)
    assert counts(channels) == before


@hostile
@given(
    message_id=id_or(form_text),
    text=st.one_of(
        form_text.map(lambda text: text.encode("utf-8")),
        json_text.map(lambda text: text.encode("utf-16-be", "surrogatepass")),
        st.binary(max_size=300),
    ),
    fields=st.fixed_dictionaries(
        {"from": value("07801234567", "9647801234567", "+9647712345678")},
        optional={
            "to": value("4455"),
            "time": value("1763900000"),
            "charset": value("UTF-8", "UTF-16BE", "UCS-2", "ISO-8859-1", "utf-8"),
            "coding": value("0", "1", "2"),
            "smsc": form_text,
        },
    ),
    post=st.booleans(),
)
@alone
def test_kannel_webhook(channels, message_id, text, fields, post):
    client = channels.test_client()
    params = {**fields, "secret": SECRET, "id": message_id or secrets.token_hex(16)}
    encoded = urllib.parse.urlencode(params) + "&text=" + urllib.parse.quote_from_bytes(text)

    def send():
        if post:
            return client.post(
                "/sms/kannel/inbound?secret=" + SECRET,
                data=encoded,
                content_type="application/x-www-form-urlencoded",
            )
        return client.get("/sms/kannel/inbound?" + encoded)

    before = counts(channels)
    response = send()
    assert_stored_or_refused(channels, before, response, True, replies_by_outbox=True)
    if response.status_code == 200:
        message = stored_message(channels)
        assert clean_text(message.body) == message.body
        assert_readers_still_answer(channels, message)
    before = counts(channels)
    assert_repeat_changes_nothing(channels, response, send())
    assert counts(channels) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | json_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(json_text, children, max_size=3)
    ),
    max_leaves=8,
)


@hostile
@given(
    kind=st.sampled_from(["sms:received"] * 4 + ["sms:sent", "sms:delivered", "sms:failed"])
    | json_text,
    message_id=id_or(json_values),
    payload=st.fixed_dictionaries(
        {},
        optional={
            "message": json_text | json_values,
            "sender": st.sampled_from(["+9647801234567", "07712345678"]) | json_text | json_values,
            "phoneNumber": json_text,
            "recipient": json_text | json_values,
            "simNumber": json_values,
            "receivedAt": moments | json_values,
            "reason": json_text,
        },
    ),
    extra=st.dictionaries(json_text, json_values, max_size=3),
    ascii_only=st.booleans(),
)
@alone
def test_android_webhook(channels, kind, message_id, payload, extra, ascii_only):
    client = channels.test_client()
    payload = {**payload, "messageId": secrets.token_hex(16) if message_id is None else message_id}
    event = {**extra, "event": kind, "id": "ev" + secrets.token_hex(8), "payload": payload}
    try:
        body = json.dumps(event, ensure_ascii=ascii_only).encode()
    except UnicodeEncodeError:  # a lone surrogate only travels escaped
        body = json.dumps(event).encode()

    def send():
        timestamp = str(int(time.time()))
        headers = {"X-Timestamp": timestamp, "X-Signature": android_signature(body, timestamp)}
        return client.post(
            "/sms/android/inbound", data=body, headers=headers, content_type="application/json"
        )

    before = counts(channels)
    response = send()
    received = kind == "sms:received"
    assert_stored_or_refused(channels, before, response, received, received)
    if not received:
        assert added(before, counts(channels))["Message"] == 0
    if received and response.status_code == 200:
        message = stored_message(channels)
        assert message.body == clean_text(payload["message"])
        assert_readers_still_answer(channels, message)
    before = counts(channels)
    assert_repeat_changes_nothing(channels, response, send())
    if received:
        assert counts(channels) == before


@pytest.fixture
def sent_reply(channels):
    """The Outbox row of a real reply, still without the gateway's id: reports can find it."""
    client = channels.test_client()
    query = urllib.parse.urlencode({"secret": SECRET, "from": "07801234567", "id": "k1"})
    assert client.get(f"/sms/kannel/inbound?{query}&text=no+water").status_code == 200
    with channels.app_context():
        return db.session.scalar(sa.select(Outbox.id))


@hostile
@given(
    outbox=st.one_of(st.just("ROW"), value()),
    twilio_fields=st.fixed_dictionaries(
        {},
        optional={
            "MessageSid": value("SM" + "0" * 32),
            "MessageStatus": value("sent", "delivered", "undelivered", "failed", "queued"),
            "ErrorCode": value("30003"),
        },
    ),
    kannel_status=value("1", "2", "4", "8", "16"),
)
def test_delivery_reports(channels, sent_reply, outbox, twilio_fields, kannel_status):
    outbox = str(sent_reply) if outbox == "ROW" else outbox
    twilio = TwilioWebhook(channels, channels.test_client())
    before = counts(channels)
    path = "/sms/status?" + urllib.parse.urlencode({"outbox": outbox})
    response = twilio.client.post(
        path,
        data=twilio_fields,
        headers={"X-Twilio-Signature": twilio.signature(twilio_fields, path)},
    )
    assert response.status_code in (204, 400, 404, 413)
    event(f"status callback answered {response.status_code}")
    dlr = {"secret": SECRET, "outbox": outbox, "status": kannel_status}
    response = twilio.client.get("/sms/kannel/dlr?" + urllib.parse.urlencode(dlr))
    assert response.status_code in (204, 400, 404, 413)
    event(f"Kannel report answered {response.status_code}")
    assert counts(channels) == before


@pytest.fixture
def tickets(app):
    """A few pinned tickets, one resolved and one in another directorate, for the GETs to find."""
    references = [
        web_ticket(app, 30.5085, 47.7804),
        web_ticket(app, 30.52, 47.81, category="electricity", text="ماكو كهرباء\u200f"),
        web_ticket(app, 30.36, 47.72, text="<b>x</b>", status=Status.RESOLVED.value),
    ]
    return references


def has_nul(params: dict) -> bool:
    return any("\x00" in key + value for key, value in params.items())


def get_ok(app, client, path: str, params: dict | None = None):
    """A GET answered without a 500, whole (a stream read to its end), writing nothing."""
    before = counts(app)
    response = client.get(path, query_string=params)
    body = response.get_data()
    assert response.status_code < 500, (path, params)
    event(f"{path.split('?')[0][:24]} answered {response.status_code}")
    assert counts(app) == before
    return response, body


CATEGORIES = ("water-supply", "electricity", "sewage")
FILTERS = {
    "category": value(*CATEGORIES),
    "directorate": value("water", "electricity"),
    "district": value("basra-district", "zubair-district"),
    "status": value("open", *(status.value for status in Status)),
    "from": value("2026-01-01"),
    "to": value("2026-12-31"),
    "overdue": value("1", "true", "on"),
}


@hostile
@given(
    params=query(
        bbox=value("47.60,30.30,47.95,30.65", "-180,-90,180,90")
        | st.lists(st.floats(), min_size=4, max_size=4).map(lambda box: ",".join(map(str, box))),
        zoom=value("3", "12", "15", "22") | st.integers().map(str),
        **FILTERS,
    )
)
def test_map_points(app, client, tickets, params):
    response, body = get_ok(app, client, "/map/points.geojson", params)
    if response.status_code == 200:
        assert strict_json(body)["type"] == "FeatureCollection"
    else:
        assert response.status_code == 400 and strict_json(body)["error"]


@hostile
@given(params=query(**FILTERS), page=st.sampled_from(["/map", "/export/tickets.csv"]))
def test_map_page_and_csv_export(app, client, tickets, params, page):
    response, body = get_ok(app, client, page, params)
    assert response.status_code in (200, 400)
    if page.endswith(".csv") and response.status_code == 200:
        assert body.startswith("\ufeffreference,".encode())


@hostile
@given(params=query(**FILTERS))
def test_geojson_export(app, client, tickets, params):
    response, body = get_ok(app, client, "/export/tickets.geojson", params)
    assert response.status_code in (200, 400)
    document = strict_json(body)
    assert document["features"] is not None if response.status_code == 200 else document["error"]


@hostile
@given(
    params=query(
        **{"from": value("2026-01-01"), "to": value("2026-12-31")},
        group=value("directorate", "category", "district"),
        sort=value("received", "within_sla", "ack_median", "overdue"),
        order=value("asc", "desc"),
        trend=value("all"),
    ),
    page=st.sampled_from(["/stats", "/stats.json"]),
)
def test_scorecards(app, client, tickets, params, page):
    response, body = get_ok(app, client, page, params)
    if page == "/stats":  # anything it cannot use it replaces, and says so
        assert response.status_code == (400 if has_nul(params) else 200)
    elif response.status_code == 200:
        assert "groups" in strict_json(body)


@hostile
@given(
    params=query(
        service_request_id=value("B7K2Q", "B7K2Q,AAAAA"),
        service_code=value(*CATEGORIES),
        start_date=value("2026-01-01T00:00:00+03:00"),
        end_date=value("2026-12-31"),
        status=value("open", "closed", "open,closed"),
    ),
    fmt=st.sampled_from(["json", "xml"]),
    resource=st.one_of(
        st.sampled_from(["requests", "services", "discovery"]),
        st.sampled_from(["services/", "requests/"]).flatmap(
            lambda prefix: value(*CATEGORIES, "B7K2Q").map(
                lambda name: prefix + urllib.parse.quote(name, safe="")
            )
        ),
    ),
)
def test_open311(app, client, tickets, params, fmt, resource):
    response, body = get_ok(app, client, f"/open311/v2/{resource}.{fmt}", params)
    if response.status_code in (308, 404) and "%2F" in resource:
        return  # an encoded slash makes another path: none, or one redirected to ("//" -> "/")
    document = strict_json(body) if fmt == "json" else ET.fromstring(body)
    if response.status_code != 200:  # the spec's error format
        code = document[0]["code"] if fmt == "json" else int(document.findtext("error/code"))
        assert code == response.status_code


@hostile
@given(reference=form_text, params=query(ref=value("B7K2Q"), lang=value("ar", "en")))
def test_ticket_pages_and_the_report_form(app, client, tickets, reference, params):
    quoted = urllib.parse.quote(reference, safe="")
    for path in (f"/t/{quoted}", f"/report/received/{quoted}"):
        response, _ = get_ok(app, client, path, params)
        assert response.status_code in (200, 308, 400, 404)  # 308: "/t//x" is sent to "/t/x"
    for path in ("/t", "/report", "/", f"/t/{tickets[0]}"):
        response, _ = get_ok(app, client, path, params)
        assert response.status_code in (200, 302, 400, 404)


@pytest.fixture
def admin(auth):
    auth.login("admin")


@hostile
@given(
    params=query(
        q=value("ماي", "B7K2Q"),
        status=FILTERS["status"],
        category=FILTERS["category"],
        area=value("basra-district"),
        directorate=value("water"),
        overdue=FILTERS["overdue"],
        after=value("9999-01-01T00:00:00+00:00_1", "2026-11-27T10:00:00+00:00_5"),
    )
)
def test_officer_queue(app, client, admin, tickets, params):
    """Not public, but it reads the same sorts of values; a staff page answers them too."""
    response, _ = get_ok(app, client, "/officer/", params)
    assert response.status_code in (200, 400)
