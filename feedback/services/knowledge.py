"""The reference data (categories, places, routing rules) turned into the domain's parsers,
built once per process and rebuilt when the data's version number moves."""

import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.domain.classify import Classifier
from feedback.domain.locate import Gazetteer, Place
from feedback.domain.routing import Rule
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, ReferenceDataVersion, RoutingRule, utcnow
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


_cache: dict[tuple[str, int], Knowledge] = {}
_cache_lock = threading.Lock()


def load_knowledge() -> Knowledge:
    """The parsers for the reference data as it is now; one cheap query when unchanged."""
    version = db.session.scalar(sa.select(ReferenceDataVersion.version)) or 0
    key = (db.engine.url.render_as_string(), version)
    with _cache_lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = build_knowledge()
        return _cache[key]


def reference_data_changed() -> None:
    """Call in the transaction that changes categories, places or routing rules."""
    row = db.session.get(ReferenceDataVersion, 1)
    if row is None:
        db.session.add(ReferenceDataVersion(id=1, version=1))
    else:
        row.version += 1
        row.changed_at = utcnow()


def build_knowledge() -> Knowledge:
    """Build the parsers from the database as it is now."""
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
