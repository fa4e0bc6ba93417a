"""Open311 GeoReport v2 through the test client: every JSON body validated against the
Open311 JSON Schemas, every XML body checked field by field against its JSON twin, and no
personal data in any answer."""

import hashlib
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from feedback.extensions import db
from feedback.models import ApiKey, Outbox, Ticket, TicketEvent, utcnow
from feedback.services.open311 import create_api_key
from tests.conftest import count_rows

API = "/open311/v2"
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "open311"
PIN = {"lat": "30.5085", "long": "47.7804"}  # central Basra
PHONE = "07801234567"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validate(data, schema: str) -> None:
    """Against the schema file `schema`, its $refs resolved to the sibling files."""
    contents = REGISTRY.contents(schema)
    Draft202012Validator(contents, registry=REGISTRY).validate(data)
    items = data if isinstance(data, list) else [data]
    for item in items:  # jsonschema does not check "format": date-time without extras
        for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if item.get(field) is not None:
                assert datetime.fromisoformat(item[field]).utcoffset() == timedelta(hours=3)


def get_json(client, path: str, expect: int = 200, **params):
    response = client.get(f"{API}/{path}.json", query_string=params)
    assert response.status_code == expect, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == JSON_TYPE
    return response.get_json()


def get_xml(client, path: str, expect: int = 200, **params) -> ET.Element:
    response = client.get(f"{API}/{path}.xml", query_string=params)
    assert response.status_code == expect, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == XML_TYPE
    return ET.fromstring(response.data)


def xml_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def assert_same(element: ET.Element, data: dict) -> None:
    """The XML element carries exactly the JSON object's fields; null ones are left out."""
    expected = {key for key, value in data.items() if value is not None}
    assert [child.tag for child in element] == [k for k in data if k in expected]
    for key, value in data.items():
        child = element.find(key)
        if value is None:
            assert child is None, key
        elif not isinstance(value, list | dict):
            assert (child.text or "") == xml_text(value), key


def both(client, path: str, root: str, item: str, **params):
    """The list at `path` in JSON and in XML, checked to be the same; returns the JSON."""
    data = get_json(client, path, **params)
    document = get_xml(client, path, **params)
    assert document.tag == root
    assert len(document) == len(data)
    for element, entry in zip(document, data, strict=True):
        assert element.tag == item
        assert_same(element, entry)
    return data


def requests_both(client, path: str = "requests", **params) -> list[dict]:
    data = both(client, path, "service_requests", "request", **params)
    validate(data, "requests.json")
    return data


def assert_error(client, path: str, code: int, method: str = "get", **kwargs) -> str:
    """The spec's error body, in both formats, with the HTTP status; returns the description."""
    call = getattr(client, method)
    response = call(f"{API}/{path}.json", **kwargs)
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == JSON_TYPE
    [error] = response.get_json()
    assert error["code"] == code and error["description"]
    response = call(f"{API}/{path}.xml", **kwargs)
    assert response.status_code == code
    assert response.headers["Content-Type"] == XML_TYPE
    document = ET.fromstring(response.data)
    assert document.tag == "errors"
    [element] = document
    assert element.tag == "error"
    assert element.findtext("code") == str(code)
    assert element.findtext("description") == error["description"]
    return error["description"]


@pytest.fixture
def api_key(app):
    with app.app_context():
        return create_api_key("test client", "Basra Monitor")


def post_request(client, key: str | None, fmt: str = "json", **fields):
    data = {"service_code": "water-supply", "description": "No water for three days", **fields}
    if key is not None:
        data["api_key"] = key
    return client.post(f"{API}/requests.{fmt}", data=data)


def created_reference(client, key: str, **fields) -> str:
    response = post_request(client, key, **{**PIN, **fields})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()[0]["service_request_id"]


def change_ticket(app, reference: str, **fields) -> None:
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        for name, value in fields.items():
            setattr(ticket, name, value)
        db.session.commit()


def ticket_by_reference(reference: str) -> Ticket:
    return db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))


