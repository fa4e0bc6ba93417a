"""Escalations (issue 15): the late and not-fixed tickets sent up to a directorate's managers
or the governor's office, as a page and as the daily digest's email; thin adapters to
feedback.services.escalations."""

from flask import Blueprint, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from feedback.domain.escalation import EscalationReason
from feedback.domain.roles import ESCALATION_ROLES
from feedback.services.escalations import Digest, escalations_for
from feedback.web.labels import ESCALATION_LABELS, status_label
from feedback.web.roles import role_required

bp = Blueprint("escalations", __name__)

REASON_LABELS: dict[str, object] = {
    EscalationReason.OVERDUE: _l("Past its deadline"),
    EscalationReason.NOT_FIXED: _l("The citizen said it is not fixed"),
}


@bp.get("/officer/escalations")
@role_required(*ESCALATION_ROLES)
def index():
    """A manager's directorate's escalations; the governorate's (and admins') of every one."""
    return render_template(
        "officer/escalations.html",
        page=escalations_for(current_user),
        level_labels=ESCALATION_LABELS,
        reason_labels=REASON_LABELS,
        status_label=status_label,
    )


def digest_email(digest: Digest) -> tuple[str, str]:
    """The digest's subject and plain-text body, in Arabic then English (staff accounts have
    no language of their own). Needs a request context for its links."""
    parts = []
    for language in ("ar", "en"):
        with force_locale(language):
            parts.append(
                render_template(
                    "email/escalation_digest.txt",
                    digest=digest,
                    lang=language,
                    level_labels=ESCALATION_LABELS,
                    reason_labels=REASON_LABELS,
                )
            )
            if language == "en":
                subject = _("New escalations: %(count)s", count=len(digest.escalations))
    return subject, "\n\n".join(parts)
