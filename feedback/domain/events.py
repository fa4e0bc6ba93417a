"""What a ticket's timeline records, and which of it the public sees (/t/<ref>, Open311, the
monitors' feed): the steps, never internal notes or a citizen's follow-up texts."""

from enum import StrEnum


class EventKind(StrEnum):
    CREATED = "created"
    ASKED = "asked"  # a question to the citizen (what, where)
    ANSWERED = "answered"  # the citizen's answer completed the ticket
    ROUTED = "routed"
    TRIAGE = "triage"  # no directorate found: the admins' triage queue
    STATUS = "status"
    TRANSFER = "transfer"
    CATEGORY_CHANGED = "category_changed"  # a person corrected the parser's category
    NOTE = "note"  # internal, for colleagues
    FOLLOW_UP = "follow_up"  # a message past the flood limit, joined to the ticket
    OVERDUE = "overdue"
    VERIFIED = "verified"  # a monitor checked the fix
    INCIDENT = "incident"  # joined or left an incident (details: incident, why)
    ASSIGNED = "assigned"  # a manager gave it to an officer (details: to, the officer's id)
    ESCALATED = "escalated"  # sent up (details: level, reason; feedback.domain.escalation)
    # Fix confirmation (feedback.domain.confirmation): the resolved notice asked the citizen
    # whether it is fixed; they said it is, or it is not (which reopens it), or said nothing.
    FIX_ASKED = "fix_asked"
    CONFIRMED_FIXED = "confirmed_fixed"
    NOT_FIXED = "not_fixed"
    UNCONFIRMED = "unconfirmed"
    # A moderator redacted, hid or restored the public text (details "action": a
    # feedback.domain.moderation.ModerationAction); the reason is the internal note.
    MODERATED = "moderated"
    # A moderator approved or rejected a citizen's photo (details: attachment, review); the
    # reason is the event's internal note. Staff only: the public sees the photo, or nothing.
    PHOTO_REVIEWED = "photo_reviewed"


PUBLIC_EVENT_KINDS = frozenset(
    {
        EventKind.CREATED,
        EventKind.ROUTED,
        EventKind.TRIAGE,
        EventKind.STATUS,
        EventKind.TRANSFER,
        EventKind.CATEGORY_CHANGED,  # the category is public; who changed it is not
        EventKind.OVERDUE,
        EventKind.VERIFIED,
        EventKind.INCIDENT,  # the incident is public; why it joined is for staff
        EventKind.ESCALATED,  # to whom by office, never by name
        EventKind.FIX_ASKED,
        EventKind.CONFIRMED_FIXED,
        EventKind.NOT_FIXED,
        EventKind.UNCONFIRMED,
        EventKind.MODERATED,  # that the text was edited; who and why are for staff
    }
)


# The steps of "is it fixed?" (feedback.domain.confirmation), the last of which says where it is.
FIX_QUESTION_KINDS = frozenset(
    {EventKind.FIX_ASKED, EventKind.CONFIRMED_FIXED, EventKind.NOT_FIXED, EventKind.UNCONFIRMED}
)


class Verdict(StrEnum):
    """What a monitor found when checking a resolved ticket in the field."""

    VERIFIED = "verified"
    DISPUTED = "disputed"  # reopens the ticket


# Who did it, on the timeline, when not a staff account's role (feedback.domain.roles).
CITIZEN = "citizen"
SYSTEM = "system"
