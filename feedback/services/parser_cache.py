"""The reference data (categories, places, routing rules, directorates) turned into the
domain's parsers and the few values intake writes and says, built once per process and
rebuilt when the data's version number moves: a message needs no query for any of it."""

import threading
from dataclasses import dataclass
from functools import cache, cached_property

import sqlalchemy as sa

from feedback.domain.classify import Classifier
from feedback.domain.learned import ExampleModel
from feedback.domain.locate import Gazetteer, Place
from feedback.domain.routing import Rule
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, ReferenceDataVersion, RoutingRule, utcnow
from feedback.reference_data import keywords_of, labelled_messages


class _Named:
    """A row named in Arabic and English, said in the citizen's language."""

    name_ar: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_ar if language == "ar" else self.name_en


@dataclass(frozen=True)
class CategoryRow(_Named):
    id: int
    code: str
    sla_hours: int
    name_ar: str
    name_en: str


@dataclass(frozen=True)
class DirectorateRow(_Named):
    id: int
    code: str
    name_ar: str
    name_en: str


@dataclass(frozen=True)
class Knowledge:
    classifier: Classifier
    gazetteer: Gazetteer  # every area, so its ancestors give an area's lineage
    rules: list[Rule]
    categories: dict[str, CategoryRow]  # every category, active or not, by code
    area_ids: dict[str, int]  # by code
    directorates: dict[str, DirectorateRow]  # by code

    def category_code(self, category_id: int | None) -> str | None:
        return self._category_codes.get(category_id)

    def area_code(self, area_id: int | None) -> str | None:
        return self._area_codes.get(area_id)

    def directorate(self, directorate_id: int | None) -> DirectorateRow | None:
        return self._directorates_by_id.get(directorate_id)

    def lineage(self, area_code: str | None) -> list[str]:
        """The area's code then its ancestors', most specific first (Area.lineage, in memory)."""
        return [area_code, *self.gazetteer.ancestors(area_code)] if area_code else []

    @cached_property
    def _category_codes(self) -> dict[int | None, str]:
        return {row.id: code for code, row in self.categories.items()}

    @cached_property
    def _area_codes(self) -> dict[int | None, str]:
        return {area_id: code for code, area_id in self.area_ids.items()}

    @cached_property
    def _directorates_by_id(self) -> dict[int | None, DirectorateRow]:
        return {row.id: row for row in self.directorates.values()}


_cache: dict[tuple[str, int], Knowledge] = {}
_cache_lock = threading.Lock()


def version_query() -> sa.Select[int]:
    """The reference data's version number (no row: never changed since the seed)."""
    return sa.select(ReferenceDataVersion.version)


def load_knowledge(version: int | None = None) -> Knowledge:
    """The parsers for the reference data as it is now: one cheap query when unchanged, none
    when the caller read the version already (intake, with what it knows of the sender)."""
    if version is None:
        version = db.session.scalar(version_query()) or 0
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


@cache
def learned_model(categories: frozenset[str]) -> ExampleModel:
    """The model of the labelled messages, for these active categories: the messages ship
    with the code, so it is trained once per process, not at each change of keywords."""
    return ExampleModel(labelled_messages(), categories)


def build_knowledge() -> Knowledge:
    """Build the parsers from the database as it is now."""
    # In a fixed order: where two categories tie, the classifier keeps the one it was given
    # first, and PostgreSQL returns rows unordered (an updated row moves to the end).
    categories = db.session.scalars(sa.select(Category).order_by(Category.id)).all()
    classifier = Classifier(
        [keywords_of(c.code, c.name_ar, c.name_en, c.keywords) for c in categories if c.active]
    )
    areas = db.session.scalars(sa.select(Area)).all()
    area_codes = {area.id: area.code for area in areas}
    gazetteer = Gazetteer(
        [
            _place(area, area_codes.get(area.parent_id) if area.parent_id is not None else None)
            for area in areas
        ]
    )
    rule_rows = db.session.execute(
        sa.select(Category.code, Area.code, Directorate.code)
        .select_from(RoutingRule)
        .join(Category, RoutingRule.category_id == Category.id)
        .join(Directorate, RoutingRule.directorate_id == Directorate.id)
        .outerjoin(Area, RoutingRule.area_id == Area.id)
    )
    rules = [Rule(category, area, directorate) for category, area, directorate in rule_rows]
    directorates = db.session.scalars(sa.select(Directorate))
    return Knowledge(
        classifier,
        gazetteer,
        rules,
        categories={
            c.code: CategoryRow(c.id, c.code, c.sla_hours, c.name_ar, c.name_en) for c in categories
        },
        area_ids={code: area_id for area_id, code in area_codes.items()},
        directorates={
            d.code: DirectorateRow(d.id, d.code, d.name_ar, d.name_en) for d in directorates
        },
    )


def _place(area: Area, parent: str | None) -> Place:
    names = (area.name_ar, area.name_en, *area.alt_names)
    return Place(area.code, area.kind, names, area.lat, area.lon, area.polygon, parent)
