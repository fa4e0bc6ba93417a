"""Dates from query strings: one reader for the map, exports, scorecards and Open311, whose
every accepted value survives the sums done with it."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.domain.period import (
    FIRST_DAY,
    LAST_DAY,
    BadDate,
    DateOutOfRange,
    add_months,
    month_end,
    parse_day,
    parse_moment,
    parse_month,
)

BASRA = ZoneInfo("Asia/Baghdad")


def test_a_day_and_its_errors():
    assert parse_day("2026-11-27", "from") == date(2026, 11, 27)
    with pytest.raises(DateOutOfRange, match="from must be between 1900-01-01 and 2999-12-31"):
        parse_day("0001-01-01", "from")
    with pytest.raises(DateOutOfRange):
        parse_day("9999-12-31", "to")
    with pytest.raises(BadDate, match="to must be a date, YYYY-MM-DD") as refused:
        parse_day("2026-02-30", "to")
    assert not isinstance(refused.value, DateOutOfRange)


def test_a_moment_with_or_without_its_offset():
    assert parse_moment("2026-11-27T10:00:00", "start_date", BASRA) == datetime(
        2026, 11, 27, 10, tzinfo=BASRA
    )
    plus_14 = timezone(timedelta(hours=14))
    assert parse_moment("2026-11-27T10:00:00+14:00", "x", BASRA).tzinfo == plus_14
    # "+03:00" sent unencoded in a query string arrives as " 03:00"
    spaced = parse_moment("2026-11-27T10:00:00 03:00", "x", BASRA)
    assert spaced.utcoffset() == timedelta(hours=3)
    for far in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "3000-01-01"):
        with pytest.raises(DateOutOfRange):
            parse_moment(far, "start_date", BASRA)
    with pytest.raises(BadDate, match="end_date is not a W3C datetime"):
        parse_moment("last tuesday", "end_date", BASRA)


@given(st.dates(FIRST_DAY, LAST_DAY))
def test_every_accepted_day_survives_the_sums_done_with_it(day):
    accepted = parse_day(day.isoformat(), "from")
    for end in (accepted - timedelta(days=1), accepted + timedelta(days=1)):
        datetime.combine(end, time(), BASRA).astimezone(UTC)


@given(
    st.datetimes(datetime(1900, 1, 1), datetime(2999, 12, 31, 23, 59, 59)),
    st.integers(-14 * 60, 14 * 60),
)
def test_every_accepted_moment_survives_the_sums_done_with_it(moment, offset_minutes):
    offset = timezone(timedelta(minutes=offset_minutes))
    accepted = parse_moment(moment.replace(tzinfo=offset).isoformat(), "start_date", BASRA)
    for shifted in (accepted - timedelta(days=90), accepted + timedelta(days=90)):
        shifted.astimezone(UTC)


def test_a_month_and_its_errors():
    assert parse_month("2026-03") == date(2026, 3, 1)
    for bad in ("2026-13", "2026-00", "2026-3", "26-03", "2026-03-01", "March"):
        with pytest.raises(BadDate, match="month must be a month, YYYY-MM"):
            parse_month(bad)
    with pytest.raises(DateOutOfRange):
        parse_month("1899-12", "--month")


def test_months_before_and_after_and_their_last_days():
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
