"""Learning from officers: every change a person makes to a ticket's category or directorate
is kept as a labelled example (the one place one is recorded)."""

from datetime import datetime

from feedback.domain.corrections import CorrectionKind
from feedback.extensions import db
from feedback.models import Ticket, User
from feedback.models.corrections import Correction


def codes_of(ticket: Ticket) -> tuple[str | None, str | None]:
    """The ticket's category and directorate codes, as a correction records them."""
    return (
        ticket.category.code if ticket.category else None,
        ticket.directorate.code if ticket.directorate else None,
    )


def record_correction(
    ticket: Ticket,
    kind: CorrectionKind,
    user: User,
    before: tuple[str | None, str | None],
    at: datetime,
) -> Correction:
    """Keep what `user` changed, in the caller's transaction: the ticket's category and
    directorate `before` (codes_of, read before the change) and after (as it is now)."""
    old_category, old_directorate = before
    new_category, new_directorate = codes_of(ticket)
    correction = Correction(
        ticket=ticket,
        text=ticket.original_text,
        kind=kind.value,
        old_category=old_category,
        new_category=new_category,
        old_directorate=old_directorate,
        new_directorate=new_directorate,
        user=user,
        at=at,
    )
    db.session.add(correction)
    return correction
