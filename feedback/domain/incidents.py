"""Many tickets about one fault (issue 14): a new report joins an open incident of its category
in the same or a neighbouring place, or close by, recently; two such ungrouped reports form a
new incident. Staff see why each ticket joined; a report with no place never joins."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from feedback.domain.lifecycle import Status
from feedback.domain.locate import SPECIFICITY, Gazetteer, distance_km

Point = tuple[float, float]  # lat, lon


class IncidentStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    REJECTED = "rejected"  # not one fault after all, or not the directorate's


# An incident takes new reports until it is resolved or rejected.
TAKES_REPORTS = frozenset({IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED})


class Origin(StrEnum):
    GROUPED = "grouped"  # formed from citizens' reports
    DECLARED = "declared"  # an outage notice from the directorate


class IncidentEventKind(StrEnum):
    """A step on an incident's public timeline."""

    FORMED = "formed"
    DECLARED = "declared"
    ACKNOWLEDGED = "acknowledged"
    UPDATED = "updated"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    TICKET_ADDED = "ticket_added"  # by hand
    TICKET_REMOVED = "ticket_removed"  # a wrong join undone
    TRANSFERRED = "transferred"  # to another directorate, with its open tickets


class IncidentAction(StrEnum):
    """What an officer does to an incident once for all its tickets."""

    ACKNOWLEDGE = "acknowledge"
    UPDATE = "update"  # news for the reporters; no change of status
    RESOLVE = "resolve"
    REJECT = "reject"


# The incident's status after each action (None: unchanged), and the step its timeline records.
INCIDENT_TARGET: dict[IncidentAction, IncidentStatus | None] = {
    IncidentAction.ACKNOWLEDGE: IncidentStatus.ACKNOWLEDGED,
    IncidentAction.UPDATE: None,
    IncidentAction.RESOLVE: IncidentStatus.RESOLVED,
    IncidentAction.REJECT: IncidentStatus.REJECTED,
}
STEP_OF: dict[IncidentAction, IncidentEventKind] = {
    IncidentAction.ACKNOWLEDGE: IncidentEventKind.ACKNOWLEDGED,
    IncidentAction.UPDATE: IncidentEventKind.UPDATED,
    IncidentAction.RESOLVE: IncidentEventKind.RESOLVED,
    IncidentAction.REJECT: IncidentEventKind.REJECTED,
}
# What each action does to the incident's open tickets (None: an event, no change of status).
TICKET_TARGET: dict[IncidentAction, Status | None] = {
    IncidentAction.ACKNOWLEDGE: Status.ACKNOWLEDGED,
    IncidentAction.UPDATE: None,
    IncidentAction.RESOLVE: Status.RESOLVED,
    IncidentAction.REJECT: Status.REJECTED,
}
# Every reporter is told something they can read: an update, a resolution or a rejection.
NEEDS_MESSAGE = frozenset({IncidentAction.UPDATE, IncidentAction.RESOLVE, IncidentAction.REJECT})


class IncidentActionRefused(Exception):
    """An action the incident's status does not allow (`reason` "status"), or one without the
    public message it needs ("message"); nothing is changed."""

    def __init__(self, action: str, status: str, reason: str):
        super().__init__(f"cannot {action} an incident that is {status}: {reason}")
        self.action = action
        self.status = status
        self.reason = reason


def allowed_actions(status: str) -> list[IncidentAction]:
    """What may be done to an incident that is `status`: anything while it takes reports,
    acknowledging only once."""
    current = IncidentStatus(status)
    if current not in TAKES_REPORTS:
        return []
    return [
        action
        for action in IncidentAction
        if action is not IncidentAction.ACKNOWLEDGE or current is IncidentStatus.OPEN
    ]


def plan_action(action: str, status: str, has_message: bool) -> IncidentAction:
    """The action, if an incident that is `status` may take it; acting needs an incident that
    still takes reports, and acknowledging one not yet acknowledged."""
    try:
        chosen = IncidentAction(action)
    except ValueError:
        raise IncidentActionRefused(action, status, "status") from None
    if chosen not in allowed_actions(status):
        raise IncidentActionRefused(action, status, "status")
    if chosen in NEEDS_MESSAGE and not has_message:
        raise IncidentActionRefused(action, status, "message")
    return chosen


class Outcome(StrEnum):
    JOIN = "join"  # the report joins an open incident
    FORM = "form"  # the report and some ungrouped reports form a new incident
    ALONE = "alone"


