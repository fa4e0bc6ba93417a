"""The web report form and the public ticket page, through the test client."""

import re

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Outbox, Ticket
from tests.conftest import count_rows


def csrf_token(client, path="/report") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def report(client, **fields):
    data = {
        "csrf_token": csrf_token(client),
        "category": "water-supply",
        "description": "ماكو ماي من ثلاث ايام",
        "lat": "",
        "lon": "",
        "phone": "",
        **fields,
    }
    return client.post("/report", data=data, headers={"Accept-Language": "ar"})


def test_form_without_csrf_token_is_rejected(app, client):
    client.get("/report")
    response = client.post(
        "/report", data={"category": "water-supply", "description": "ماكو ماي بالعشار"}
    )
    assert response.status_code == 400
    assert count_rows(app, Ticket) == 0


def test_round_trip_with_map_pin_and_phone(app, client):
    response = report(client, lat="30.5085", lon="47.7804", phone="0780 123 4567")
    assert response.status_code == 302
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    received = client.get(response.headers["Location"]).get_data(as_text=True)
    assert reference in received
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.reference == reference
        assert ticket.channel == "web"
        assert ticket.location_method == "map_pin"
        assert (ticket.lat, ticket.lon) == (30.5085, 47.7804)
        assert ticket.area.code == "town-basra"
        assert ticket.category.code == "water-supply"
        assert ticket.directorate.code == "water"
        assert ticket.citizen_phone == "+9647801234567"
        outbox = db.session.scalar(sa.select(Outbox))
        assert outbox.to_number == "+9647801234567"
        assert reference in outbox.body
        assert outbox.status == "pending"


def test_without_pin_the_place_is_found_in_the_text(app, client):
    report(client, description="الماي مقطوع بالعشار من يومين")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        assert ticket.location_method == "gazetteer"
        assert ticket.area.name_en.endswith("Ashar")
    assert count_rows(app, Outbox) == 0  # no phone given, nobody to text


def test_validation_errors_are_shown_next_to_their_fields(app, client):
    response = report(client, category="", description="", phone="12345", lat="30.5")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="category-error"' in page
    assert 'id="description-error"' in page
    assert 'id="phone-error"' in page
    assert 'id="lon-error"' in page
    assert count_rows(app, Ticket) == 0


def test_unknown_category_is_refused(app, client):
    response = report(client, category="not-a-category")
    assert response.status_code == 400
    assert count_rows(app, Ticket) == 0


def test_public_ticket_page_shows_no_personal_data(app, client):
    phone_in_text = "ماكو ماي بالعشار اتصلوا بي 07801234567"
    response = report(client, description=phone_in_text, phone="07701234567")
    page = client.get(response.headers["Location"].replace("/report/received/", "/t/"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("07801234567", "7801234567", "07701234567", "7701234567", "+964"):
        assert shown not in html
    assert "ماكو ماي بالعشار" in html


def test_complaint_text_is_escaped(app, client):
    response = report(client, description='ماكو ماي <script>alert("x")</script> بالعشار')
    html = client.get(response.headers["Location"].replace("/report/received/", "/t/")).get_data(
        as_text=True
    )
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_unknown_reference_is_404(client):
    assert client.get("/t/ZZZZZ").status_code == 404


def test_lookup_forgives_case_and_arabic_digits(app, client):
    response = report(client)
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    typed = reference.lower().translate(str.maketrans("23456789", "٢٣٤٥٦٧٨٩"))
    lookup = client.get("/t", query_string={"ref": typed})
    assert lookup.status_code == 302
    assert lookup.headers["Location"].endswith("/t/" + reference)


def test_pages_follow_the_browser_language_and_the_switch(client):
    arabic = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "أبلغ عن مشكلة" in arabic
    english = client.get("/", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)
    assert 'dir="ltr"' in english and "Report a problem" in english
    client.get("/lang/ar", headers={"Referer": "http://localhost/report"})
    switched = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'dir="rtl"' in switched


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/lang/en", headers={"Referer": "https://evil.example/phish"})
    assert response.headers["Location"] == "/"