def all_get_output(client, references: list[str]) -> str:
    """Every GET body that could show these tickets, both formats, as raw text."""
    paths = ["requests"] + [f"requests/{reference}" for reference in references]
    return "".join(
        client.get(f"{API}/{path}.{fmt}").get_data(as_text=True)
        for path in paths
        for fmt in ("json", "xml")
    )


# ---------------------------------------------------------------- discovery and services


def test_discovery_in_both_formats(client):
    data = get_json(client, "discovery")
    assert data["changeset"] and data["contact"] and data["key_service"]
    [endpoint] = data["endpoints"]
    assert endpoint == {
        "specification": "http://wiki.open311.org/GeoReport_v2",
        "url": "https://feedback.test/open311/v2",
        "changeset": data["changeset"],
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    document = get_xml(client, "discovery")
    assert document.tag == "discovery"
    assert_same(document, data)
    [element] = document.find("endpoints")
    assert element.tag == "endpoint"
    assert_same(element, endpoint)
    assert [f.text for f in element.find("formats").findall("format")] == endpoint["formats"]


def test_discovery_url_falls_back_to_the_request_host(app_with):
    client = app_with(PUBLIC_BASE_URL=None).test_client()
    data = get_json(client, "discovery")
    assert data["endpoints"][0]["url"] == "http://localhost/open311/v2"


def test_services_are_the_active_categories_in_english(client):
    data = both(client, "services", "services", "service")
    validate(data, "services.json")
    by_code = {service["service_code"]: service for service in data}
    water = by_code["water-supply"]
    assert water["service_name"] == "No water / weak water supply"
    assert water["metadata"] is False and water["type"] == "realtime"
    assert water["group"] == "water"
    assert "no water" in water["keywords"].split(", ")
    assert len(water["keywords"].split(", ")) <= 5
    assert all(isinstance(code, str) for code in by_code)


def test_service_definition_has_no_attributes(client):
    data = get_json(client, "services/water-supply")
    assert data == {"service_code": "water-supply", "attributes": []}
    document = get_xml(client, "services/water-supply")
    assert document.tag == "service_definition"
    assert document.findtext("service_code") == "water-supply"
    assert len(document.find("attributes")) == 0


def test_unknown_service_is_a_404_in_the_spec_format(client):
    assert "no-such-service" in assert_error(client, "services/no-such-service", 404)


# ---------------------------------------------------------------- reading requests


def test_a_request_with_all_its_public_fields(app, client, api_key):
    reference = created_reference(client, api_key, phone=PHONE)
    [listed] = requests_both(client)
    [detail] = requests_both(client, f"requests/{reference}")
    assert listed == detail
    with app.app_context():
        ticket = ticket_by_reference(reference)
        area_names = [a.name_en for a in ticket.area.lineage() if a.kind != "governorate"]
        assert detail == {
            "service_request_id": reference,
            "status": "open",
            "status_notes": "",
            "service_name": "No water / weak water supply",
            "service_code": "water-supply",
            "description": "No water for three days",
            "agency_responsible": ticket.directorate.name_en,
            "service_notice": "",
            "requested_datetime": detail["requested_datetime"],
            "updated_datetime": detail["updated_datetime"],
            "expected_datetime": detail["expected_datetime"],
            "address": ", ".join(area_names),
            "address_id": ticket.area.code,
            "zipcode": "",
            "lat": 30.509,
            "long": 47.78,
            "media_url": "",
        }
        created, due = ticket.created_at, ticket.due_at
    # to the second, in Basra time
    assert datetime.fromisoformat(detail["requested_datetime"]) == created.replace(microsecond=0)
    assert datetime.fromisoformat(detail["expected_datetime"]) == due.replace(microsecond=0)
    assert detail["agency_responsible"] == "Basra Water Directorate"


def test_address_is_the_area_path_most_specific_first(client, twilio):
    twilio.send("الماي مقطوع بالطويسة من يومين")
    [request] = requests_both(client)
    assert request["address"] == "Al-Tuwaisa, Basra District"
    assert request["address_id"] == "nbh-tuwaisa"
    assert request["agency_responsible"] == "Basra Water Directorate"


def test_tickets_still_waiting_for_the_citizen_are_listed(app, client, twilio):
    twilio.send("الماي مقطوع", sender="+9647801111111")  # no place: we ask where
    twilio.send("السلام عليكم بالعشار", sender="+9647802222222")  # no problem named
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Ticket.awaiting.is_not(None)))
    data = requests_both(client)
    assert len(data) == 2
    assert all(request["status"] == "open" for request in data)


