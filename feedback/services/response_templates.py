"""Response templates: admins keep each directorate's ready answers (one transaction per
change); officers are offered the active ones of the ticket's directorate, in its language."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.extensions import db
from feedback.models import Directorate, Ticket, utcnow
from feedback.models.incidents import Incident
from feedback.models.responses import ResponseTemplate
from feedback.services.errors import NotFound, Refused, all_or_nothing
from feedback.services.rows import by_code


@dataclass(frozen=True)
class TemplateChange:
    directorate_code: str
    title: str
    body_ar: str
    body_en: str


def list_templates() -> list[ResponseTemplate]:
    """Every template, active or not, by directorate then title."""
    return list(
        db.session.scalars(
            sa.select(ResponseTemplate)
            .join(ResponseTemplate.directorate)
            .options(joinedload(ResponseTemplate.directorate))
            .order_by(Directorate.code, ResponseTemplate.title, ResponseTemplate.id)
        )
    )


def find_template(template_id: int) -> ResponseTemplate:
    found = db.session.get(ResponseTemplate, template_id)
    if found is None:
        raise NotFound(template_id)
    return found


@all_or_nothing
def create_template(change: TemplateChange) -> ResponseTemplate:
    created = ResponseTemplate(active=True)
    _apply(created, change)
    db.session.add(created)
    db.session.commit()
    return created


@all_or_nothing
def update_template(template_id: int, change: TemplateChange) -> ResponseTemplate:
    found = find_template(template_id)
    _apply(found, change)
    db.session.commit()
    return found


@all_or_nothing
def set_template_active(template_id: int, active: bool) -> ResponseTemplate:
    """Retire a template (kept, offered to nobody) or bring it back."""
    found = find_template(template_id)
    found.active = active
    found.updated_at = utcnow()
    db.session.commit()
    return found


def _apply(target: ResponseTemplate, change: TemplateChange) -> None:
    directorate = by_code(Directorate, change.directorate_code)
    if directorate is None:
        raise Refused("directorate", "unknown_directorate")
    target.directorate = directorate
    target.title = change.title.strip()
    target.body_ar = change.body_ar.strip()
    target.body_en = change.body_en.strip()
    target.updated_at = utcnow()


def templates_for(directorate_id: int | None) -> list[ResponseTemplate]:
    """The active templates an officer may pick for a ticket of this directorate."""
    if directorate_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(ResponseTemplate)
            .where(ResponseTemplate.directorate_id == directorate_id, ResponseTemplate.active)
            .order_by(ResponseTemplate.title, ResponseTemplate.id)
        )
    )


def template_for(work: Ticket | Incident, template_id: int) -> ResponseTemplate:
    """An active template of the ticket's or incident's directorate; NotFound for any other."""
    found = db.session.get(ResponseTemplate, template_id)
    if found is None or not found.active or found.directorate_id != work.directorate_id:
        raise NotFound(template_id)
    return found
