"""The ticket state machine (DESIGN.md): which status may follow which, what each officer or
citizen action needs, and when a reopening is still allowed."""

from datetime import datetime, timedelta
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


class Action(StrEnum):
    """What an officer (or a citizen, for reopen) does to a ticket."""

    ACKNOWLEDGE = "acknowledge"
    START = "start"
    RESOLVE = "resolve"
    REJECT = "reject"
    REOPEN = "reopen"
    CLOSE = "close"


TARGET = {
    Action.ACKNOWLEDGE: Status.ACKNOWLEDGED,
    Action.START: Status.IN_PROGRESS,
    Action.RESOLVE: Status.RESOLVED,
    Action.REJECT: Status.REJECTED,
    Action.REOPEN: Status.REOPENED,
    Action.CLOSE: Status.CLOSED,
}
# The citizen is owed an explanation for these: a public answer, a reason.
NEEDS_PUBLIC_MESSAGE = frozenset({Action.RESOLVE, Action.REJECT})
REOPEN_WINDOW = timedelta(days=14)


class MissingMessage(Exception):
    """A resolve or reject without the public message the citizen is owed."""


class ReopenWindowClosed(Exception):
    """A reopening asked for more than REOPEN_WINDOW after the ticket was resolved."""


def plan(action: str, current: str, public_message: str | None) -> Status:
    """The status `action` leads to from `current`, or the reason it may not happen."""
    try:
        action = Action(action)
    except ValueError:
        raise InvalidTransition(current, action) from None
    if action in NEEDS_PUBLIC_MESSAGE and not (public_message or "").strip():
        raise MissingMessage(action.value)
    return check_transition(current, TARGET[action].value)


def check_reopen_window(resolved_at: datetime | None, now: datetime) -> None:
    if resolved_at is not None and now - resolved_at > REOPEN_WINDOW:
        raise ReopenWindowClosed()


def can_transfer(current: str) -> bool:
    """Only a ticket still being worked can move to another directorate."""
    return current in OPEN_STATUSES


def path(current: str, target: Status) -> list[Status] | None:
    """The statuses a ticket passes through to reach `target` (the shortest way, through open
    statuses only, acknowledging first where there is a choice), or None when it cannot: an
    incident resolved at once resolves its new tickets too, by way of acknowledged."""
    start = Status(current)
    routes: dict[Status, list[Status]] = {start: []}
    frontier = [start]
    while frontier and target not in routes:
        step = []
        for status in frontier:
            if status != start and status not in OPEN_STATUSES:
                continue
            for following in sorted(ALLOWED[status], key=list(Status).index):
                if following not in routes:
                    routes[following] = [*routes[status], following]
                    step.append(following)
        frontier = step
    return routes.get(target) or None
