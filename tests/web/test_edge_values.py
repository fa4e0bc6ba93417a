"""Unusual but well-formed values are answered, never a 500 (issue 10, defect 4): dates at the
ends of the calendar or with a +14:00 offset (date arithmetic and time-zone conversion
overflowed), ids past PostgreSQL's integer (the bind failed), a cursor without a time zone, a
non-ASCII secret (hmac.compare_digest refuses non-ASCII str). Each surface says what is wrong
in its own format, and an export does so before its first byte."""

import json

import pytest

from tests.web.test_kannel_channel import KANNEL, SECRET
from tests.web.test_open311 import API, assert_error

BASRA = "bbox=47,29,49,31&zoom=15"
FAR_DATES = ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", FAR_DATES)
@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_open311_dates_at_the_ends_of_the_calendar(client, name, day):
    description = assert_error(client, "requests", 400, query_string={name: day})
    assert "between 1900-01-01 and 2999-12-31" in description


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "9999-12-31T23:59:59"]
)
def test_open311_datetimes_whose_utc_is_off_the_calendar(client, moment):
    assert_error(client, "requests", 400, query_string={"start_date": moment})


def test_open311_a_plus_14_offset_in_the_supported_years_is_answered(client):
    for query in (
        {"start_date": "2026-01-01T00:00:00+14:00"},
        {"end_date": "2026-01-01T00:00:00-12:00"},
        {"start_date": "1900-01-01T00:00:00+14:00", "end_date": "1900-03-01T00:00:00"},
        {"start_date": "2999-12-01T00:00:00-14:00", "end_date": "2999-12-31T23:59:59-14:00"},
    ):
        for fmt in ("json", "xml"):
            response = client.get(f"{API}/requests.{fmt}", query_string=query)
            assert response.status_code == 200, query


@pytest.mark.parametrize("day", FAR_DATES)
@pytest.mark.parametrize("name", ["from", "to"])
def test_map_points_dates_at_the_ends_of_the_calendar(client, name, day):
    response = client.get(f"/map/points.geojson?{BASRA}&{name}={day}")
    assert response.status_code == 400
    assert "between 1900-01-01 and 2999-12-31" in response.get_json()["error"]


def test_map_points_at_the_ends_of_the_supported_years(client):
    response = client.get(f"/map/points.geojson?{BASRA}&from=1900-01-01&to=2999-12-31")
    assert response.status_code == 200 and response.get_json()["total"] == 0


@pytest.mark.parametrize("export", ["csv", "geojson"])
@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31", "from=2026-02-30"])
def test_exports_refuse_such_dates_before_their_first_byte(client, export, query):
    response = client.get(f"/export/tickets.{export}?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert f"{name} must be " in response.get_data(as_text=True)  # the one given, by name
    assert "attachment" not in response.headers.get("Content-Disposition", "")


def test_exports_at_the_ends_of_the_supported_years(client):
    response = client.get("/export/tickets.geojson?from=1900-01-01&to=2999-12-31")
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True))["features"] == []


def test_stats_far_in_the_future_falls_back_with_a_message_and_json_says_400(client):
    page = client.get("/stats?from=9999-12-01&to=9999-12-31", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "“9999-12-01” is outside 1900-01-01 to 2999-12-31" in page.get_data(as_text=True)
    response = client.get("/stats.json?from=9999-12-01&to=9999-12-31")
    assert response.status_code == 400 and "9999-12-01" in response.get_json()["error"]
    ends = client.get("/stats.json?from=2999-10-01&to=2999-12-31")
    assert ends.status_code == 200 and ends.get_json()["total"]["received"] == 0
    assert client.get("/stats?from=1900-01-01&to=1900-02-01").status_code == 200


@pytest.mark.parametrize(
    "after",
    [
        "2026-01-01T00:00:00_5",  # no time zone
        "2026-01-01T00:00:00+00:00_99999999999999999999",  # past bigint
        "2026-01-01T00:00:00+00:00_9999999999",  # past integer
        "2026-01-01T00:00:00+00:00_-1",
        "0001-01-01T00:00:00+14:00_5",  # before year 1 in UTC
        "not-a-cursor",
    ],
)
def test_the_officer_queue_refuses_a_cursor_it_did_not_write(client, auth, after):
    auth.login("officer.water")
    assert client.get("/officer/", query_string={"after": after}).status_code == 400


def test_a_non_ascii_kannel_secret_is_refused_not_a_500(app_with):
    client = app_with(**KANNEL).test_client()
    assert client.get("/sms/kannel/inbound?secret=%C3%A9&from=1&text=a").status_code == 403
    assert client.get("/sms/kannel/dlr?secret=%C3%A9&status=1&outbox=1").status_code == 403
    accented = app_with(**{**KANNEL, "KANNEL_INBOUND_SECRET": "sécret"}).test_client()
    assert accented.get("/sms/kannel/dlr?secret=s%C3%A9cret&status=1&outbox=1").status_code == 404


@pytest.mark.parametrize("outbox", ["99999999999999999999", "2147483648", "-1"])
def test_delivery_reports_for_ids_past_the_column_are_unknown_rows(app_with, twilio, outbox):
    kannel = app_with(**KANNEL).test_client()
    report = f"/sms/kannel/dlr?secret={SECRET}&status=1&outbox={outbox}"
    assert kannel.get(report).status_code == 404
    params = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    path = f"/sms/status?outbox={outbox}"
    response = twilio.client.post(
        path, data=params, headers={"X-Twilio-Signature": twilio.signature(params, path)}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/export/tickets.geojson?district=%00", 400),
        ("/map/points.geojson?zoom=%00", 400),
        ("/stats.json?group=%00", 400),
        ("/areas/nowhere.geojson", 404),
    ],
)
def test_data_says_what_was_wrong_as_data(client, path, status):
    """Found by the property suite: the NUL guard's 400 came as the HTML error page."""
    response = client.get(path)
    assert response.status_code == status and response.get_json()["error"]
    csv_error = client.get("/export/tickets.csv?district=%00")
    assert csv_error.status_code == 400 and csv_error.mimetype == "text/plain"
    assert "NUL" in csv_error.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("path", "status", "method"),
    [("services/", 404, "get"), ("no-such-thing", 404, "get"), ("requests", 405, "put")],
)
def test_open311_answers_in_its_error_format_where_no_route_matched(
    client, fmt, path, status, method
):
    """Found by the property suite: /open311/v2/services/.json matched no route, and a
    blueprint's handlers never see that, so it got the site's HTML page."""
    response = getattr(client, method)(f"{API}/{path}.{fmt}")
    assert response.status_code == status
    if fmt == "json":
        assert response.get_json()[0]["code"] == status
    else:
        assert response.get_data(as_text=True).startswith('<?xml version="1.0"')
