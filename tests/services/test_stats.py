"""The scorecards against figures worked out by hand from a small fixed set of tickets, both
as defined (computed from every ticket) and as read from the rollups refreshed at NOW.

Times are hours after each ticket's creation. NOW is Sunday 2026-03-01 12:00 UTC; the main
period is 2026-01-01 .. 2026-02-28.

  ref  dir  category          area (district)           created          ack  res  due  notes
  W1   wat  water-supply      sub-siba (Abu Al-Khaseeb) Mon 01-05 08:00   2   10   48  verified
  W2   wat  water-supply      sub-siba                  Tue 01-06 08:00  24   30   48  reopened
  W3   wat  water-supply      sub-siba                  Mon 01-12 08:00  25   60   48  disputed
  W4   wat  water-supply      sub-siba                  Tue 01-13 08:00   5    -   48  in_progress
  W5   wat  water-supply      gov-basra (no district)   Tue 01-20 08:00   -    -   48  new
  W6   wat  sewage-overflow   sub-siba                  Mon 02-02 08:00   1  100   48  rejected
  Wold wat  water-supply      sub-siba                  2025-12-01        -    -   48  new, before
  E1   ele  electricity-out.  sub-safwan (Al-Zubair)    Wed 01-07 10:00   3   20   24
  E2   ele  electricity-out.  sub-safwan                Sun 01-11 10:00  30   40   24  reopened,
                                                                                      disputed
  E3   ele  electricity-out.  dist-zubair (itself)      Tue 02-10 10:00  12    -  now+5d ack'd
  E4   ele  electricity-out.  sub-safwan                Sun 03-01 00:00   -    -  now+1d after
  T1   -    -                 -                         Fri 01-09 09:00   -    -    -  triage
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import (
    Area,
    Category,
    Directorate,
    TicketEvent,
    User,
    Verification,
)
from feedback.services.rollups import refresh_rollups
from feedback.services.stats import (
    Grouping,
    InvalidPeriod,
    Measure,
    StatsQuery,
    default_period,
    scorecard,
)
from tests.factories import reopening, ticket_row

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
START, END = date(2026, 1, 1), date(2026, 2, 28)
H = 3600  # seconds in an hour


def _at(month: int, day: int, hour: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _hours(hours: float | None):
    return None if hours is None else timedelta(hours=hours)


@pytest.fixture
def tickets(app):
    with app.app_context():
        by_code = {
            model: {row.code: row for row in db.session.scalars(sa.select(model))}
            for model in (Directorate, Category, Area)
        }
        water, electricity = by_code[Directorate]["water"], by_code[Directorate]["electricity"]
        categories, areas = by_code[Category], by_code[Area]
        monitor = User(username="stats.monitor", name="M", password_hash="x", role="monitor")
        db.session.add(monitor)
        rows = [
            # ref, directorate, category, area, created, ack h, resolved h, due, status
            ("W1", water, "water-supply", "sub-siba", _at(1, 5, 8), 2, 10, 48, "resolved"),
            ("W2", water, "water-supply", "sub-siba", _at(1, 6, 8), 24, 30, 48, "resolved"),
            ("W3", water, "water-supply", "sub-siba", _at(1, 12, 8), 25, 60, 48, "resolved"),
            ("W4", water, "water-supply", "sub-siba", _at(1, 13, 8), 5, None, 48, "in_progress"),
            ("W5", water, "water-supply", "gov-basra", _at(1, 20, 8), None, None, 48, "new"),
            ("W6", water, "sewage-overflow", "sub-siba", _at(2, 2, 8), 1, 100, 48, "rejected"),
            ("WOLD", water, "water-supply", "sub-siba", _at(12, 1, 8, 2025), None, None, 48, "new"),
            ("E1", electricity, "electricity-outage", "sub-safwan", _at(1, 7, 10), 3, 20, 24,
             "resolved"),
            ("E2", electricity, "electricity-outage", "sub-safwan", _at(1, 11, 10), 30, 40, 24,
             "resolved"),
            ("E3", electricity, "electricity-outage", "dist-zubair", _at(2, 10, 10), 12, None,
             NOW + timedelta(days=5), "acknowledged"),
            ("E4", electricity, "electricity-outage", "sub-safwan", _at(3, 1, 0), None, None,
             NOW + timedelta(days=1), "new"),
            ("T1", None, None, None, _at(1, 9, 9), None, None, None, "new"),
        ]  # fmt: skip
        made = {}
        for ref, directorate, category, area, created, ack, resolved, due, status in rows:
            ticket = ticket_row(
                ref,
                original_text="ماكو ماي اتصل 07801234567",
                public_text="ماكو ماي",
                category=categories[category] if category else None,
                area=areas[area] if area else None,
                directorate=directorate,
                status=status,
                citizen_phone="+9647801234567",
                created_at=created,
                acknowledged_at=created + _hours(ack) if ack is not None else None,
                resolved_at=created + _hours(resolved) if resolved is not None else None,
                due_at=created + _hours(due) if isinstance(due, int) else due,
            )
            db.session.add(ticket)
            made[ref] = ticket
        for ref in ("W2", "E2"):
            made[ref].events.append(reopening(made[ref].resolved_at, from_status="resolved"))
        # Another status event must not count as a reopening.
        made["W4"].events.append(
            TicketEvent(actor_label="officer", kind="status", to_status="in_progress")
        )
        for ref, verdict in (("W1", "verified"), ("W3", "disputed"), ("E2", "disputed")):
            db.session.add(
                Verification(ticket=made[ref], monitor=monitor, verdict=verdict, note="seen")
            )
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(sa.delete(Verification))
        db.session.execute(sa.delete(User).where(User.username == "stats.monitor"))
        db.session.commit()


@pytest.fixture(params=["definition", "rollups"])
def card(request, app, tickets):
    """card(grouping, start, end, **options) -> the scorecard, by definition or from the
    rollups (refreshed at NOW, before the first card)."""
    refreshed = []

    def make(grouping=Grouping.DIRECTORATE, start=START, end=END, **options):
        with app.app_context():
            query = StatsQuery(start=start, end=end, grouping=grouping, **options)
            if request.param == "definition":
                return scorecard(query, "en", now=NOW)
            if not refreshed:
                refreshed.append(refresh_rollups(now=NOW))
            found = scorecard(query, "en")
            assert found.refreshed_at == NOW == found.generated_at
            return found

    return make


def _by_key(card):
    return {group.key: group for group in card.groups}


def test_directorate_scorecards_match_the_hand_computed_figures(card):
    groups = _by_key(card())
    assert set(groups) == {"water", "electricity", ""}

    water = groups["water"]
    assert water.received == 6  # W1..W6; WOLD is before the period
    # acknowledged within 24 h: W1 (2), W2 (24, the limit counts), W4 (5), W6 (1) -> 4 of 6
    assert (water.acknowledged_24h.numerator, water.acknowledged_24h.denominator) == (4, 6)
    assert water.acknowledged_24h.percent == 66.7  # 400 / 6 = 66.67
    # to acknowledge, sorted: 1 2 5 24 25 (n=5); median rank ceil(2.5)=3 -> 5 h;
    # p90 rank ceil(4.5)=5 -> 25 h
    assert water.to_acknowledge.count == 5
    assert water.to_acknowledge.median_seconds == 5 * H
    assert water.to_acknowledge.p90_seconds == 25 * H
    # to resolve, sorted: 10 30 60 100 (n=4); median rank ceil(2)=2 -> 30 h (the lower
    # middle, not 45); p90 rank ceil(3.6)=4 -> 100 h
    assert water.to_resolve.count == 4
    assert (water.to_resolve.median_seconds, water.to_resolve.p90_seconds) == (30 * H, 100 * H)
    assert water.to_resolve.median_hours == 30.0
    # within SLA (48 h): W1 10, W2 30 yes; W3 60, W6 100 no -> 2 of 4
    assert (water.within_sla.numerator, water.within_sla.denominator) == (2, 4)
    assert water.within_sla.percent == 50.0
    assert (water.reopened.numerator, water.reopened.denominator) == (1, 4)  # W2
    assert (water.disputed.numerator, water.disputed.denominator) == (1, 4)  # W3; W1 verified
    assert water.overdue == 3  # W4 in progress, W5 new, WOLD new (any period): all past due

    electricity = groups["electricity"]
    assert electricity.received == 3  # E1 E2 E3; E4 arrives on 03-01, after the period
    assert (electricity.acknowledged_24h.numerator, electricity.acknowledged_24h.denominator) == (
        2,
        3,
    )  # E1 3 h, E3 12 h; E2 30 h is late
    # to acknowledge 3 12 30: median rank 2 -> 12 h; p90 rank ceil(2.7)=3 -> 30 h
    assert electricity.to_acknowledge.median_seconds == 12 * H
    assert electricity.to_acknowledge.p90_seconds == 30 * H
    # to resolve 20 40: median rank 1 -> 20 h; p90 rank ceil(1.8)=2 -> 40 h
    assert electricity.to_resolve.median_seconds == 20 * H
    assert electricity.to_resolve.p90_seconds == 40 * H
    assert electricity.within_sla.percent == 50.0  # E1 20 <= 24, E2 40 > 24 -> 1 of 2
    assert electricity.reopened.percent == 50.0  # E2, 1 of 2
    assert electricity.disputed.percent == 50.0  # E2, 1 of 2
    assert electricity.overdue == 0  # E3 and E4 are due after NOW

    triage = groups[""]
    assert triage.received == 1  # T1, no directorate
    assert triage.acknowledged_24h.percent == 0.0  # 0 of 1
    assert triage.within_sla.denominator == 0 and triage.within_sla.percent is None  # "—"
    assert triage.to_resolve.median_hours is None
    assert triage.overdue == 0  # no deadline


def test_totals_are_over_every_ticket_not_an_average_of_groups(card):
    total = card().total
    assert total.received == 10  # 6 + 3 + 1
    assert total.acknowledged_24h.percent == 60.0  # (4 + 2 + 0) / 10
    # to acknowledge 1 2 3 5 12 24 25 30 (n=8): median rank 4 -> 5 h; p90 rank ceil(7.2)=8 -> 30
    assert (total.to_acknowledge.median_seconds, total.to_acknowledge.p90_seconds) == (
        5 * H,
        30 * H,
    )
    # to resolve 10 20 30 40 60 100 (n=6): median rank 3 -> 30 h; p90 rank ceil(5.4)=6 -> 100
    assert (total.to_resolve.median_seconds, total.to_resolve.p90_seconds) == (30 * H, 100 * H)
    assert total.within_sla.percent == 50.0  # (2 + 1) / 6
    assert total.reopened.percent == 33.3  # (1 + 1) / 6
    assert total.disputed.percent == 33.3  # (1 + 1) / 6
    assert total.overdue == 3


def test_ranking_by_within_sla_by_default_and_by_any_measure(card):
    # water and electricity tie at 50 %: by name, "Basra Water…" before "General Company…";
    # the triage group has no SLA figure ("—") and comes last.
    assert [g.key for g in card().groups] == ["water", "electricity", ""]
    reopened_ascending = card(sort=Measure.REOPENED, descending=False)
    assert [g.key for g in reopened_ascending.groups] == ["water", "electricity", ""]  # 25, 50
    by_overdue = card(sort=Measure.OVERDUE)
    assert [g.key for g in by_overdue.groups] == ["water", "", "electricity"]  # 3, 0, 0 by name
    by_ack_p90 = card(sort=Measure.ACK_P90, descending=False)
    assert [g.key for g in by_ack_p90.groups] == ["water", "electricity", ""]  # 25 h, 30 h, —


def test_grouping_by_category(card):
    groups = _by_key(card(Grouping.CATEGORY))
    assert set(groups) == {"water-supply", "sewage-overflow", "electricity-outage", ""}
    supply = groups["water-supply"]
    assert supply.received == 5  # W1..W5
    assert supply.acknowledged_24h.percent == 60.0  # W1 W2 W4 of 5
    # to acknowledge 2 5 24 25 (n=4): median rank 2 -> 5 h; p90 rank ceil(3.6)=4 -> 25 h
    assert (supply.to_acknowledge.median_seconds, supply.to_acknowledge.p90_seconds) == (
        5 * H,
        25 * H,
    )
    # to resolve 10 30 60: median rank 2 -> 30 h; p90 rank ceil(2.7)=3 -> 60 h
    assert (supply.to_resolve.median_seconds, supply.to_resolve.p90_seconds) == (30 * H, 60 * H)
    assert (supply.within_sla.numerator, supply.within_sla.denominator) == (2, 3)
    assert supply.overdue == 3  # W4 W5 WOLD
    sewage = groups["sewage-overflow"]
    assert sewage.received == 1  # W6
    assert sewage.within_sla.percent == 0.0  # rejected after 100 h, due in 48
    assert sewage.to_resolve.median_seconds == 100 * H
    assert groups["electricity-outage"].received == 3


def test_grouping_by_district_climbs_the_area_tree(card):
    groups = _by_key(card(Grouping.DISTRICT))
    assert set(groups) == {"dist-abu-al-khaseeb", "dist-zubair", ""}
    abu = groups["dist-abu-al-khaseeb"]
    assert abu.received == 5  # W1 W2 W3 W4 W6 (sub-siba is under Abu Al-Khaseeb)
    assert abu.acknowledged_24h.percent == 80.0  # W1 W2 W4 W6 of 5
    assert abu.overdue == 2  # W4, WOLD
    zubair = groups["dist-zubair"]
    assert zubair.received == 3  # E1 E2 under Safwan, E3 on the district itself
    assert zubair.within_sla.percent == 50.0
    unknown = groups[""]
    assert unknown.received == 2  # W5 placed on the governorate, T1 nowhere
    assert unknown.overdue == 1  # W5
    assert abu.name == "Abu Al-Khaseeb District"


def test_period_filter_counts_tickets_by_creation_date_both_ends_included(card):
    february = _by_key(card(start=date(2026, 2, 1), end=date(2026, 2, 28)))
    assert february["water"].received == 1  # W6
    assert february["water"].within_sla.percent == 0.0  # 0 of 1
    assert february["electricity"].received == 1  # E3; E4 on 03-01 00:00 is after the end
    assert "" not in february  # T1 came in January and has nothing overdue
    assert february["water"].overdue == 3  # the backlog is whatever the period

    to_march = _by_key(card(start=date(2026, 2, 2), end=date(2026, 3, 1)))
    assert to_march["electricity"].received == 2  # E3, and E4 at the very start of 03-01
    assert to_march["water"].received == 1  # W6 at 02-02 08:00, the first day counts


def test_weekly_trend_for_all_tickets(card):
    found = card(trend_all=True)
    assert found.weeks[0] == "2025-12-29"  # the Monday of the week of 2026-01-01
    assert found.weeks[-1] == "2026-02-23"
    assert len(found.weeks) == 9
    [series] = found.trends
    assert series.key is None
    weeks = {point.week: point for point in series.points}
    # week of Mon 01-05: W1 W2 E1 T1 and E2 (Sunday 01-11) -> 5 received;
    # resolved W1 W2 E1 E2, within SLA W1 W2 E1 -> 3 of 4
    assert weeks["2026-01-05"].received == 5
    assert (
        weeks["2026-01-05"].within_sla.numerator,
        weeks["2026-01-05"].within_sla.denominator,
    ) == (
        3,
        4,
    )
    assert weeks["2026-01-12"].received == 2  # W3 W4
    assert weeks["2026-01-12"].within_sla.percent == 0.0  # W3 late, 0 of 1
    assert weeks["2026-01-19"].within_sla.percent is None  # W5 only, nothing resolved
    assert weeks["2025-12-29"].received == 0
    assert sum(point.received for point in series.points) == 10


def test_weekly_trend_for_the_top_groups(card):
    found = card()
    assert [series.key for series in found.trends] == ["water", "electricity", ""]  # 6, 3, 1
    water = {point.week: point for point in found.trends[0].points}
    assert water["2026-01-05"].received == 2  # W1 W2
    assert water["2026-01-05"].within_sla.percent == 100.0  # 2 of 2
    assert water["2026-02-02"].within_sla.percent == 0.0  # W6


def test_an_empty_period_has_no_groups_but_the_backlog(card):
    found = card(start=date(2024, 1, 1), end=date(2024, 1, 31))
    assert [(g.key, g.received, g.overdue) for g in found.groups] == [("water", 0, 3)]
    assert found.total.received == 0
    assert found.total.within_sla.percent is None
    assert found.total.to_acknowledge.median_seconds is None


def test_invalid_periods_are_refused():
    with pytest.raises(InvalidPeriod):
        StatsQuery(start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(InvalidPeriod):
        StatsQuery(start=date(2020, 1, 1), end=date(2026, 1, 1))
    assert default_period(date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 31))
