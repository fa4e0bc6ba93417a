"""The area hierarchy as the database holds it: which areas lie inside which."""

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Area


def area_ids_within(area_ids: list[int]) -> list[int]:
    """These areas and every area inside them, at any depth."""
    found, frontier = list(area_ids), list(area_ids)
    while frontier:
        frontier = list(db.session.scalars(sa.select(Area.id).where(Area.parent_id.in_(frontier))))
        found.extend(frontier)
    return found


def area_and_descendant_ids(code: str) -> list[int]:
    """The area with this code and every area inside it; none for an unknown code."""
    root = db.session.scalar(sa.select(Area.id).where(Area.code == code))
    return area_ids_within([root]) if root is not None else []
