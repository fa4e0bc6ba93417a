"""The administrator's use cases: the triage queue of unroutable tickets, staff accounts and
the reference data (directorates, categories, areas, routing rules).

Each change is one transaction. A change to categories, areas or routing rules bumps the
reference data version in that same transaction, so every process rebuilds its SMS parser.
A change the data cannot take raises Refused, naming the form field to blame, and changes
nothing."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from feedback.domain import sla
from feedback.domain.outbox import SmsState
from feedback.domain.phone import bare_number
from feedback.domain.text import index_word, normalise_arabic, words
from feedback.extensions import Model, db
from feedback.models import (
    Area,
    Category,
    Directorate,
    NumberBlock,
    Outbox,
    RoutingRule,
    Ticket,
    TicketEvent,
    User,
    utcnow,
)
from feedback.services.accounts import create_user, end_sessions
from feedback.services.areas import area_ids_within
from feedback.services.knowledge import reference_data_changed
from feedback.services.notify import queue_notice
from feedback.services.phones import active_block, lock_recipient

# Staff account changes with who made them; ticket changes are TicketEvents instead.
audit = logging.getLogger("feedback.audit")

TRIAGE_REASON = "assigned by admin from triage"
SLA_HOURS = (1, 2000)
# Basra governorate with a margin: a point outside is a typo (swapped lat/lon, a missing digit).
LAT_RANGE = (29.0, 31.5)
LON_RANGE = (46.5, 48.7)
KEYWORD_LISTS = ("ar", "en", "arabizi", "subjects")
CATEGORY_GROUPS = ("water", "electricity", "sanitation", "roads", "public-services", "environment")
# How far back the overview counts SMS that were not sent (held, dropped, failed).
NOT_SENT_RECENT = timedelta(days=7)


class Refused(Exception):
    """A change the data cannot take. `field` is the form field to blame (None: the whole
    form), `reason` a stable key the web layer words, `params` what the wording needs."""

    def __init__(self, field_name: str | None, reason: str, **params: Any) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason
        self.params = params


class NotFound(Exception):
    """No such ticket, user, directorate, category, area or rule."""


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _all_or_nothing(change: Callable[_P, _R]) -> Callable[_P, _R]:
    """A refused change leaves nothing behind: the transaction is rolled back and the error
    passed on."""

    @wraps(change)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return change(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return run


@dataclass(frozen=True)
class Overview:
    triage: int
    users: int
    active_users: int
    directorates: int
    categories: int
    active_categories: int
    areas: int
    rules: int
    sms_not_sent: int  # held back, dropped or failed within NOT_SENT_RECENT


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


@dataclass(frozen=True)
class NewUser:
    username: str
    name: str
    role: str
    password: str
    directorate_code: str | None = None
    organisation: str | None = None


def overview() -> Overview:
    """The counts on the admin home page."""

    def count(model: type[Model], *where: sa.ColumnExpressionArgument[bool]) -> int:
        query = sa.select(sa.func.count()).select_from(model)
        return db.session.scalar(query.where(*where)) or 0

    return Overview(
        triage=count(Ticket, *_in_triage()),
        users=count(User),
        active_users=count(User, User.active),
        directorates=count(Directorate),
        categories=count(Category),
        active_categories=count(Category, Category.active),
        areas=count(Area),
        rules=count(RoutingRule),
        sms_not_sent=count(Outbox, _not_sent(), Outbox.created_at >= utcnow() - NOT_SENT_RECENT),
    )


# ---------------------------------------------------------------- triage


def _in_triage() -> tuple[sa.ColumnElement[bool], ...]:
    return Ticket.directorate_id.is_(None), Ticket.awaiting.is_(None)


def triage_queue(limit: int = 500) -> list[Ticket]:
    """Tickets no rule could route (and no longer waiting for the citizen), oldest first."""
    return list(
        db.session.scalars(
            sa.select(Ticket)
            .where(*_in_triage())
            .options(joinedload(Ticket.category), joinedload(Ticket.area))
            .order_by(Ticket.created_at, Ticket.id)
            .limit(limit)
        )
    )


@_all_or_nothing
def assign_from_triage(
    admin_user: User, reference: str, directorate_code: str, category_code: str | None = None
) -> Ticket:
    """Route a triage ticket by hand: set its directorate (and maybe its category), record the
    routing and queue the citizen's notice; one commit."""
    ticket = db.session.scalar(
        sa.select(Ticket)
        .where(Ticket.reference == reference.strip().upper(), *_in_triage())
        .with_for_update()
    )
    if ticket is None:
        raise NotFound(reference)
    directorate = _by_code(Directorate, directorate_code)
    if directorate is None:
        raise Refused("directorate", "unknown_directorate")
    details = {"reason": TRIAGE_REASON, "directorate": directorate.code}
    if category_code:
        category = _by_code(Category, category_code)
        if category is None:
            raise Refused("category", "unknown_category")
        if category.id != ticket.category_id:
            ticket.category = category
            ticket.category_confidence = 1.0  # a person decided
            ticket.due_at = sla.due_at(ticket.created_at, category.sla_hours)
            details["category"] = category.code
    now = utcnow()
    ticket.directorate = directorate
    ticket.triage_reason = None
    ticket.updated_at = now
    ticket.events.append(
        TicketEvent(
            created_at=now, actor=admin_user, actor_label="admin", kind="routed", details=details
        )
    )
    queue_notice(ticket, "transferred")
    db.session.commit()
    return ticket


