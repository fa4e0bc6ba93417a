"""The ticket state machine (DESIGN.md): which status may follow which."""

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    REOPENED = "reopened"
    CLOSED = "closed"


ALLOWED: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REJECTED}),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.REJECTED}),
    Status.RESOLVED: frozenset({Status.REOPENED, Status.CLOSED}),
    Status.REJECTED: frozenset({Status.REOPENED, Status.CLOSED}),
    Status.REOPENED: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REJECTED}),
    Status.CLOSED: frozenset(),
}

OPEN_STATUSES = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED})


class InvalidTransition(Exception):
    """A status change the state machine does not allow; nothing is changed."""

    def __init__(self, current: str, target: str):
        super().__init__(f"cannot go from {current} to {target}")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> Status:
    """The target status, if the machine allows current -> target; else InvalidTransition."""
    try:
        source, goal = Status(current), Status(target)
    except ValueError:
        raise InvalidTransition(current, target) from None
    if goal not in ALLOWED[source]:
        raise InvalidTransition(current, target)
    return goal