def test_status_notes_are_the_last_public_message_masked(app, client, api_key):
    reference = created_reference(client, api_key)
    with app.app_context():
        ticket = ticket_by_reference(reference)
        ticket.status = "resolved"
        now = utcnow()
        ticket.events.append(
            TicketEvent(created_at=now, actor_label="officer", kind="status", public_message="x")
        )
        ticket.events.append(
            TicketEvent(
                created_at=now,
                actor_label="officer",
                kind="status",
                from_status="in_progress",
                to_status="resolved",
                public_message="Pipe fixed; call 07809876543 if not",
                internal_note="secret note",
            )
        )
        db.session.commit()
    [request] = requests_both(client, f"requests/{reference}")
    assert request["status"] == "closed"
    assert request["status_notes"] == "Pipe fixed; call [•••] if not"


def test_service_request_id_list_overrides_the_other_filters(app, client, api_key):
    old = created_reference(client, api_key)
    other = created_reference(client, api_key, service_code="road-damage")
    created_reference(client, api_key)
    change_ticket(app, old, created_at=utcnow() - timedelta(days=200))
    data = requests_both(
        client, service_request_id=f"{old}, {other.lower()}", service_code="waste-collection"
    )
    assert {r["service_request_id"] for r in data} == {old, other}


def test_filter_by_service_code_list(client, api_key):
    water = created_reference(client, api_key)
    road = created_reference(client, api_key, service_code="road-damage")
    created_reference(client, api_key, service_code="waste-collection")
    data = requests_both(client, service_code="water-supply,road-damage")
    assert {r["service_request_id"] for r in data} == {water, road}
    assert requests_both(client, service_code="no-such-service") == []


def test_filter_by_status(app, client, api_key):
    new = created_reference(client, api_key)
    resolved = created_reference(client, api_key)
    rejected = created_reference(client, api_key)
    reopened = created_reference(client, api_key)
    change_ticket(app, resolved, status="resolved")
    change_ticket(app, rejected, status="rejected")
    change_ticket(app, reopened, status="reopened")
    open_ = requests_both(client, status="open")
    closed = requests_both(client, status="closed")
    assert {r["service_request_id"] for r in open_} == {new, reopened}
    assert {r["service_request_id"] for r in closed} == {resolved, rejected}
    assert all(r["status"] == "closed" for r in closed)
    assert len(requests_both(client, status="open,closed")) == 4
    assert_error(client, "requests", 400, query_string={"status": "pending"})


def test_dates_default_to_the_last_90_days_newest_first(app, client, api_key):
    recent = created_reference(client, api_key)
    older = created_reference(client, api_key)
    ancient = created_reference(client, api_key)
    change_ticket(app, older, created_at=utcnow() - timedelta(days=30))
    change_ticket(app, ancient, created_at=utcnow() - timedelta(days=100))
    data = requests_both(client)
    assert [r["service_request_id"] for r in data] == [recent, older]


