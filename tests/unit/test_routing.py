"""Routing: (category, area lineage) -> directorate, the most specific rule winning."""

from feedback.domain.routing import Rule, route

WATER_ANYWHERE = Rule("water-supply", None, "water")
WATER_BASRA_DISTRICT = Rule("water-supply", "dist-basra", "water-basra")
WATER_ASHAR = Rule("water-supply", "nbh-ashar", "water-ashar-office")
ELECTRICITY_ASHAR = Rule("electricity", "nbh-ashar", "electricity-south")
ELECTRICITY_ZUBAIR = Rule("electricity", "dist-zubair", "electricity-zubair")
RULES = [WATER_ANYWHERE, WATER_BASRA_DISTRICT, WATER_ASHAR, ELECTRICITY_ASHAR, ELECTRICITY_ZUBAIR]

ASHAR = ["nbh-ashar", "dist-basra", "gov-basra"]
HAYYANIYA = ["nbh-hayyaniya", "dist-basra", "gov-basra"]
FAW = ["dist-faw", "gov-basra"]


def test_area_rule_beats_its_district_and_the_any_area_rule():
    decision = route("water-supply", ASHAR, RULES)
    assert decision.directorate == "water-ashar-office"
    assert decision.rule == WATER_ASHAR
    assert decision.reason == "rule: water-supply in area nbh-ashar"


def test_rule_order_does_not_matter():
    assert route("water-supply", ASHAR, list(reversed(RULES))).rule == WATER_ASHAR


def test_district_rule_when_the_neighbourhood_has_none():
    decision = route("water-supply", HAYYANIYA, RULES)
    assert decision.directorate == "water-basra"
    assert decision.reason == "rule: water-supply in area dist-basra"


def test_any_area_rule_is_the_fallback():
    decision = route("water-supply", FAW, RULES)
    assert decision.directorate == "water"
    assert decision.rule == WATER_ANYWHERE
    assert decision.reason == "rule: water-supply in any area"


def test_any_area_rule_when_the_location_is_unknown():
    assert route("water-supply", [], RULES).directorate == "water"


def test_no_rule_goes_to_triage_with_a_reason():
    decision = route("noise-pollution", ASHAR, RULES)
    assert decision.directorate is None
    assert decision.rule is None
    assert decision.reason == "no routing rule for category noise-pollution"


def test_unrecognised_category_goes_to_triage():
    decision = route(None, ASHAR, RULES)
    assert decision.directorate is None
    assert decision.rule is None
    assert decision.reason == "category not recognised"


def test_a_rule_for_another_category_is_never_used():
    # Electricity has a rule for Ashar itself, water only an any-area rule here.
    decision = route("water-supply", ASHAR, [WATER_ANYWHERE, ELECTRICITY_ASHAR])
    assert decision.directorate == "water"
    assert route("sewage", ASHAR, RULES).directorate is None


def test_a_rule_for_an_area_outside_the_lineage_is_not_used():
    decision = route("electricity", HAYYANIYA, RULES)
    assert decision.directorate is None
    assert decision.reason == "no routing rule for category electricity"
