"""SLA deadlines and lateness."""

from datetime import UTC, datetime, timedelta

import pytest

from feedback.domain.sla import due_at, is_overdue

RECEIVED = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "due"),
    [
        (48, datetime(2026, 3, 3, 22, 30, tzinfo=UTC)),
        (4, datetime(2026, 3, 2, 2, 30, tzinfo=UTC)),  # crosses midnight
        (0, RECEIVED),
    ],
)
def test_due_at_adds_the_sla_hours(hours, due):
    assert due_at(RECEIVED, hours) == due


def test_due_at_is_none_without_an_sla():
    assert due_at(RECEIVED, None) is None


DUE = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("due", "now", "is_open", "overdue"),
    [
        (DUE, DUE + SECOND, True, True),
        (DUE, DUE + timedelta(days=30), True, True),
        (DUE, DUE, True, False),  # due now is not yet late
        (DUE, DUE - SECOND, True, False),
        (DUE, DUE + SECOND, False, False),  # resolved/closed tickets are never late
        (None, DUE + SECOND, True, False),  # no SLA, never late
    ],
)
def test_is_overdue_only_when_open_and_past_due(due, now, is_open, overdue):
    assert is_overdue(due, now, is_open) is overdue
