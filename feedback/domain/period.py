"""Dates and datetimes typed into query strings (the map and export filters, the scorecards,
Open311), read in one place and held to years that every sum done with them can reach: a day
added to end a period, 90 days around an Open311 window, a ±14:00 offset turned into UTC.
A date outside them is a clear 400 before anything is computed, not an OverflowError halfway
through an answer (or an export)."""

import re
from datetime import date, datetime, tzinfo

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
# A "+03:00" offset sent unencoded in a query string arrives as " 03:00".
_SPACED_OFFSET = re.compile(r"(T[\d:.]+) (\d\d:?\d\d)$")


class BadDate(ValueError):
    """Not a date (or datetime) written as asked."""


class DateOutOfRange(BadDate):
    """A real date, but before FIRST_DAY or after LAST_DAY."""


def parse_day(value: str, name: str) -> date:
    """A YYYY-MM-DD date from FIRST_DAY to LAST_DAY; `name` says which in an error."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadDate(f"{name} must be a date, YYYY-MM-DD") from None
    _check_years(day, name)
    return day


def parse_moment(value: str, name: str, zone: tzinfo) -> datetime:
    """A W3C datetime (a date alone is its midnight), read in `zone` when it has no offset;
    its date, as written, from FIRST_DAY to LAST_DAY."""
    try:
        moment = datetime.fromisoformat(_SPACED_OFFSET.sub(r"\1+\2", value))
    except ValueError:
        raise BadDate(f"{name} is not a W3C datetime") from None
    _check_years(moment.date(), name)
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _check_years(day: date, name: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateOutOfRange(f"{name} must be between {FIRST_DAY} and {LAST_DAY}")
