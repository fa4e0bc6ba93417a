"""The monthly reports leadership reads: one per directorate and a governorate summary ranking
them all, for a calendar month in Basra time.

The figures are the scorecards' (feedback.services.stats, with its definitions) over the
month's days in Basra time rather than UTC, so a complaint received at 01:00 on the 1st in
Basra counts in that month; away from midnight they equal /stats for the same dates. Besides
them, two lists as of the moment the report is made: the places with the most of the month's
complaints still open or past their deadline, and the directorate's complaints open longest.
Public data only: references, kinds of problem, places, counts and times."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa

from feedback.domain.lifecycle import OPEN_STATUSES
from feedback.domain.period import add_months, month_end
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, Ticket, UTCDateTime, utcnow
from feedback.models.escalations import Escalation
from feedback.services.rows import existing_by_code
from feedback.services.settings import settings
from feedback.services.stats import (
    GroupScore,
    InvalidPeriod,
    Scorecard,
    StatsQuery,
    empty_score,
    late,
    period_tickets,
    scorecard_by_definition,
)

# The month itself and the three before it.
MONTHS_COMPARED = 4
WORST_AREAS = 5
LONGEST_OPEN = 6  # with WORST_AREAS, what fits on the one A4 page beside the figures


@dataclass(frozen=True)
class MonthScore:
    month: date  # its first day
    score: GroupScore


@dataclass(frozen=True)
class AreaLine:
    """One place's share of the month's complaints to the directorate, as of the report."""

    name: str
    received: int
    still_open: int
    overdue: int


@dataclass(frozen=True)
class OpenTicket:
    reference: str
    category: str
    area: str
    received_at: datetime
    days_open: int


@dataclass(frozen=True)
class DirectorateReport:
    code: str
    name: str
    months: list[MonthScore]  # oldest first; the report's month last
    overdue: int  # its complaints open past their deadline now, whenever received
    worst_areas: list[AreaLine]
    longest_open: list[OpenTicket]
    generated_at: datetime

    @property
    def month(self) -> MonthScore:
        return self.months[-1]


@dataclass(frozen=True)
class GovernorateReport:
    month: date
    card: Scorecard  # every directorate, ranked
    places: dict[str, int]  # each ranked directorate's place, by code
    generated_at: datetime


def check_month(first: date, now: datetime | None = None) -> None:
    """InvalidPeriod for a month that has not begun in Basra: there is nothing to report."""
    today = (now or utcnow()).astimezone(settings().timezone).date()
    if first > today:
        raise InvalidPeriod("the month has not begun")


def month_scorecard(first: date, language: str, now: datetime | None = None) -> Scorecard:
    """Every directorate's scorecard for the month starting on `first`, its days in Basra
    time, ranked as /stats ranks by default (resolved within the deadline)."""
    query = StatsQuery(first, month_end(first), trend_all=True, zone=settings().timezone)
    return scorecard_by_definition(query, language, now)


def governorate_report(
    first: date, language: str, now: datetime | None = None
) -> GovernorateReport:
    """The summary: every directorate ranked for the month."""
    now = now or utcnow()
    check_month(first, now)
    card = month_scorecard(first, language, now)
    return GovernorateReport(first, card, places(card), now)


def directorate_report(
    code: str, first: date, language: str, now: datetime | None = None
) -> DirectorateReport:
    """One directorate's month beside the three before, its overdue backlog, worst places and
    longest open complaints; NotFound for an unknown directorate."""
    now = now or utcnow()
    directorate = existing_by_code(Directorate, code)
    check_month(first, now)
    months = [add_months(first, -back) for back in range(MONTHS_COMPARED - 1, -1, -1)]
    # One scorecard whose groups are the months: each ticket read once, whatever the span.
    query = StatsQuery(months[0], month_end(first), trend_all=True, zone=settings().timezone)
    card = scorecard_by_definition(query, language, now, _by_month(query, directorate.id, months))
    found = {group.key: group for group in card.groups}
    name = directorate.name(language)
    escalations = _escalations_by_month(directorate.id, months)
    return DirectorateReport(
        code=code,
        name=name,
        months=[
            MonthScore(
                month,
                replace(
                    found.get(month.isoformat()) or empty_score(code, name),
                    escalations=escalations.get(month.isoformat(), 0),
                ),
            )
            for month in months
        ],
        overdue=found[code].overdue if code in found else 0,
        worst_areas=_worst_areas(directorate.id, first, language, now),
        longest_open=_longest_open(directorate.id, first, language, now),
        generated_at=now,
    )


def _by_month(query: StatsQuery, directorate_id: int, months: list[date]) -> sa.CTE:
    """The directorate's tickets of the query's period, each keyed by the first day of its
    month (in Basra) instead of by directorate."""
    month = _month_key(Ticket.created_at, months)
    keyed = (
        period_tickets(query)
        .add_columns(month.label("month"))
        .where(Ticket.directorate_id == directorate_id)
        .subquery()
    )
    facts = [column for column in keyed.c if column.name not in ("group_key", "month")]
    return sa.select(*facts, keyed.c.month.label("group_key")).cte("scoped")


def _month_key(at: sa.orm.InstrumentedAttribute[datetime], months: list[date]) -> sa.Case[str]:
    """Which of the consecutive `months` (in Basra) a time falls in, as its first day; for
    times from the first month's start on."""
    return sa.case(
        *((at < sa.literal(_bounds(m)[1], UTCDateTime()), m.isoformat()) for m in months)
    )


