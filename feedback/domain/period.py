"""Dates and datetimes typed into query strings (the map and export filters, the scorecards,
Open311, the monthly reports), read in one place and held to years that every sum done with
them can reach: a day added to end a period, 90 days around an Open311 window, a ±14:00
offset turned into UTC. A date outside them is a clear 400 before anything is computed, not an
OverflowError halfway through an answer (or an export)."""

import re
from datetime import date, datetime, timedelta, tzinfo

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
# A "+03:00" offset sent unencoded in a query string arrives as " 03:00".
_SPACED_OFFSET = re.compile(r"(T[\d:.]+) (\d\d:?\d\d)$")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


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


def parse_month(value: str, name: str = "month") -> date:
    """A YYYY-MM month, as its first day, within FIRST_DAY to LAST_DAY."""
    found = _MONTH.fullmatch(value.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise BadDate(f"{name} must be a month, YYYY-MM")
    first = date(int(found.group(1)), int(found.group(2)), 1)
    _check_years(first, name)
    return first


def month_end(first: date) -> date:
    """The last day of the month starting on `first`."""
    return add_months(first, 1) - timedelta(days=1)


def add_months(first: date, months: int) -> date:
    """The first day of the month `months` after (or before, when negative) `first`'s."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _check_years(day: date, name: str) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateOutOfRange(f"{name} must be between {FIRST_DAY} and {LAST_DAY}")
