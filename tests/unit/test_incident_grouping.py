"""Grouping reports into incidents (issue 14): same area, neighbouring area, near enough, in
time, of the same category; and never on category alone."""

from datetime import datetime, timedelta

import pytest

from feedback.domain.incidents import (
    ALONE,
    Incident,
    IncidentStatus,
    JoinReason,
    Origin,
    Outcome,
    Report,
    formed,
    group_report,
    joined,
)
from feedback.domain.locate import Gazetteer, Place

NOON = datetime(2025, 7, 1, 12, 0)
OUTAGE = "electricity-outage"
# Al-Ashar and Al-Jumhuriya lie some 1 km apart; Al-Hussein some 7 km from both.
ASHAR = (30.5165, 47.8395)
JUMHURIYA = (30.5255, 47.8365)
HUSSEIN = (30.502, 47.768)
PLACES = [
    Place("gov-basra", "governorate", ("Basra Governorate",)),
    Place("dist-basra", "district", ("Basra District",), parent="gov-basra"),
    Place("nbh-ashar", "neighbourhood", ("Al-Ashar",), *ASHAR, parent="dist-basra"),
    Place("nbh-jumhuriya", "neighbourhood", ("Al-Jumhuriya",), *JUMHURIYA, parent="dist-basra"),
    Place("nbh-hussein", "neighbourhood", ("Hay Al-Hussein",), *HUSSEIN, parent="dist-basra"),
    Place("lm-ashar-market", "landmark", ("Ashar market",), parent="nbh-ashar"),
    Place("lm-ashar-mosque", "landmark", ("Ashar mosque",), parent="nbh-ashar"),
]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(PLACES)


def report(
    ticket_id: int = 1,
    area: str | None = "nbh-ashar",
    point: tuple[float, float] | None = None,
    category: str = OUTAGE,
    minutes: int = 0,
) -> Report:
    lat, lon = point if point else (None, None)
    return Report(ticket_id, category, area, lat, lon, NOON + timedelta(minutes=minutes))


def incident(
    area: str = "nbh-ashar",
    centre: tuple[float, float] | None = ASHAR,
    category: str = OUTAGE,
    status: IncidentStatus = IncidentStatus.OPEN,
) -> Incident:
    return Incident(7, category, frozenset({area}), centre, NOON, NOON, status)


def test_a_report_in_the_incidents_area_joins_it(gazetteer):
    decision = group_report(report(minutes=30), [incident()], [], gazetteer)
    assert decision.outcome == Outcome.JOIN
    assert decision.incident == incident()
    assert decision.match is not None
    assert decision.match.reason == JoinReason.SAME_AREA
    assert decision.match.text == "same area nbh-ashar"


def test_a_place_inside_the_incidents_neighbourhood_joins_it(gazetteer):
    decision = group_report(report(area="lm-ashar-market"), [incident(centre=None)], [], gazetteer)
    assert decision.outcome == Outcome.JOIN
    assert decision.match is not None
    assert decision.match.reason == JoinReason.NEIGHBOURING_AREA
    assert decision.match.text == (
        "neighbouring area: lm-ashar-market and nbh-ashar are both in nbh-ashar"
    )


def test_two_places_in_one_neighbourhood_are_neighbours(gazetteer):
    found = incident(area="lm-ashar-mosque", centre=None)
    decision = group_report(report(area="lm-ashar-market"), [found], [], gazetteer)
    assert decision.match is not None
    assert decision.match.reason == JoinReason.NEIGHBOURING_AREA


def test_sharing_only_a_district_is_no_neighbourhood(gazetteer):
    """A district holds too much: two of its neighbourhoods must be near by their points."""
    found = incident(area="nbh-hussein", centre=None)
    assert group_report(report(area="dist-basra"), [found], [], gazetteer) == ALONE


def test_a_report_within_the_categorys_radius_joins(gazetteer):
    decision = group_report(report(area="nbh-jumhuriya"), [incident()], [], gazetteer)
    assert decision.outcome == Outcome.JOIN
    assert decision.match is not None
    assert decision.match.reason == JoinReason.NEARBY
    assert decision.match.text == "within 1.0 km (limit 1.5 km)"


def test_the_same_distance_is_too_far_for_a_burst_main(gazetteer):
    main = incident(category="water-leak")
    leak = report(area="nbh-jumhuriya", category="water-leak")
    assert group_report(leak, [main], [], gazetteer) == ALONE


def test_a_report_too_far_stays_alone(gazetteer):
    assert group_report(report(point=HUSSEIN, area=None), [incident()], [], gazetteer) == ALONE


def test_a_report_after_the_window_stays_alone(gazetteer):
    late = report(minutes=6 * 60 + 1)
    assert group_report(late, [incident()], [], gazetteer) == ALONE


def test_a_report_of_another_category_stays_alone(gazetteer):
    leak = report(category="water-leak")
    assert group_report(leak, [incident()], [report(ticket_id=2)], gazetteer) == ALONE


def test_a_report_without_a_place_never_joins(gazetteer):
    nowhere = report(area=None)
    assert group_report(nowhere, [incident()], [report(ticket_id=2)], gazetteer) == ALONE


def test_a_closed_incident_takes_no_report(gazetteer):
    closed = incident(status=IncidentStatus.RESOLVED)
    assert group_report(report(), [closed], [], gazetteer) == ALONE


