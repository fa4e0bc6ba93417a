"""Bulk actions on the officer's queue (issue 14): which selected tickets an action fits and,
for the others, why not, so that the one confirmation page says so before anything changes."""

from dataclasses import dataclass
from enum import StrEnum

from feedback.domain.lifecycle import ALLOWED, Status, can_transfer


class BulkAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    TRANSFER = "transfer"
    ADD_TO_INCIDENT = "add_to_incident"


# A transfer owes each citizen its reason; an acknowledgement may say something or not.
NEEDS_MESSAGE = frozenset({BulkAction.TRANSFER})
# More than a few pages of the queue at once is a mistake, not a decision.
MAX_SELECTED = 200


class Misfit(StrEnum):
    """Why an action does not fit a selected ticket."""

    STATUS = "status"  # acknowledged already, or no longer open
    SAME_DIRECTORATE = "same_directorate"  # a transfer to where it is
    IN_THIS_INCIDENT = "in_this_incident"
    IN_ANOTHER_INCIDENT = "in_another_incident"  # a ticket is in at most one
    OTHER_DIRECTORATE = "other_directorate"  # an incident of another directorate


@dataclass(frozen=True)
class Selected:
    """What the rule needs to know of a selected ticket."""

    status: str
    directorate_id: int | None
    incident_id: int | None


def misfit(
    action: BulkAction,
    ticket: Selected,
    directorate_id: int | None = None,
    incident_id: int | None = None,
) -> Misfit | None:
    """Why `action` does not fit `ticket`, or None when it does. `directorate_id` is where a
    transfer goes, or the directorate of the incident (`incident_id`) a ticket is added to."""
    if action is BulkAction.ACKNOWLEDGE:
        return None if Status.ACKNOWLEDGED in ALLOWED[Status(ticket.status)] else Misfit.STATUS
    if not can_transfer(ticket.status):
        return Misfit.STATUS
    if action is BulkAction.TRANSFER:
        return Misfit.SAME_DIRECTORATE if ticket.directorate_id == directorate_id else None
    if ticket.incident_id is not None:
        same = ticket.incident_id == incident_id
        return Misfit.IN_THIS_INCIDENT if same else Misfit.IN_ANOTHER_INCIDENT
    return Misfit.OTHER_DIRECTORATE if ticket.directorate_id != directorate_id else None
