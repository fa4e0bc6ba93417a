"""Translated words for statuses and history events, shared by every page."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from feedback.domain.attachments import Review
from feedback.domain.channels import Channel
from feedback.domain.escalation import EscalationLevel
from feedback.domain.events import EventKind
from feedback.domain.incidents import IncidentAction, IncidentEventKind, IncidentStatus
from feedback.domain.lifecycle import Status
from feedback.domain.limits import Withheld
from feedback.domain.moderation import ModerationAction, TextModeration
from feedback.domain.outbox import SmsState
from feedback.domain.roles import Role

STATUS_LABELS: dict[str, object] = {
    Status.NEW: _l("New"),
    Status.ACKNOWLEDGED: _l("Acknowledged"),
    Status.IN_PROGRESS: _l("Work in progress"),
    Status.RESOLVED: _l("Resolved"),
    Status.REJECTED: _l("Rejected"),
    Status.REOPENED: _l("Reopened"),
    Status.CLOSED: _l("Closed"),
}

EVENT_LABELS: dict[str, object] = {
    EventKind.CREATED: _l("Complaint received"),
    EventKind.ROUTED: _l("Sent to the directorate responsible"),
    EventKind.TRIAGE: _l("Waiting to be assigned to a directorate"),
    EventKind.TRANSFER: _l("Transferred to another directorate"),
    EventKind.CATEGORY_CHANGED: _l("Category corrected"),
    EventKind.ASKED: _l("The citizen was asked for details"),
    EventKind.ANSWERED: _l("The citizen answered"),
    EventKind.FOLLOW_UP: _l("A further message from the citizen"),
    EventKind.NOTE: _l("Internal note"),
    EventKind.OVERDUE: _l("Deadline passed"),
    EventKind.VERIFIED: _l("Fix verified in the field by civil society"),
    EventKind.INCIDENT: _l("Grouped with other reports of the same problem"),
    EventKind.ASSIGNED: _l("Assigned to an officer"),
    EventKind.FIX_ASKED: _l("The citizen was asked by SMS whether it is fixed"),
    EventKind.CONFIRMED_FIXED: _l("The citizen confirmed it is fixed"),
    EventKind.NOT_FIXED: _l("The citizen said it is not fixed: reopened with priority"),
    EventKind.UNCONFIRMED: _l("No answer from the citizen within 7 days: the fix is unconfirmed"),
    EventKind.MODERATED: _l("Text edited by a moderator"),
    EventKind.PHOTO_REVIEWED: _l("A photo was reviewed for the public page"),
}

# A moderator's step on the timeline (details "action"); never who or why.
MODERATION_LABELS: dict[str, object] = {
    ModerationAction.REDACT: _l("Text edited by a moderator"),
    ModerationAction.HIDE: _l("Text hidden by a moderator"),
    ModerationAction.RESTORE: _l("Text restored by a moderator"),
}

# What a moderator left of a ticket's text, for the moderation pages.
TEXT_MODERATION_LABELS: dict[str, object] = {
    TextModeration.REDACTED: _l("Redacted"),
    TextModeration.HIDDEN: _l("Hidden"),
}

# An escalation on the timeline (details "level"): to whom, by office.
ESCALATION_LABELS: dict[str, object] = {
    EscalationLevel.DIRECTORATE: _l("Escalated to the directorate head"),
    EscalationLevel.GOVERNORATE: _l("Escalated to the governor's office"),
}

# An incident step on a member ticket's timeline (details "step"); none: it joined by grouping.
INCIDENT_TICKET_LABELS: dict[str, object] = {
    IncidentEventKind.UPDATED: _l("News of the problem reported with others"),
    IncidentEventKind.TICKET_ADDED: _l("Added by an officer to reports of the same problem"),
    IncidentEventKind.TICKET_REMOVED: _l("Taken out of the reports of another problem"),
}

INCIDENT_STATUS_LABELS: dict[str, object] = {
    IncidentStatus.OPEN: _l("Still open"),
    IncidentStatus.ACKNOWLEDGED: _l("Acknowledged"),
    IncidentStatus.RESOLVED: _l("Resolved"),
    IncidentStatus.REJECTED: _l("Not one shared problem: each report is handled on its own"),
}

INCIDENT_ACTION_LABELS: dict[str, object] = {
    IncidentAction.ACKNOWLEDGE: _l("Acknowledge"),
    IncidentAction.UPDATE: _l("Post an update"),
    IncidentAction.RESOLVE: _l("Resolve"),
    IncidentAction.REJECT: _l("Reject"),
}

# An incident's own timeline, on its public page and its officers' page.
INCIDENT_EVENT_LABELS: dict[str, object] = {
    IncidentEventKind.FORMED: _l("Reports of the same problem were grouped"),
    IncidentEventKind.DECLARED: _l("Outage announced by the directorate"),
    IncidentEventKind.ACKNOWLEDGED: _l("Acknowledged by the directorate"),
    IncidentEventKind.UPDATED: _l("Update from the directorate"),
    IncidentEventKind.RESOLVED: _l("Resolved"),
    IncidentEventKind.REJECTED: _l("Found not to be one shared problem"),
    IncidentEventKind.TICKET_ADDED: _l("A report was added"),
    IncidentEventKind.TICKET_REMOVED: _l("A report was taken out"),
    IncidentEventKind.TRANSFERRED: _l("Transferred to another directorate"),
}

CHANNEL_LABELS: dict[str, object] = {
    Channel.SMS: _l("SMS"),
    Channel.WHATSAPP: _l("WhatsApp"),
    Channel.WEB: _l("web form"),
    Channel.API: _l("Open311 API"),
    Channel.KANNEL: _l("SMS (operator short code)"),
    Channel.ANDROID: _l("SMS (local SIM gateway)"),
    Channel.WALK_IN: _l("in person, recorded by staff"),
    Channel.PHONE_CALL: _l("by phone call, recorded by staff"),
}

# Delivery of an SMS to the citizen, as the simulated phone shows it.
DELIVERY_LABELS: dict[str, object] = {
    SmsState.PENDING: _l("waiting to be sent"),
    SmsState.SENDING: _l("sending"),
    SmsState.SENT: _l("sent"),
    SmsState.DELIVERED: _l("delivered"),
    SmsState.UNDELIVERED: _l("not delivered"),
    SmsState.FAILED: _l("could not be sent"),
    SmsState.DROPPED: _l("not sent: held back"),
}

# Why an SMS was held back or dropped; %(count)s is the limit that applied.
WITHHELD_LABELS = {
    Withheld.DAILY_CAP: (
        _l("Over the recipient’s daily allowance of %(count)s SMS"),
        "SMS_PER_RECIPIENT_PER_DAY",
    ),
    Withheld.UNCONFIRMED_CAP: (
        _l("Over the %(count)s SMS a day to a number that has never texted us"),
        "SMS_PER_UNCONFIRMED_NUMBER_PER_DAY",
    ),
    Withheld.BLOCKED: (_l("The number is blocked"), None),
    Withheld.NOTICES_OFF: (_l("The number texted STOP: no notices"), None),
}

# The same, told to the person who just filed a report with a number (never the number).
RECEIPT_WITHHELD_LABELS = {
    Withheld.DAILY_CAP: (
        _l(
            "That number has had the %(count)s SMS a day we send to any one number. Updates "
            "about this complaint will be sent to it from tomorrow."
        ),
        "SMS_PER_RECIPIENT_PER_DAY",
    ),
    Withheld.UNCONFIRMED_CAP: (
        _l(
            "That number has never texted us, and it has had the %(count)s SMS a day we send "
            "to such a number: this is how we keep anyone from using this form to flood a "
            "stranger’s phone. Updates about this complaint go to it on later days, within "
            "that limit. If it is your number, text STATUS %(reference)s to %(short_code)s "
            "from it, and it will get updates as usual."
        ),
        "SMS_PER_UNCONFIRMED_NUMBER_PER_DAY",
    ),
    Withheld.BLOCKED: (_l("We do not send SMS to that number."), None),
    Withheld.NOTICES_OFF: (
        _l(
            "That number has asked us for no SMS notices (it texted STOP). None will be sent "
            "to it until it texts START to %(short_code)s."
        ),
        None,
    ),
}

ACTION_LABELS: dict[str, object] = {
    "acknowledge": _l("Acknowledge"),
    "start": _l("Start work"),
    "resolve": _l("Resolve"),
    "reject": _l("Reject"),
    "close": _l("Close"),
    "reopen": _l("Reopen"),
}


PHOTO_REVIEW_LABELS: dict[str, object] = {
    Review.PENDING: _l("Waiting for a moderator: not public"),
    Review.APPROVED: _l("Approved: shown on the public page"),
    Review.REJECTED: _l("Rejected: never shown publicly"),
}


def photo_review_label(review: str) -> str:
    return str(PHOTO_REVIEW_LABELS.get(review, review))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def event_label(event) -> str:
    if event.kind == EventKind.STATUS and event.actor_label == Role.MONITOR:
        return str(_l("Fix disputed by civil society: reopened"))
    if event.kind == EventKind.STATUS:
        return str(_l("Status changed to: %(status)s", status=status_label(event.to_status)))
    if event.kind == EventKind.ESCALATED and event.details:
        return str(ESCALATION_LABELS.get(event.details.get("level"), event.kind))
    if event.kind == EventKind.MODERATED and event.details:
        return str(MODERATION_LABELS.get(event.details.get("action"), EVENT_LABELS[event.kind]))
    if event.kind == EventKind.INCIDENT and event.details:
        step = event.details.get("step")
        if step in INCIDENT_TICKET_LABELS:
            return str(INCIDENT_TICKET_LABELS[step])
    return str(EVENT_LABELS.get(event.kind, event.kind))


def moderation_action_label(action: str) -> str:
    return str(MODERATION_LABELS.get(action, action))


def text_moderation_label(state: str | None) -> str:
    return str(TEXT_MODERATION_LABELS.get(state, "")) if state else ""


def incident_status_label(status: str) -> str:
    return str(INCIDENT_STATUS_LABELS.get(status, status))


def incident_event_label(kind: str) -> str:
    return str(INCIDENT_EVENT_LABELS.get(kind, kind))


def incident_action_label(action: str) -> str:
    return str(INCIDENT_ACTION_LABELS.get(action, action))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def delivery_label(status: str) -> str:
    return str(DELIVERY_LABELS.get(status, status))


def withheld_label(reason: str) -> str:
    """Why an SMS was held back, for admins."""
    return _with_limit(WITHHELD_LABELS, reason, {})


def receipt_withheld_label(reason: str, reference: str) -> str:
    """Why no SMS goes to the number just given on /report, for the person who gave it."""
    values = {"reference": reference, "short_code": current_app.config["SMS_PUBLIC_NUMBER"]}
    return _with_limit(RECEIPT_WITHHELD_LABELS, reason, values)


def _with_limit(labels: dict, reason: str, values: dict) -> str:
    if reason not in labels:
        return reason
    text, limit = labels[Withheld(reason)]
    return str(text) % {**values, "count": current_app.config[limit] if limit else ""}


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def triage_reason_label(reason: str | None) -> str:
    """The stored routing reason (feedback.domain.routing), in the reader's language."""
    if not reason:
        return ""
    if reason == "category not recognised":
        return str(_l("The kind of problem was not recognised"))
    if reason.startswith("no routing rule for category "):
        category = reason.removeprefix("no routing rule for category ")
        return str(_l("No routing rule for %(category)s", category=category))
    if reason == "waiting for the citizen's answer":
        return str(_l("Waiting for the citizen's answer"))
    return reason
