"""Dates people read: day first in both languages (9/4/26 is 9 April in Basra), in Basra
time, with the Iraqi month names on Arabic pages; <time datetime> keeps ISO 8601."""

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import render_template_string

from feedback.extensions import db
from feedback.models import Ticket

NB = "\u00a0"  # within a date, spaces do not break: "4 / أيلول 2026" never splits over lines
FOUR_SEPTEMBER = datetime(2026, 9, 4, 11, 5, tzinfo=UTC)  # 14:05 in Basra (UTC+3)
IRAQI_MONTHS = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)


def render(app, language: str, source: str, **values) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(source, **values)


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("en", "{{ when|datetime }}", f"4{NB}Sep{NB}2026, 14:05"),
        ("ar", "{{ when|datetime }}", f"4{NB}أيلول{NB}2026، 14:05"),
        ("en", "{{ when|datetime(year=False) }}", f"4{NB}Sep, 14:05"),
        ("ar", "{{ when|datetime(year=False) }}", f"4{NB}أيلول، 14:05"),
        ("en", "{{ when|date }}", f"4{NB}Sep{NB}2026"),
        ("ar", "{{ when|date }}", f"4{NB}أيلول{NB}2026"),
        ("en", "{{ when.date()|date(year=False) }}", f"4{NB}Sep"),
    ],
)
def test_date_filters_put_the_day_first(app, language, source, expected):
    assert render(app, language, source, when=FOUR_SEPTEMBER) == expected


def test_the_day_is_basras_not_utcs(app):
    late_evening = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # already 1 January in Basra
    assert render(app, "en", "{{ when|datetime }}", when=late_evening) == f"1{NB}Jan{NB}2027, 01:30"
    assert render(app, "en", "{{ when|date }}", when=late_evening) == f"1{NB}Jan{NB}2027"
    assert render(app, "en", "{{ day|date }}", day=date(2026, 12, 31)) == f"31{NB}Dec{NB}2026"


def test_arabic_pages_use_the_iraqi_month_names(app):
    source = "{% for day in days %}{{ day|date }}|{% endfor %}"
    days = [date(2026, month, 1) for month in range(1, 13)]
    shown = render(app, "ar", source, days=days).replace(NB, " ").rstrip("|").split("|")
    assert shown == [f"1 {month} 2026" for month in IRAQI_MONTHS]


def test_no_template_formats_a_date_another_way():
    from pathlib import Path

    templates = Path(__file__).parents[2] / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\|(datetimeformat|dateformat|timeformat)\b", text), path


def _file_due(app, twilio) -> str:
    assert twilio.send("ماكو ماي بحي الحسين").status_code == 200
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket).order_by(Ticket.id.desc()))
        ticket.created_at = FOUR_SEPTEMBER
        ticket.due_at = datetime(2026, 9, 9, 5, 0, tzinfo=UTC)  # 9 September, 08:00 in Basra
        db.session.commit()
        return ticket.reference


@pytest.mark.parametrize(
    ("language", "received", "due"),
    [
        ("en", f"4{NB}Sep{NB}2026, 14:05", f"9{NB}Sep{NB}2026, 08:00"),
        ("ar", f"4{NB}أيلول{NB}2026، 14:05", f"9{NB}أيلول{NB}2026، 08:00"),
    ],
)
def test_queue_and_public_page_show_day_first(app, client, auth, twilio, language, received, due):
    reference = _file_due(app, twilio)
    headers = {"Accept-Language": language}
    public = client.get(f"/t/{reference}", headers=headers).get_data(as_text=True)
    assert f'datetime="{FOUR_SEPTEMBER.isoformat()}">{received}</time>' in public
    assert f">{due}</time>" in public
    auth.login("officer.water")
    queue = client.get("/officer/", headers=headers).get_data(as_text=True)
    assert f'datetime="2026-09-09T05:00:00+00:00">{due}</time>' in queue
    assert "9/9/26" not in queue and "9/9/26" not in public