class JoinReason(StrEnum):
    DECLARED_AREA = "declared_area"  # inside an area an outage notice names
    SAME_AREA = "same_area"
    NEIGHBOURING_AREA = "neighbouring_area"  # one small place holds both
    NEARBY = "nearby"  # points within the category's radius


@dataclass(frozen=True)
class GroupingRule:
    """How far one fault reaches and how long its reports keep coming."""

    radius_km: float
    window: timedelta
    whole_town: bool = False  # one fault can leave a whole town without the service


RULES = {
    "electricity-outage": GroupingRule(1.5, timedelta(hours=6), whole_town=True),  # a feeder
    "water-leak": GroupingRule(0.4, timedelta(hours=12)),  # a burst main: a few streets
    "water-supply": GroupingRule(1.5, timedelta(hours=24), whole_town=True),  # a pumping station
    "sewage-overflow": GroupingRule(0.5, timedelta(hours=24)),
}
DEFAULT_RULE = GroupingRule(0.3, timedelta(hours=3))
# Each report is its own problem (one building, one animal): nothing to group.
NEVER_GROUPED = frozenset({"health-facility", "school-building", "stray-animals"})
MIN_REPORTS = 2  # reports that make an incident
# Two reports that name only the city of Basra (41 neighbourhoods) are never one fault; those
# naming only a district or sub-district centre are one only for a fault that can leave a
# whole town without service (a feeder, a pumping station), not a burst main. Neighbourhoods,
# landmarks and points near each other still group.
CITY = "town-basra"
LARGE_TOWNS = frozenset(
    {
        "town-zubair", "town-qurna", "town-midaina", "town-faw", "town-abu-al-khaseeb",
        "town-umm-qasr", "town-safwan", "town-hartha",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Report:
    """A ticket waiting to be grouped, where and when it was reported."""

    ticket_id: int
    category: str
    area_code: str | None
    lat: float | None
    lon: float | None
    received_at: datetime


@dataclass(frozen=True)
class Incident:
    """Tickets about one fault; the centre stays where it was formed, so an incident does not
    creep across town one report at a time."""

    id: int
    category: str
    area_codes: frozenset[str]
    centre: Point | None
    opened_at: datetime
    last_report_at: datetime
    status: IncidentStatus = IncidentStatus.OPEN
    origin: Origin = Origin.GROUPED


@dataclass(frozen=True)
class Match:
    """Why a report goes with an incident or another report, in words shown to staff."""

    reason: JoinReason
    text: str


@dataclass(frozen=True)
class GroupingDecision:
    outcome: Outcome
    match: Match | None = None
    incident: Incident | None = None  # JOIN: the incident joined
    together_with: tuple[Report, ...] = ()  # FORM: the other reports of the new incident


ALONE = GroupingDecision(Outcome.ALONE)


def rule_for(category: str) -> GroupingRule | None:
    """The category's rule; None where grouping makes no sense."""
    return None if category in NEVER_GROUPED else RULES.get(category, DEFAULT_RULE)


def group_report(
    report: Report,
    incidents: Iterable[Incident],
    ungrouped: Iterable[Report],
    gazetteer: Gazetteer,
) -> GroupingDecision:
    """Join the open incident that matches best (same area, then neighbouring, then near; of
    equals the latest reported), else form one with the matching ungrouped reports, else stay
    alone."""
    rule = rule_for(report.category)
    point = point_of(report, gazetteer)
    if rule is None or (report.area_code is None and point is None):
        return ALONE
    places = _own_area(report)
    candidates = [
        (match, incident)
        for incident in incidents
        if incident.status in TAKES_REPORTS
        and incident.category == report.category
        and (
            incident.origin is Origin.DECLARED
            or _within(report.received_at, incident.last_report_at, rule)
        )
        and (
            match := _declared_match(report, incident, gazetteer)
            or _match(places, point, incident.area_codes, incident.centre, rule, gazetteer)
        )
    ]
    if candidates:
        match, incident = min(candidates, key=lambda found: _closeness(found[0], found[1]))
        return GroupingDecision(Outcome.JOIN, match, incident)
    others = [
        (match, other)
        for other in ungrouped
        if other.ticket_id != report.ticket_id
        and other.category == report.category
        and _within(report.received_at, other.received_at, rule)
        and (
            match := _match(
                places, point, _own_area(other), point_of(other, gazetteer), rule, gazetteer
            )
        )
    ]
    if len(others) + 1 < MIN_REPORTS:
        return ALONE
    match, _ = min(others, key=lambda found: _strength(found[0]))
    return GroupingDecision(Outcome.FORM, match, together_with=tuple(o for _, o in others))


def formed(incident_id: int, reports: Iterable[Report], gazetteer: Gazetteer) -> Incident:
    """The incident the reports of a FORM decision make; its centre the mean of their points."""
    reports = list(reports)
    points = [p for report in reports if (p := point_of(report, gazetteer)) is not None]
    centre = None
    if points:
        centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    times = [report.received_at for report in reports]
    return Incident(
        incident_id,
        reports[0].category,
        frozenset(code for report in reports for code in _own_area(report)),
        centre,
        opened_at=min(times),
        last_report_at=max(times),
    )


def joined(incident: Incident, report: Report) -> Incident:
    """The incident with the report in it: its area too, and the time of its latest report."""
    return replace(
        incident,
        area_codes=incident.area_codes | _own_area(report),
        last_report_at=max(incident.last_report_at, report.received_at),
    )


def point_of(report: Report, gazetteer: Gazetteer) -> Point | None:
    """The report's own point, else that of its place when the place is small enough for a
    point to stand for it (a town or neighbourhood, not a district)."""
    if report.lat is not None and report.lon is not None:
        return report.lat, report.lon
    rule = rule_for(report.category) or DEFAULT_RULE
    if report.area_code is None or not _is_small(report.area_code, gazetteer, rule):
        return None
    place = gazetteer.place(report.area_code)
    return None if place.lat is None or place.lon is None else (place.lat, place.lon)


def _own_area(report: Report) -> frozenset[str]:
    return frozenset() if report.area_code is None else frozenset({report.area_code})


def _within(received_at: datetime, other_at: datetime, rule: GroupingRule) -> bool:
    return abs(received_at - other_at) <= rule.window


def _match(
    places: frozenset[str],
    point: Point | None,
    their_places: frozenset[str],
    their_point: Point | None,
    rule: GroupingRule,
    gazetteer: Gazetteer,
) -> Match | None:
    """The strongest tie between a report and an incident or another report, if any."""
    same = sorted(code for code in places & their_places if _is_small(code, gazetteer, rule))
    if same:
        return Match(JoinReason.SAME_AREA, f"same area {same[0]}")
    for code in sorted(places):
        for theirs in sorted(their_places):
            shared = _smallest_common_place(code, theirs, gazetteer, rule)
            if shared is not None:
                text = f"neighbouring area: {code} and {theirs} are both in {shared}"
                return Match(JoinReason.NEIGHBOURING_AREA, text)
    if point is not None and their_point is not None:
        km = distance_km(*point, *their_point)
        if km <= rule.radius_km:
            return Match(JoinReason.NEARBY, f"within {km:.1f} km (limit {rule.radius_km} km)")
    return None


def _declared_match(report: Report, incident: Incident, gazetteer: Gazetteer) -> Match | None:
    """A declared outage takes every report from inside the areas it names, however large,
    for as long as it lasts."""
    if incident.origin is not Origin.DECLARED or report.area_code is None:
        return None
    lineage = [report.area_code, *gazetteer.ancestors(report.area_code)]
    inside = next((code for code in lineage if code in incident.area_codes), None)
    if inside is None:
        return None
    return Match(JoinReason.DECLARED_AREA, f"inside the declared area {inside}")


def _smallest_common_place(
    code: str, other: str, gazetteer: Gazetteer, rule: GroupingRule
) -> str | None:
    """The smallest place enclosing both, when it is a town or neighbourhood: a district or
    sub-district holds too much to call its places neighbours."""
    their_lineage = {other, *gazetteer.ancestors(other)}
    common = next((c for c in [code, *gazetteer.ancestors(code)] if c in their_lineage), None)
    return common if common is not None and _is_small(common, gazetteer, rule) else None


def _is_small(code: str, gazetteer: Gazetteer, rule: GroupingRule) -> bool:
    """Small enough that two reports naming it may be one fault: a village, a neighbourhood or
    a landmark; a large town too for a fault that reaches a whole town."""
    if code == CITY or (code in LARGE_TOWNS and not rule.whole_town):
        return False
    return SPECIFICITY[gazetteer.place(code).kind] >= SPECIFICITY["town"]


def _strength(match: Match) -> int:
    return list(JoinReason).index(match.reason)


def _closeness(match: Match, incident: Incident) -> tuple[int, float]:
    """Stronger reason first; of equals, the incident most recently reported."""
    return _strength(match), -incident.last_report_at.timestamp()
