"""Bulk actions on the officer's queue (issue 14): acknowledge, transfer or add to an incident
many tickets at once. plan_bulk reads what the action would do to each selected ticket, for
the one confirmation page; apply_bulk does it in one transaction, all or nothing.

A selected ticket the action does not fit (acknowledged already, closed, in an incident) is
never skipped in silence: the confirmation page names it and why, and only the tickets that
fit are confirmed. Should one of those no longer fit when the officer confirms (a colleague
acted meanwhile), nothing at all changes and the refusal names it."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from feedback.domain import bulk as rule
from feedback.domain.bulk import BulkAction, Misfit
from feedback.domain.incidents import TAKES_REPORTS
from feedback.domain.lifecycle import Status
from feedback.domain.roles import DIRECTORATE_ROLES
from feedback.extensions import db
from feedback.models import Directorate, Ticket, User, utcnow
from feedback.models.incidents import Incident
from feedback.models.responses import ResponseTemplate
from feedback.services.casework import may_work_on, move_to
from feedback.services.errors import NotFound, Refused, all_or_nothing
from feedback.services.incident_work import put_in_incident
from feedback.services.response_templates import template_for
from feedback.services.rows import by_code
from feedback.services.ticket_status import change_status

# Why a ticket an officer added by hand is in its incident (Ticket.incident_reason).


@dataclass(frozen=True)
class BulkRequest:
    action: BulkAction
    references: tuple[str, ...]
    public_message: str = ""  # for every ticket; else the template's, in each one's language
    template_id: int | None = None
    directorate_code: str | None = None  # where a transfer goes
    incident_id: int | None = None  # what tickets are added to


@dataclass(frozen=True)
class Planned:
    ticket: Ticket
    message: str  # what its citizen is texted; "" nothing
    misfit: Misfit | None


@dataclass(frozen=True)
class BulkPlan:
    request: BulkRequest
    rows: list[Planned]
    directorate: Directorate | None  # a transfer's target
    incident: Incident | None

    @property
    def fitting(self) -> list[Planned]:
        return [row for row in self.rows if row.misfit is None]

    @property
    def misfits(self) -> list[Planned]:
        return [row for row in self.rows if row.misfit is not None]


def plan_bulk(user: User, request: BulkRequest, lock: bool = False) -> BulkPlan:
    """What the action would do to each selected ticket, changing nothing. NotFound when one
    is not the user's to work on (as for a single ticket); Refused for an unusable choice."""
    tickets = _selected(user, request.references, lock)
    directorate = incident = None
    if request.action is BulkAction.TRANSFER:
        directorate = by_code(Directorate, request.directorate_code)
        if directorate is None:
            raise Refused("directorate", "unknown_directorate")
    if request.action is BulkAction.ADD_TO_INCIDENT:
        incident = _incident(user, request.incident_id, lock)
    if incident is not None and (request.public_message.strip() or request.template_id):
        raise Refused("public_message", "no_message_for_incident")
    template = _template(tickets, request.template_id)
    target = directorate.id if directorate else incident.directorate_id if incident else None
    rows = []
    for ticket in tickets:
        message = request.public_message.strip() or (
            template.body(ticket.language) if template else ""
        )
        if request.action in rule.NEEDS_MESSAGE and not message:
            raise Refused("public_message", "message_needed")
        selected = rule.Selected(ticket.status, ticket.directorate_id, ticket.incident_id)
        misfit = rule.misfit(request.action, selected, target, incident.id if incident else None)
        rows.append(Planned(ticket, message, misfit))
    return BulkPlan(request, rows, directorate, incident)


@all_or_nothing
def apply_bulk(user: User, request: BulkRequest) -> BulkPlan:
    """The action on every selected ticket, with each one's event and SMS, in one transaction;
    Refused(None, "no_longer_fits") and nothing changed when one of them no longer fits."""
    plan = plan_bulk(user, request, lock=True)
    if plan.misfits:
        references = ", ".join(row.ticket.reference for row in plan.misfits)
        raise Refused(None, "no_longer_fits", references=references)
    now = utcnow()
    for row in plan.rows:
        if request.action is BulkAction.ACKNOWLEDGE:
            change_status(row.ticket, Status.ACKNOWLEDGED, user, row.message, at=now)
        elif request.action is BulkAction.TRANSFER:
            assert plan.directorate is not None  # planned
            move_to(row.ticket, user, plan.directorate, row.message, now)
        else:
            assert plan.incident is not None  # planned
            put_in_incident(user, row.ticket, plan.incident, now)
    db.session.commit()
    return plan


def open_incidents(user: User) -> list[Incident]:
    """The incidents still taking reports that the user may add tickets to, newest first."""
    query = (
        sa.select(Incident)
        .where(Incident.status.in_([status.value for status in TAKES_REPORTS]))
        .options(selectinload(Incident.category), selectinload(Incident.areas))
        .order_by(Incident.id.desc())
    )
    if user.role in DIRECTORATE_ROLES:
        query = query.where(Incident.directorate_id == user.directorate_id)
    return list(db.session.scalars(query))


def _selected(user: User, references: tuple[str, ...], lock: bool) -> list[Ticket]:
    """The selected tickets in one read, locked in id order when asked (no deadlock between
    two officers' batches); NotFound unless every one is the user's to work on."""
    wanted = {reference.strip().upper() for reference in references if reference.strip()}
    if not wanted:
        raise Refused("ticket", "nothing_selected")
    if len(wanted) > rule.MAX_SELECTED:
        raise Refused("ticket", "too_many", limit=rule.MAX_SELECTED)
    query = sa.select(Ticket).where(Ticket.reference.in_(wanted)).order_by(Ticket.id)
    tickets = list(db.session.scalars(query.with_for_update() if lock else query))
    mine = [ticket for ticket in tickets if may_work_on(user, ticket)]
    if len(mine) != len(wanted):
        raise NotFound(sorted(wanted - {ticket.reference for ticket in mine}))
    return mine


def _incident(user: User, incident_id: int | None, lock: bool) -> Incident:
    """An incident still taking reports, of the officer's directorate; `lock` holds its row
    until commit, as acting on it does, so none is resolved while tickets are added."""
    query = sa.select(Incident).where(Incident.id == incident_id)
    incident = (
        db.session.scalar(query.with_for_update() if lock else query) if incident_id else None
    )
    if (
        incident is None
        or incident.status not in TAKES_REPORTS
        or (user.role in DIRECTORATE_ROLES and incident.directorate_id != user.directorate_id)
    ):
        raise Refused("incident", "unknown_incident")
    return incident


def _template(tickets: list[Ticket], template_id: int | None) -> ResponseTemplate | None:
    """The chosen template, usable for every selected ticket (its directorate's, active)."""
    if template_id is None:
        return None
    try:
        return [template_for(ticket, template_id) for ticket in tickets][0]
    except NotFound:
        raise Refused("template", "unknown_template") from None
