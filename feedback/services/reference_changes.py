"""The admin's changes to the reference data: directorates, categories (with their keywords),
areas and routing rules. Each is one transaction; a change to categories, areas or rules bumps
the reference data version in that same transaction, so every process rebuilds its SMS parser."""

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.domain.text import detect_language, keyword_key
from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    RoutingRule,
)
from feedback.services.areas import area_ids_within
from feedback.services.errors import NotFound, Refused, all_or_nothing, commit_or_refuse
from feedback.services.parser_cache import reference_data_changed
from feedback.services.rows import by_code, existing_by_code

SLA_HOURS = (1, 2000)
# Basra governorate with a margin: a point outside is a typo (swapped lat/lon, a missing digit).
LAT_RANGE = (29.0, 31.5)
LON_RANGE = (46.5, 48.7)
KEYWORD_LISTS = ("ar", "en", "arabizi", "subjects", "generic")
# Generic words (cut, smell, broken) are shared: the service a message names decides. The
# categories a category's words also name ("shares") are codes, not words.
SHARED_KEYWORD_LISTS = frozenset({"generic", "shares"})
OWNED_KEYWORD_LISTS = tuple(name for name in KEYWORD_LISTS if name not in SHARED_KEYWORD_LISTS)
# Words suggested by officers' corrections that an admin judged no keyword of the category:
# kept beside its lists, read by no parser, and never suggested for it again.
DISMISSED = "dismissed"
CATEGORY_GROUPS = ("water", "electricity", "sanitation", "roads", "public-services", "environment")


@dataclass(frozen=True)
class DirectorateChange:
    name_ar: str
    name_en: str
    description_en: str = ""


@dataclass(frozen=True)
class CategoryChange:
    name_ar: str
    name_en: str
    sla_hours: int
    active: bool
    # {"ar": [...], "en": [...], "arabizi": [...], "subjects": [...]}
    keywords: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AreaChange:
    name_ar: str
    name_en: str
    alt_names: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    parent_code: str | None = None


def list_directorates() -> list[Directorate]:
    return list(db.session.scalars(sa.select(Directorate).order_by(Directorate.code)))


def find_directorate(code: str) -> Directorate:
    return existing_by_code(Directorate, code)


@all_or_nothing
def create_directorate(code: str, change: DirectorateChange) -> Directorate:
    code = code.strip().lower()
    if by_code(Directorate, code) is not None:
        raise Refused("code", "code_taken")
    created = Directorate(code=code)
    _apply_directorate(created, change)
    db.session.add(created)
    commit_or_refuse("code", "code_taken")
    return created


@all_or_nothing
def update_directorate(code: str, change: DirectorateChange) -> Directorate:
    """Names and description; the code is what rules and data files refer to, so it stays."""
    found = find_directorate(code)
    _apply_directorate(found, change)
    db.session.commit()
    return found


def _apply_directorate(target: Directorate, change: DirectorateChange) -> None:
    target.name_ar = change.name_ar.strip()
    target.name_en = change.name_en.strip()
    target.description_en = (change.description_en or "").strip()


def list_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.group, Category.code)))


def find_category(code: str) -> Category:
    return existing_by_code(Category, code)


@all_or_nothing
def create_category(code: str, group: str, change: CategoryChange) -> Category:
    code = code.strip().lower()
    if by_code(Category, code) is not None:
        raise Refused("code", "code_taken")
    if group not in CATEGORY_GROUPS:
        raise Refused("group", "unknown_group")
    created = Category(code=code, group=group, description_en="", keywords={})
    _apply_category(created, change)
    db.session.add(created)
    reference_data_changed()
    commit_or_refuse("code", "code_taken")
    return created


@all_or_nothing
def update_category(code: str, change: CategoryChange) -> Category:
    """Names, SLA, active and keywords; the parsers are rebuilt from the next message on."""
    found = find_category(code)
    _apply_category(found, change)
    reference_data_changed()
    db.session.commit()
    return found


def add_keyword(code: str, word: str) -> Category:
    """An admin accepts a keyword suggested by officers' corrections: it joins the category's
    Arabic or English list by its script, through the same checks as any edit (refused when
    another category has it), and the parsers are rebuilt from the next message on."""
    found = find_category(code)
    keywords = {name: list((found.keywords or {}).get(name, ())) for name in KEYWORD_LISTS}
    keywords[detect_language(word)].append(word)
    change = CategoryChange(found.name_ar, found.name_en, found.sla_hours, found.active, keywords)
    return update_category(code, change)


def dismiss_suggestion(code: str, word: str) -> Category:
    """An admin judges a suggested word no keyword of the category. The parsers are not
    rebuilt: nothing they read has changed."""
    found = find_category(code)
    dismissed = list((found.keywords or {}).get(DISMISSED, ()))
    # A new dict, so the JSON column sees the change.
    found.keywords = {**(found.keywords or {}), DISMISSED: _unique([*dismissed, word.strip()])}
    db.session.commit()
    return found


def _apply_category(target: Category, change: CategoryChange) -> None:
    if not SLA_HOURS[0] <= change.sla_hours <= SLA_HOURS[1]:
        raise Refused("sla_hours", "sla_out_of_range", low=SLA_HOURS[0], high=SLA_HOURS[1])
    keywords = {name: _unique(change.keywords.get(name, ())) for name in KEYWORD_LISTS}
    _refuse_keywords_of_others(target, keywords)
    target.name_ar = change.name_ar.strip()
    target.name_en = change.name_en.strip()
    target.sla_hours = change.sla_hours
    target.active = change.active
    # A new dict, so the JSON column sees the change; keys we do not edit are kept.
    target.keywords = {**(target.keywords or {}), **keywords}