def test_filter_by_start_and_end_date(app, client, api_key):
    inside = created_reference(client, api_key)
    before = created_reference(client, api_key)
    after = created_reference(client, api_key)
    change_ticket(app, inside, created_at=datetime.fromisoformat("2026-06-15T12:00:00+03:00"))
    change_ticket(app, before, created_at=datetime.fromisoformat("2026-05-31T23:00:00+03:00"))
    change_ticket(app, after, created_at=datetime.fromisoformat("2026-07-01T00:00:01+03:00"))
    window = {"start_date": "2026-06-01T00:00:00+03:00", "end_date": "2026-07-01T00:00:00+03:00"}
    assert [r["service_request_id"] for r in requests_both(client, **window)] == [inside]
    [request] = requests_both(client, start_date="2026-05-31T20:30:00Z", end_date="2026-06-30")
    assert request["service_request_id"] == inside
    assert request["requested_datetime"] == "2026-06-15T12:00:00+03:00"
    # "+03:00" sent unencoded arrives as " 03:00"
    raw = "start_date=2026-06-01T00:00:00+03:00&end_date=2026-07-01T00:00:00+03:00"
    [request] = client.get(f"{API}/requests.json?{raw}").get_json()
    assert request["service_request_id"] == inside
    # start_date alone: the 90 days from it
    found = requests_both(client, start_date="2026-05-01T00:00:00Z")
    assert {r["service_request_id"] for r in found} == {inside, before, after}


def test_a_range_over_90_days_or_a_bad_date_is_a_400(client):
    too_long = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}
    assert "90 days" in assert_error(client, "requests", 400, query_string=too_long)
    backwards = {"start_date": "2026-04-01T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"}
    assert_error(client, "requests", 400, query_string=backwards)
    assert_error(client, "requests", 400, query_string={"start_date": "last tuesday"})
    exactly_90 = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}
    assert get_json(client, "requests", **exactly_90) == []


def test_unknown_request_is_a_404_in_the_spec_format(client):
    assert "ZZZZZ" in assert_error(client, "requests/ZZZZZ", 404)
    assert_error(client, "requests/not-a-reference", 404)


# ---------------------------------------------------------------- creating requests


def test_post_without_an_api_key_is_refused(app, client):
    for fmt in ("json", "xml"):
        response = post_request(client, None, fmt, **PIN)
        assert response.status_code == 403
    assert_error(client, "requests", 403, method="post", data={"service_code": "water-supply"})
    assert count_rows(app, Ticket) == 0


def test_post_with_a_wrong_or_revoked_key_is_refused(app, client, api_key):
    data = {"service_code": "water-supply", "description": "No water", **PIN}
    assert_error(client, "requests", 403, method="post", data={**data, "api_key": "guess"})
    with app.app_context():
        db.session.execute(sa.update(ApiKey).values(active=False))
        db.session.commit()
    assert_error(client, "requests", 403, method="post", data={**data, "api_key": api_key})
    assert count_rows(app, Ticket) == 0


def test_post_creates_a_ticket_routed_like_a_web_report(app, client, api_key):
    response = post_request(
        client,
        api_key,
        **PIN,
        phone="0780 123 4567",
        first_name="Ali",
        last_name="Hassan",
        email="ali@example.org",
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSON_TYPE
    [created] = response.get_json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] == ""
    assert created["service_notice"] == "Sent to Basra Water Directorate."
    reference = created["service_request_id"]
    with app.app_context():
        ticket = ticket_by_reference(reference)
        assert ticket.channel == "api"
        assert ticket.category.code == "water-supply"
        assert ticket.directorate.code == "water"
        assert ticket.location_method == "map_pin"
        assert (ticket.lat, ticket.lon) == (30.5085, 47.7804)
        assert ticket.citizen_phone == "+9647801234567"
        assert ticket.language == "en"
        key = db.session.scalar(sa.select(ApiKey))
        assert key.last_used_at is not None
        assert db.session.scalar(sa.select(Outbox.to_number)) == "+9647801234567"
    output = all_get_output(client, [reference])
    for personal in ("7801234567", "780 123 4567", "Ali", "Hassan", "ali@example.org"):
        assert personal not in output


def test_post_answers_in_xml_too(client, api_key):
    response = post_request(client, api_key, "xml", **PIN)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XML_TYPE
    document = ET.fromstring(response.data)
    assert document.tag == "service_requests"
    [request] = document
    assert request.tag == "request"
    reference = request.findtext("service_request_id")
    assert get_json(client, f"requests/{reference}")[0]["service_request_id"] == reference