def _escalations_by_month(directorate_id: int, months: list[date]) -> dict[str, int]:
    """The directorate's escalations in each month (Basra time), by the month's first day:
    counted when they happened, as the scorecards count them."""
    month = _month_key(Escalation.created_at, months)
    rows = db.session.execute(
        sa.select(month.label("month"), sa.func.count(Escalation.id))
        .where(
            Escalation.directorate_id == directorate_id,
            Escalation.created_at >= sa.literal(_bounds(months[0])[0], UTCDateTime()),
            Escalation.created_at < sa.literal(_bounds(months[-1])[1], UTCDateTime()),
        )
        .group_by(month)
    )
    return {key: count for key, count in rows}


def places(card: Scorecard) -> dict[str, int]:
    """The place of each directorate with a figure for the card's ranking measure (1: best);
    those without one (nothing answered yet) and the unrouted tickets have none."""
    ranked = [g for g in card.groups if g.key and g.value(card.query.sort) is not None]
    return {group.key: place for place, group in enumerate(ranked, 1)}


def directorate_codes() -> list[str]:
    """Every directorate's code, in code order (the CLI's choices, the summary's pages)."""
    return list(db.session.scalars(sa.select(Directorate.code).order_by(Directorate.code)))


def _bounds(first: date) -> tuple[datetime, datetime]:
    """The month's first and next month's first midnight in Basra, as UTC-aware datetimes."""
    zone = settings().timezone
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    following = add_months(first, 1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start, end


def _received_in(directorate_id: int, first: date) -> list[sa.ColumnElement[bool]]:
    start, end = _bounds(first)
    return [
        Ticket.directorate_id == directorate_id,
        Ticket.created_at >= sa.literal(start, UTCDateTime()),
        Ticket.created_at < sa.literal(end, UTCDateTime()),
    ]


def _worst_areas(directorate_id: int, first: date, language: str, now: datetime) -> list[AreaLine]:
    """The places with the most of the month's complaints past their deadline now, then
    still open; places with neither are left out."""
    still_open = Ticket.status.in_([status.value for status in OPEN_STATUSES])
    overdue = sa.func.sum(sa.case((late(now), 1), else_=0)).label("overdue")
    opened = sa.func.sum(sa.case((still_open, 1), else_=0)).label("still_open")
    rows = db.session.execute(
        sa.select(Ticket.area_id, sa.func.count().label("received"), opened, overdue)
        .where(*_received_in(directorate_id, first), Ticket.area_id.is_not(None))
        .group_by(Ticket.area_id)
        .having(opened > 0)
        .order_by(overdue.desc(), opened.desc(), sa.func.count().desc(), Ticket.area_id)
        .limit(WORST_AREAS)
    ).all()
    areas = {
        area.id: area
        for area in db.session.scalars(sa.select(Area).where(Area.id.in_([r[0] for r in rows])))
    }
    return [
        AreaLine(areas[area_id].name(language), received, int(still), int(late_ones))
        for area_id, received, still, late_ones in rows
    ]


def _longest_open(
    directorate_id: int, first: date, language: str, now: datetime
) -> list[OpenTicket]:
    """The directorate's complaints received by the month's end and open now, oldest first."""
    _, end = _bounds(first)
    rows = db.session.execute(
        sa.select(Ticket.reference, Ticket.created_at, Category, Area)
        .outerjoin(Category, Ticket.category_id == Category.id)
        .outerjoin(Area, Ticket.area_id == Area.id)
        .where(
            Ticket.directorate_id == directorate_id,
            Ticket.status.in_([status.value for status in OPEN_STATUSES]),
            Ticket.created_at < sa.literal(end, UTCDateTime()),
        )
        .order_by(Ticket.created_at, Ticket.id)
        .limit(LONGEST_OPEN)
    )
    return [
        OpenTicket(
            reference,
            category.name(language) if category else "",
            area.name(language) if area else "",
            received_at,
            (now - received_at).days,
        )
        for reference, received_at, category, area in rows
    ]