def _refuse_keywords_of_others(target: Category, keywords: dict[str, list[str]]) -> None:
    """A keyword belongs to one category only (see categories.yaml); a word newly added here
    that another category already has would make messages ambiguous. Generic words are
    shared by design."""
    before = {
        keyword_key(word)
        for name in KEYWORD_LISTS
        for word in (target.keywords or {}).get(name, ())
    }
    added = {
        keyword_key(word): (name, word)
        for name, listed in keywords.items()
        if name in OWNED_KEYWORD_LISTS
        for word in listed
        if keyword_key(word) and keyword_key(word) not in before
    }
    if not added:
        return
    query = sa.select(Category)
    if target.id is not None:
        query = query.where(Category.id != target.id)
    for other in db.session.scalars(query):
        stored = other.keywords or {}
        for word in (w for name in OWNED_KEYWORD_LISTS for w in stored.get(name, ())):
            clash = added.get(keyword_key(word))
            if clash is not None:
                name, mine = clash
                raise Refused(f"keywords_{name}", "keyword_taken", word=mine, category=other.code)


def list_areas() -> list[Area]:
    return list(
        db.session.scalars(
            sa.select(Area).options(joinedload(Area.parent)).order_by(Area.kind, Area.name_en)
        )
    )


def find_area(code: str) -> Area:
    return existing_by_code(Area, code)


def parent_choices(code: str) -> list[Area]:
    """Areas that may become the parent of `code`: never itself or one of its descendants."""
    excluded = set(area_ids_within([find_area(code).id]))
    return [a for a in list_areas() if a.id not in excluded]


@all_or_nothing
def update_area(code: str, change: AreaChange) -> Area:
    """Names, spelling variants, point and parent; the gazetteer is rebuilt from them."""
    found = find_area(code)
    if (change.lat is None) != (change.lon is None):
        missing = "lon" if change.lon is None else "lat"
        raise Refused(missing, "point_incomplete")
    if change.lat is not None and change.lon is not None:
        if not LAT_RANGE[0] <= change.lat <= LAT_RANGE[1]:
            raise Refused("lat", "lat_outside", low=LAT_RANGE[0], high=LAT_RANGE[1])
        if not LON_RANGE[0] <= change.lon <= LON_RANGE[1]:
            raise Refused("lon", "lon_outside", low=LON_RANGE[0], high=LON_RANGE[1])
    parent = None
    if change.parent_code:
        parent = next((a for a in parent_choices(code) if a.code == change.parent_code), None)
        if parent is None:
            raise Refused("parent", "parent_loop")
    found.name_ar = change.name_ar.strip()
    found.name_en = change.name_en.strip()
    found.alt_names = _unique(change.alt_names)
    if (found.lat, found.lon) != (change.lat, change.lon):
        found.lat, found.lon = change.lat, change.lon
        found.point_confidence = "high" if change.lat is not None else None
        found.point_source = "set by an administrator" if change.lat is not None else ""
    found.parent = parent
    reference_data_changed()
    db.session.commit()
    return found


def list_rules() -> list[RoutingRule]:
    """Rules by category, the any-area rule first."""
    return list(
        db.session.scalars(
            sa.select(RoutingRule)
            .join(Category, RoutingRule.category_id == Category.id)
            .outerjoin(Area, RoutingRule.area_id == Area.id)
            .options(
                joinedload(RoutingRule.category),
                joinedload(RoutingRule.area),
                joinedload(RoutingRule.directorate),
            )
            .order_by(Category.code, Area.code.is_not(None), Area.name_en)
        )
    )


@all_or_nothing
def add_rule(category_code: str, area_code: str | None, directorate_code: str) -> RoutingRule:
    """One rule per (category, area or anywhere); the database's unique constraint does not
    see two NULL areas as equal, so that case is checked here."""
    found_category = by_code(Category, category_code)
    if found_category is None:
        raise Refused("category", "unknown_category")
    found_area = None
    if area_code:
        found_area = by_code(Area, area_code)
        if found_area is None:
            raise Refused("area", "unknown_area")
    found_directorate = by_code(Directorate, directorate_code)
    if found_directorate is None:
        raise Refused("directorate", "unknown_directorate")
    same_area = (
        RoutingRule.area_id.is_(None)
        if found_area is None
        else RoutingRule.area_id == found_area.id
    )
    taken = db.session.scalar(
        sa.select(RoutingRule.id).where(RoutingRule.category_id == found_category.id, same_area)
    )
    if taken is not None:
        raise Refused("area", "duplicate_rule")
    rule = RoutingRule(category=found_category, area=found_area, directorate=found_directorate)
    db.session.add(rule)
    reference_data_changed()
    commit_or_refuse("area", "duplicate_rule")
    return rule


@all_or_nothing
def change_rule(rule_id: int, directorate_code: str) -> RoutingRule:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(rule_id)
    found_directorate = by_code(Directorate, directorate_code)
    if found_directorate is None:
        raise Refused("directorate", "unknown_directorate")
    rule.directorate = found_directorate
    reference_data_changed()
    db.session.commit()
    return rule


@all_or_nothing
def delete_rule(rule_id: int) -> None:
    """Without a rule the category's tickets there fall to a wider rule, or to triage."""
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(rule_id)
    db.session.delete(rule)
    reference_data_changed()
    db.session.commit()


def _unique(items: Iterable[str]) -> list[str]:
    """Stripped, without blanks or repeats, in the order given."""
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)