def test_a_category_never_grouped_stays_alone(gazetteer):
    school = report(category="school-building")
    others = [report(ticket_id=2, category="school-building")]
    assert group_report(school, [], others, gazetteer) == ALONE


def test_two_matching_reports_form_an_incident(gazetteer):
    first = report(ticket_id=1, point=ASHAR)
    far = report(ticket_id=3, area="nbh-hussein")
    earlier = report(ticket_id=4, minutes=-7 * 60)
    second = report(ticket_id=2, area="lm-ashar-market", point=JUMHURIYA, minutes=20)
    decision = group_report(second, [], [first, far, earlier], gazetteer)
    assert decision.outcome == Outcome.FORM
    assert decision.together_with == (first,)
    assert decision.match is not None
    assert decision.match.reason == JoinReason.NEIGHBOURING_AREA


def test_the_formed_incident_holds_their_areas_times_and_centre(gazetteer):
    first = report(ticket_id=1, point=ASHAR)
    second = report(ticket_id=2, area="nbh-jumhuriya", minutes=20)
    made = formed(9, [second, first], gazetteer)
    assert made.area_codes == {"nbh-ashar", "nbh-jumhuriya"}
    assert made.centre == pytest.approx(
        ((ASHAR[0] + JUMHURIYA[0]) / 2, (ASHAR[1] + JUMHURIYA[1]) / 2)
    )
    assert (made.opened_at, made.last_report_at) == (NOON, NOON + timedelta(minutes=20))
    assert made.status == IncidentStatus.OPEN


def test_joining_extends_the_area_and_the_window(gazetteer):
    grown = joined(incident(), report(area="nbh-jumhuriya", minutes=90))
    assert grown.area_codes == {"nbh-ashar", "nbh-jumhuriya"}
    assert grown.last_report_at == NOON + timedelta(minutes=90)
    assert grown.centre == ASHAR
    later = report(ticket_id=2, minutes=90 + 5 * 60)
    assert group_report(later, [grown], [], gazetteer).outcome == Outcome.JOIN


def test_the_same_area_beats_a_nearer_incident_by_distance(gazetteer):
    there = incident(area="nbh-jumhuriya", centre=ASHAR)
    here = Incident(8, OUTAGE, frozenset({"nbh-ashar"}), None, NOON, NOON)
    decision = group_report(report(point=ASHAR), [there, here], [], gazetteer)
    assert decision.incident == here


def test_a_declared_outage_takes_reports_from_anywhere_inside_its_areas_while_it_lasts(gazetteer):
    """An outage notice for the whole district: a report from one of its neighbourhoods a day
    later still joins it; a grouped incident of the district would not."""
    declared = Incident(
        9, OUTAGE, frozenset({"dist-basra"}), None, NOON, NOON, origin=Origin.DECLARED
    )
    late = report(area="nbh-hussein", minutes=24 * 60)
    decision = group_report(late, [declared], [], gazetteer)
    assert decision.outcome == Outcome.JOIN and decision.incident == declared
    assert decision.match is not None and decision.match.reason == JoinReason.DECLARED_AREA
    grouped = Incident(9, OUTAGE, frozenset({"dist-basra"}), None, NOON, NOON)
    assert group_report(report(area="nbh-hussein", minutes=30), [grouped], [], gazetteer) == ALONE


def test_a_declared_outage_takes_no_report_of_another_category_or_from_outside(gazetteer):
    declared = Incident(
        9, OUTAGE, frozenset({"nbh-ashar"}), None, NOON, NOON, origin=Origin.DECLARED
    )
    water = report(category="water-supply")
    assert group_report(water, [declared], [], gazetteer) == ALONE
    assert group_report(report(area="nbh-hussein"), [declared], [], gazetteer) == ALONE


def test_two_reports_that_name_only_the_city_or_a_district_are_not_one_fault():
    """ "No power in Basra" twice is not one feeder: the city and the district are too big."""
    for area in ("town-basra", "dist-basra"):
        first, second = report(area=area), report(ticket_id=2, area=area, minutes=5)
        assert group_report(second, [], [first], LARGER) == ALONE, area


def test_a_large_town_is_one_fault_for_a_power_cut_but_not_for_a_burst_main():
    """A feeder can black out all of Zubair; one burst main does not flood it."""
    first, second = report(area="town-zubair"), report(ticket_id=2, area="town-zubair")
    assert group_report(second, [], [first], LARGER).outcome == Outcome.FORM
    leaks = [
        report(ticket_id=n, area="town-zubair", category="water-leak", minutes=n) for n in (1, 2)
    ]
    assert group_report(leaks[1], [], [leaks[0]], LARGER) == ALONE
    village = [
        report(ticket_id=n, area="town-siba", category="water-leak", minutes=n) for n in (1, 2)
    ]
    assert group_report(village[1], [], [village[0]], LARGER).outcome == Outcome.FORM


LARGER = Gazetteer(
    [
        *PLACES,
        Place("town-basra", "town", ("Basra",), 30.508, 47.78, parent="dist-basra"),
        Place("town-zubair", "town", ("Al-Zubair",), 30.39, 47.70, parent="gov-basra"),
        Place("town-siba", "town", ("Al-Siba",), 30.34, 48.27, parent="gov-basra"),
    ]
)
