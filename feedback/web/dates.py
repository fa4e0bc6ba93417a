"""Dates and times as people read them, on every page: day first (9/4/26 is 9 April in Basra),
month by name, in Basra time (BABEL_DEFAULT_TIMEZONE), 24-hour clock; Arabic pages use the
Iraqi month names (أيلول, not سبتمبر). Machines keep ISO 8601 (<time datetime>, exports)."""

from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import Flask
from flask_babel import get_locale, get_timezone, to_user_timezone

# Babel's ar_IQ has the Iraqi month names and keeps Latin digits, as the rest of the site does.
DATE_LOCALES = {"ar": Locale.parse("ar_IQ"), "en": Locale.parse("en")}

# By language, then by whether the year is shown. Arabic has no abbreviated month names;
# its comma is "،".
DATETIME_PATTERNS = {
    "ar": {True: "d MMMM y، HH:mm", False: "d MMMM، HH:mm"},
    "en": {True: "d MMM y, HH:mm", False: "d MMM, HH:mm"},
}
DATE_PATTERNS = {
    "ar": {True: "d MMMM y", False: "d MMMM"},
    "en": {True: "d MMM y", False: "d MMM"},
}


def datetime_text(value: datetime, year: bool = True) -> str:
    """ "4 Sep 2026, 14:05" / "4 أيلول 2026، 14:05" in Basra time; without the year when
    year=False, for compact columns and chart labels."""
    language = _language()
    return format_datetime(
        value,
        DATETIME_PATTERNS[language][year],
        tzinfo=get_timezone(),
        locale=DATE_LOCALES[language],
    )


def date_text(value: date | datetime, year: bool = True) -> str:
    """ "4 Sep 2026" / "4 أيلول 2026": the Basra day of a datetime, or a calendar date as is."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    language = _language()
    return format_date(value, DATE_PATTERNS[language][year], locale=DATE_LOCALES[language])


def _language() -> str:
    language = str(get_locale() or "ar")
    return language if language in DATE_LOCALES else "ar"


def register_date_filters(app: Flask) -> None:
    """{{ when|datetime }} and {{ day|date }} in every template (date=False drops the year)."""
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(date_text, "date")
