"""Dates and times as people read them, on every page: day first (9/4/26 is 9 April in Basra),
month by name, in Basra time (BABEL_DEFAULT_TIMEZONE), 24-hour clock; Arabic pages use the
Iraqi month names (أيلول, not سبتمبر). Machines keep ISO 8601 (<time datetime>, exports)."""

from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_time
from flask import Flask
from flask_babel import get_locale, get_timezone, to_user_timezone

# Babel's ar_IQ has the Iraqi month names and keeps Latin digits, as the rest of the site does.
DATE_LOCALES = {"ar": Locale.parse("ar_IQ"), "en": Locale.parse("en")}

# By language, then by whether the year is shown. Arabic has no abbreviated month names.
DATE_PATTERNS = {
    "ar": {True: "d MMMM y", False: "d MMMM"},
    "en": {True: "d MMM y", False: "d MMM"},
}
BEFORE_TIME = {"ar": "، ", "en": ", "}

# A date is never split over two lines ("4 / أيلول 2026" in a narrow column): its spaces do not
# break; the line may break between the date and the time.
NO_BREAK_SPACE = "\u00a0"


def datetime_text(value: datetime, year: bool = True) -> str:
    """ "4 Sep 2026, 14:05" / "4 أيلول 2026، 14:05" in Basra time (no-break spaces within the
    date); without the year when year=False, for compact columns."""
    language = _language()
    time = format_time(value, "HH:mm", tzinfo=get_timezone(), locale=DATE_LOCALES[language])
    return date_text(value, year) + BEFORE_TIME[language] + time


def date_text(value: date | datetime, year: bool = True) -> str:
    """ "4 Sep 2026" / "4 أيلول 2026": the Basra day of a datetime, or a calendar date as is."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    language = _language()
    text = format_date(value, DATE_PATTERNS[language][year], locale=DATE_LOCALES[language])
    return text.replace(" ", NO_BREAK_SPACE)


def month_text(first: date, year: bool = True) -> str:
    """ "March 2026" / "آذار 2026" (or the month alone): a report's month."""
    language = _language()
    text = format_date(first, "MMMM y" if year else "MMMM", locale=DATE_LOCALES[language])
    return text.replace(" ", NO_BREAK_SPACE)


def _language() -> str:
    language = str(get_locale() or "ar")
    return language if language in DATE_LOCALES else "ar"


def register_date_filters(app: Flask) -> None:
    """{{ when|datetime }}, {{ day|date }} and {{ first_day|month }} in every template
    (year=False drops the year)."""
    app.add_template_filter(datetime_text, "datetime")
    app.add_template_filter(date_text, "date")
    app.add_template_filter(month_text, "month")