def test_post_with_an_address_string_uses_the_gazetteer(app, client, api_key):
    response = post_request(client, api_key, description="الماي مقطوع", address_string="الطويسة")
    assert response.status_code == 200, response.get_data(as_text=True)
    reference = response.get_json()[0]["service_request_id"]
    with app.app_context():
        ticket = ticket_by_reference(reference)
        assert ticket.location_method == "gazetteer"
        assert ticket.area.code == "nbh-tuwaisa"
        assert ticket.directorate.code == "water"
        assert ticket.language == "ar"


@pytest.mark.parametrize(
    ("fields", "code", "says"),
    [
        ({"lat": "33.3152", "long": "44.3661"}, 400, "outside Basra"),  # Baghdad
        ({**PIN, "description": "<b>no water</b>"}, 400, "HTML"),
        ({**PIN, "description": "pipe > 2m broken"}, 400, "HTML"),
        ({**PIN, "description": "x" * 4001}, 400, "4000"),
        ({"lat": "30.5085"}, 400, "together"),
        ({"lat": "north", "long": "47.78"}, 400, "decimal degrees"),
        ({}, 400, "location is required"),
        ({"address_string": "<script>"}, 400, "HTML"),
        ({**PIN, "phone": "12345"}, 400, "phone"),
        ({**PIN, "service_code": ""}, 400, "service_code is required"),
        ({**PIN, "service_code": "no-such-service"}, 404, "not found"),
    ],
)
def test_post_refuses_bad_requests(app, client, api_key, fields, code, says):
    data = {"api_key": api_key, "service_code": "water-supply", "description": "No water"}
    description = assert_error(client, "requests", code, method="post", data={**data, **fields})
    assert says in description
    assert count_rows(app, Ticket) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(ApiKey.last_used_at)) is None


# ---------------------------------------------------------------- escaping and privacy


def test_markup_in_a_complaint_is_escaped_in_json_and_xml(app, client, twilio):
    text = 'الماي مقطوع بالعشار <script>alert(1)</script> <img src=x "onerror=alert(2)>'
    twilio.send(text)
    with app.app_context():
        public_text = db.session.scalar(sa.select(Ticket.public_text))
    for fmt in ("json", "xml"):
        body = client.get(f"{API}/requests.{fmt}").get_data(as_text=True)
        assert "<script>" not in body and "<img" not in body
    [request] = requests_both(client)
    assert request["description"] == public_text
    document = get_xml(client, "requests")
    assert document.find("request").findtext("description") == public_text


def test_no_phone_number_in_any_get_output(app, client, twilio):
    twilio.send(f"الماي مقطوع بالعشار اتصلوا {PHONE}", sender="+9647805556666")
    twilio.send("الماي مقطوع", sender="+9647807778888")  # waiting for its place
    with app.app_context():
        references = list(db.session.scalars(sa.select(Ticket.reference)))
        assert PHONE in db.session.scalar(sa.select(Ticket.original_text).order_by(Ticket.id))
    output = all_get_output(client, references)
    for number in (PHONE, "7801234567", "7805556666", "7807778888"):
        assert number not in output
    assert "[•••]" in output


# ---------------------------------------------------------------- the command line


def test_api_key_create_prints_the_key_once_and_stores_its_hash(app, runner, client):
    result = runner.invoke(
        args=["api-key", "create", "--label", "Dashboard", "--organisation", "Basra CSO Network"]
    )
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert len(key) >= 40
    with app.app_context():
        stored = db.session.scalar(sa.select(ApiKey))
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert stored.label == "Dashboard" and stored.organisation == "Basra CSO Network"
        assert stored.active and stored.last_used_at is None
        row = db.session.execute(sa.select(ApiKey.__table__)).one()
        assert key not in [str(value) for value in row]
    assert created_reference(client, key)


def test_xml_leaves_out_control_characters_it_cannot_carry(app, client, twilio):
    twilio.send("الماي مقطوع بالعشار\x0b\x01 من يومين")
    document = get_xml(client, "requests")  # parses
    assert document.find("request").findtext("description") == "الماي مقطوع بالعشار من يومين"
