"""Acting on an incident (issue 14): which actions its status allows, what each needs, the way
each ticket takes to the status the action gives it, and how an SMS says when an outage ends."""

from datetime import datetime

import pytest

from feedback.domain.incidents import (
    IncidentAction,
    IncidentActionRefused,
    IncidentStatus,
    allowed_actions,
    plan_action,
)
from feedback.domain.lifecycle import ALLOWED, OPEN_STATUSES, Status, path
from feedback.domain.replies import clock_text

A = IncidentAction
S = Status


def test_an_open_incident_takes_every_action_an_acknowledged_one_all_but_acknowledging():
    assert allowed_actions(IncidentStatus.OPEN) == list(IncidentAction)
    assert allowed_actions(IncidentStatus.ACKNOWLEDGED) == [A.UPDATE, A.RESOLVE, A.REJECT]
    assert allowed_actions(IncidentStatus.RESOLVED) == []
    assert allowed_actions(IncidentStatus.REJECTED) == []


@pytest.mark.parametrize("action", [A.UPDATE, A.RESOLVE, A.REJECT])
def test_updates_resolutions_and_rejections_need_a_message(action):
    with pytest.raises(IncidentActionRefused) as refused:
        plan_action(action, IncidentStatus.OPEN, has_message=False)
    assert refused.value.reason == "message"
    assert plan_action(action, IncidentStatus.OPEN, has_message=True) is action


def test_acknowledging_needs_no_message_but_happens_once():
    assert plan_action("acknowledge", "open", has_message=False) is A.ACKNOWLEDGE
    with pytest.raises(IncidentActionRefused) as refused:
        plan_action("acknowledge", "acknowledged", has_message=True)
    assert refused.value.reason == "status"


@pytest.mark.parametrize("action", ["resolve", "update", "bogus"])
def test_a_closed_incident_or_an_unknown_action_is_refused(action):
    with pytest.raises(IncidentActionRefused):
        plan_action(action, "resolved", has_message=True)


@pytest.mark.parametrize(
    ("current", "target", "expected"),
    [
        (S.NEW, S.RESOLVED, [S.ACKNOWLEDGED, S.RESOLVED]),  # acknowledged on the way
        (S.NEW, S.ACKNOWLEDGED, [S.ACKNOWLEDGED]),
        (S.NEW, S.REJECTED, [S.REJECTED]),
        (S.IN_PROGRESS, S.RESOLVED, [S.RESOLVED]),
        (S.REOPENED, S.RESOLVED, [S.ACKNOWLEDGED, S.RESOLVED]),
        (S.IN_PROGRESS, S.ACKNOWLEDGED, None),  # no way back
        (S.ACKNOWLEDGED, S.ACKNOWLEDGED, None),  # already there: nothing to do
        (S.RESOLVED, S.RESOLVED, None),
        (S.CLOSED, S.REJECTED, None),
    ],
)
def test_the_way_a_ticket_takes_to_a_status(current, target, expected):
    assert path(current, target) == expected


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in Status for t in Status])
def test_every_way_keeps_to_the_machine_and_passes_only_open_statuses(current, target):
    steps = path(current, target)
    if steps is None:
        return
    assert steps[-1] == target
    for before, after in zip([current, *steps[:-1]], steps, strict=True):
        assert after in ALLOWED[before]
    assert all(step in OPEN_STATUSES for step in steps[:-1])


NOW = datetime(2026, 7, 14, 13, 20)


@pytest.mark.parametrize(
    ("when", "arabic", "english"),
    [
        (datetime(2026, 7, 14, 18, 0), "الساعة ٦ م", "at 6 pm"),
        (datetime(2026, 7, 14, 18, 30), "الساعة ٦:٣٠ م", "at 6:30 pm"),
        (datetime(2026, 7, 15, 9, 0), "باجر الساعة ٩ ص", "tomorrow at 9 am"),
        (datetime(2026, 7, 17, 0, 15), "يوم ١٧/٧ الساعة ١٢:١٥ ص", "on 17/7 at 12:15 am"),
        (datetime(2026, 7, 14, 12, 0), "الساعة ١٢ م", "at 12 pm"),
    ],
)
def test_an_expected_end_as_an_sms_says_it(when, arabic, english):
    assert clock_text(when, NOW, "ar") == arabic
    assert clock_text(when, NOW, "en") == english
