"""Reference rows (directorates, categories, areas) found by their code, as people and forms
name them: None for an unknown code, or NotFound where one must exist."""

from typing import TypeVar

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Area, Category, Directorate
from feedback.services.errors import NotFound

Coded = TypeVar("Coded", Area, Category, Directorate)


def by_code(model: type[Coded], code: str | None) -> Coded | None:
    """The row of `model` with this code; None for no code or an unknown one."""
    if not code:
        return None
    return db.session.scalar(sa.select(model).where(model.code == code))


def existing_by_code(model: type[Coded], code: str) -> Coded:
    """The row of `model` with this code; NotFound when there is none."""
    found = by_code(model, code)
    if found is None:
        raise NotFound(code)
    return found