# ---------------------------------------------------------------- SMS not sent


def _not_sent() -> sa.ColumnElement[bool]:
    """Held back or dropped by the limits, or given up on after every retry (or refused by
    the network): what an admin must see, since the citizen was not told."""
    return sa.or_(
        Outbox.withheld.is_not(None),
        Outbox.status.in_((SmsState.FAILED, SmsState.UNDELIVERED)),
    )


def sms_not_sent(limit: int = 300) -> list[Outbox]:
    """Every SMS that did not go as written, newest first, with why: none goes silently."""
    return list(
        db.session.scalars(
            sa.select(Outbox)
            .where(_not_sent())
            .options(joinedload(Outbox.ticket))
            .order_by(Outbox.id.desc())
            .limit(limit)
        )
    )


def send_again(outbox_id: int) -> Outbox:
    """An admin sends a failed SMS again, once the gateway is back: a fresh set of attempts."""
    row = db.session.get(Outbox, outbox_id)
    if row is None or row.status not in (SmsState.FAILED, SmsState.UNDELIVERED):
        raise NotFound(outbox_id)
    row.status = SmsState.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    db.session.commit()
    return row


# ---------------------------------------------------------------- block list


def list_blocks(limit: int = 500) -> list[NumberBlock]:
    """Blocks in force first, then lifted ones; newest first in each."""
    return list(
        db.session.scalars(
            sa.select(NumberBlock)
            .options(joinedload(NumberBlock.blocked_by), joinedload(NumberBlock.unblocked_by))
            .order_by(NumberBlock.unblocked_at.is_not(None), NumberBlock.id.desc())
            .limit(limit)
        )
    )


@_all_or_nothing
def block_number(admin_user: User, number: str, reason: str) -> NumberBlock:
    """Block a number (E.164, already checked) for `reason`; a number is blocked once at a
    time, checked under the number's lock."""
    lock_recipient(number)
    if active_block(number) is not None:
        raise Refused("number", "already_blocked")
    block = NumberBlock(number=bare_number(number), reason=reason.strip(), blocked_by=admin_user)
    db.session.add(block)
    db.session.commit()
    return block


@_all_or_nothing
def unblock_number(admin_user: User, block_id: int) -> NumberBlock:
    """Lift a block; the record stays, with who lifted it and when."""
    block = db.session.get(NumberBlock, block_id, with_for_update=True)
    if block is None or block.unblocked_at is not None:
        raise NotFound(block_id)
    block.unblocked_at = utcnow()
    block.unblocked_by = admin_user
    db.session.commit()
    return block


# ---------------------------------------------------------------- users


def list_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).options(joinedload(User.directorate)).order_by(User.role, User.username)
        )
    )


@_all_or_nothing
def create_staff_user(new: NewUser) -> User:
    """A staff account through accounts.create_user; a taken username is refused on its field
    (other AccountErrors propagate with their own message)."""
    username = new.username.strip().lower()
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Refused("username", "username_taken")
    return create_user(
        username,
        new.name.strip(),
        new.role,
        new.password,
        new.directorate_code if new.role == "officer" else None,
        (new.organisation or "").strip() or None,
    )


@_all_or_nothing
def set_user_active(admin_user: User, user_id: int, active: bool) -> User:
    """Let a user log in again, or stop them; an admin never locks themselves out."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    if user.id == admin_user.id and not active:
        raise Refused(None, "deactivate_self")
    user.active = active
    end_sessions(user)  # a later reactivation must not revive sessions from before
    db.session.commit()
    return user


@_all_or_nothing
def sign_out_everywhere(admin_user: User, user_id: int) -> User:
    """End every session of a user (a lost laptop, a shared computer); they may log in
    again. Who did it goes to the audit log."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    end_sessions(user)
    db.session.commit()
    audit.info("%s signed %s out everywhere", admin_user.username, user.username)
    return user


# ---------------------------------------------------------------- directorates


def list_directorates() -> list[Directorate]:
    return list(db.session.scalars(sa.select(Directorate).order_by(Directorate.code)))


def find_directorate(code: str) -> Directorate:
    found = _by_code(Directorate, code)
    if found is None:
        raise NotFound(code)
    return found


