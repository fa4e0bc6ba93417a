"""The reference data (categories, places, routing rules) turned into the domain's parsers."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.domain.classify import Classifier
from feedback.domain.locate import Gazetteer, Place
from feedback.domain.routing import Rule
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, RoutingRule
from feedback.reference_data import keywords_of


@dataclass(frozen=True)
class Knowledge:
    classifier: Classifier
    gazetteer: Gazetteer
    rules: list[Rule]


def place_from_area(area: Area) -> Place:
    names = (area.name_ar, area.name_en, *area.alt_names)
    parent = area.parent.code if area.parent else None
    return Place(area.code, area.kind, names, area.lat, area.lon, area.polygon, parent)


def load_knowledge() -> Knowledge:
    """Build the parsers from the database as it is now (admins may have edited it)."""
    categories = db.session.scalars(sa.select(Category).where(Category.active)).all()
    classifier = Classifier(
        [keywords_of(c.code, c.name_ar, c.name_en, c.keywords) for c in categories]
    )
    areas = db.session.scalars(sa.select(Area).options(joinedload(Area.parent)))
    gazetteer = Gazetteer([place_from_area(a) for a in areas])
    rule_rows = db.session.execute(
        sa.select(Category.code, Area.code, Directorate.code)
        .select_from(RoutingRule)
        .join(Category, RoutingRule.category_id == Category.id)
        .join(Directorate, RoutingRule.directorate_id == Directorate.id)
        .outerjoin(Area, RoutingRule.area_id == Area.id)
    )
    rules = [Rule(category, area, directorate) for category, area, directorate in rule_rows]
    return Knowledge(classifier, gazetteer, rules)
