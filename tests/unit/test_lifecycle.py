"""The ticket status machine: every (from, to) pair, allowed or refused."""

import itertools

import pytest

from feedback.domain.lifecycle import InvalidTransition, Status, check_transition

S = Status
# The machine of DESIGN.md, written out here independently of lifecycle.ALLOWED.
EXPECTED_ALLOWED = {
    (S.NEW, S.ACKNOWLEDGED),
    (S.NEW, S.IN_PROGRESS),
    (S.NEW, S.REJECTED),
    (S.ACKNOWLEDGED, S.IN_PROGRESS),
    (S.ACKNOWLEDGED, S.RESOLVED),
    (S.ACKNOWLEDGED, S.REJECTED),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.IN_PROGRESS, S.REJECTED),
    (S.RESOLVED, S.REOPENED),
    (S.RESOLVED, S.CLOSED),
    (S.REJECTED, S.REOPENED),
    (S.REJECTED, S.CLOSED),
    (S.REOPENED, S.ACKNOWLEDGED),
    (S.REOPENED, S.IN_PROGRESS),
    (S.REOPENED, S.REJECTED),
}
ALL_PAIRS = list(itertools.product(Status, Status))
REFUSED = [pair for pair in ALL_PAIRS if pair not in EXPECTED_ALLOWED]


def test_the_statuses_are_the_seven_of_the_design():
    assert [status.value for status in Status] == [
        "new",
        "acknowledged",
        "in_progress",
        "resolved",
        "rejected",
        "reopened",
        "closed",
    ]
    assert len(ALL_PAIRS) == 49


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED_ALLOWED))
def test_allowed_transition_returns_the_target_status(current, target):
    result = check_transition(current.value, target.value)  # services pass plain strings
    assert result is target
    assert isinstance(result, Status)


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_any_other_transition_is_refused(current, target):
    with pytest.raises(InvalidTransition) as caught:
        check_transition(current.value, target.value)
    assert caught.value.current == current.value
    assert caught.value.target == target.value
    assert str(caught.value) == f"cannot go from {current.value} to {target.value}"


@pytest.mark.parametrize(
    ("current", "target"),
    [("new", "done"), ("open", "acknowledged"), ("", "new"), ("NEW", "acknowledged")],
)
def test_unknown_status_is_refused(current, target):
    with pytest.raises(InvalidTransition) as caught:
        check_transition(current, target)
    assert (caught.value.current, caught.value.target) == (current, target)


@pytest.mark.parametrize("target", list(Status))
def test_closed_is_terminal(target):
    with pytest.raises(InvalidTransition):
        check_transition("closed", target.value)


def test_a_status_never_follows_itself():
    for status in Status:
        with pytest.raises(InvalidTransition):
            check_transition(status, status)