@_all_or_nothing
def create_directorate(code: str, change: DirectorateChange) -> Directorate:
    code = code.strip().lower()
    if _by_code(Directorate, code) is not None:
        raise Refused("code", "code_taken")
    created = Directorate(code=code)
    _apply_directorate(created, change)
    db.session.add(created)
    _commit_or_refuse("code", "code_taken")
    return created


@_all_or_nothing
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


# ---------------------------------------------------------------- categories


def list_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.group, Category.code)))


def find_category(code: str) -> Category:
    found = _by_code(Category, code)
    if found is None:
        raise NotFound(code)
    return found


@_all_or_nothing
def create_category(code: str, group: str, change: CategoryChange) -> Category:
    code = code.strip().lower()
    if _by_code(Category, code) is not None:
        raise Refused("code", "code_taken")
    if group not in CATEGORY_GROUPS:
        raise Refused("group", "unknown_group")
    created = Category(code=code, group=group, description_en="", keywords={})
    _apply_category(created, change)
    db.session.add(created)
    reference_data_changed()
    _commit_or_refuse("code", "code_taken")
    return created


@_all_or_nothing
def update_category(code: str, change: CategoryChange) -> Category:
    """Names, SLA, active and keywords; the parsers are rebuilt from the next message on."""
    found = find_category(code)
    _apply_category(found, change)
    reference_data_changed()
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
    that another category already has would make messages ambiguous."""
    before = {_keyword_key(w) for words_ in (target.keywords or {}).values() for w in words_}
    added = {
        _keyword_key(word): (name, word)
        for name, listed in keywords.items()
        for word in listed
        if _keyword_key(word) and _keyword_key(word) not in before
    }
    if not added:
        return
    query = sa.select(Category)
    if target.id is not None:
        query = query.where(Category.id != target.id)
    for other in db.session.scalars(query):
        for word in (w for listed in (other.keywords or {}).values() for w in listed):
            clash = added.get(_keyword_key(word))
            if clash is not None:
                name, mine = clash
                raise Refused(f"keywords_{name}", "keyword_taken", word=mine, category=other.code)


def _keyword_key(word: str) -> str:
    return " ".join(index_word(w) for w in words(normalise_arabic(word)))


# ---------------------------------------------------------------- areas


def list_areas() -> list[Area]:
    return list(
        db.session.scalars(
            sa.select(Area).options(joinedload(Area.parent)).order_by(Area.kind, Area.name_en)
        )
    )


def find_area(code: str) -> Area:
    found = _by_code(Area, code)
    if found is None:
        raise NotFound(code)
    return found


def parent_choices(code: str) -> list[Area]:
    """Areas that may become the parent of `code`: never itself or one of its descendants."""
    excluded = set(area_ids_within([find_area(code).id]))
    return [a for a in list_areas() if a.id not in excluded]


@_all_or_nothing
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


# ---------------------------------------------------------------- routing rules


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


@_all_or_nothing
def add_rule(category_code: str, area_code: str | None, directorate_code: str) -> RoutingRule:
    """One rule per (category, area or anywhere); the database's unique constraint does not
    see two NULL areas as equal, so that case is checked here."""
    found_category = _by_code(Category, category_code)
    if found_category is None:
        raise Refused("category", "unknown_category")
    found_area = None
    if area_code:
        found_area = _by_code(Area, area_code)
        if found_area is None:
            raise Refused("area", "unknown_area")
    found_directorate = _by_code(Directorate, directorate_code)
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
    _commit_or_refuse("area", "duplicate_rule")
    return rule


@_all_or_nothing
def change_rule(rule_id: int, directorate_code: str) -> RoutingRule:
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(rule_id)
    found_directorate = _by_code(Directorate, directorate_code)
    if found_directorate is None:
        raise Refused("directorate", "unknown_directorate")
    rule.directorate = found_directorate
    reference_data_changed()
    db.session.commit()
    return rule


@_all_or_nothing
def delete_rule(rule_id: int) -> None:
    """Without a rule the category's tickets there fall to a wider rule, or to triage."""
    rule = db.session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(rule_id)
    db.session.delete(rule)
    reference_data_changed()
    db.session.commit()


# ---------------------------------------------------------------- helpers


_Coded = TypeVar("_Coded", Directorate, Category, Area)


def _by_code(model: type[_Coded], code: str | None) -> _Coded | None:
    if not code:
        return None
    found: _Coded | None = db.session.scalar(sa.select(model).where(model.code == code))
    return found


def _unique(items: Iterable[str]) -> list[str]:
    """Stripped, without blanks or repeats, in the order given."""
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _commit_or_refuse(field_name: str, reason: str) -> None:
    """Commit; a unique constraint that a concurrent admin won first is a refusal, not a 500."""
    try:
        db.session.commit()
    except IntegrityError as error:
        raise Refused(field_name, reason) from error
