"""Who a staff account is: what each role may do is decided where it is done (the queues,
casework, verification) and by the blueprints' role_required."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # everything: routing, reference data, accounts, every directorate
    OFFICER = "officer"  # their directorate's tickets
    MANAGER = "manager"  # a directorate's head: its tickets, assigns them, receives escalations
    GOVERNORATE = "governorate"  # the governor's office: reads every directorate, changes nothing
    MONITOR = "monitor"  # a civil-society organisation: verifies fixes, follows tickets


# Held to the tickets and incidents of the one directorate the account belongs to.
DIRECTORATE_ROLES = frozenset({Role.OFFICER, Role.MANAGER})
# Change tickets and incidents (their own directorate's, or any for an admin).
CASEWORK_ROLES = (Role.OFFICER, Role.MANAGER, Role.ADMIN)
# Read the queues, tickets and incidents; the governorate reads every directorate's.
READING_ROLES = (*CASEWORK_ROLES, Role.GOVERNORATE)
# Receive escalations of late tickets (feedback.domain.escalation).
ESCALATION_ROLES = (Role.MANAGER, Role.GOVERNORATE, Role.ADMIN)


def may_moderate(role: str, moderator: bool) -> bool:
    """Approving photos and redacting public text: every admin, and any account an admin has
    made a moderator (a monitor from a CSO, an officer), since moderation decides what the
    public sees, not what a directorate does."""
    return role == Role.ADMIN or moderator
