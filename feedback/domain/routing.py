"""Who is responsible: (category, area) -> directorate, the most specific rule winning."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    category: str
    area: str | None  # None: anywhere
    directorate: str


@dataclass(frozen=True)
class RoutingDecision:
    """The directorate (None: admin triage) and why, in words stored on the ticket's event."""

    directorate: str | None
    reason: str
    rule: Rule | None = None


def route(category: str | None, area_lineage: list[str], rules: list[Rule]) -> RoutingDecision:
    """Pick the rule for the category whose area is nearest in the lineage (most specific first),
    falling back to the category's any-area rule; no rule means triage, never a lost ticket."""
    if category is None:
        return RoutingDecision(None, "category not recognised")
    by_area = {rule.area: rule for rule in rules if rule.category == category}
    for area in [*area_lineage, None]:
        rule = by_area.get(area)
        if rule is not None:
            where = f"area {area}" if area else "any area"
            return RoutingDecision(rule.directorate, f"rule: {category} in {where}", rule)
    return RoutingDecision(None, f"no routing rule for category {category}")
