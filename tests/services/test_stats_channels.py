"""Scorecards by channel, worked out by hand, as defined and from the rollups: a channel keeps
its tickets, their incidents and escalations; split by channel, each group and the total has
a row per channel it has figures in, in the Channel order, an incident under each channel that
reported it.

  ref  dir  channel     created            ack  res  notes
  S1   wat  sms         2026-02-02 08:00    2    6   in incident I with K1
  K1   wat  walk_in     2026-02-03 08:00    4    -   in incident I, escalated, overdue now
  P1   ele  phone_call  2026-02-04 08:00    -    -   overdue now
  O1   wat  whatsapp    2025-11-01 08:00    -    -   before the period, overdue now
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from feedback.domain.channels import Channel
from feedback.extensions import db
from feedback.models import Directorate, Escalation, Ticket
from feedback.models.incidents import Incident
from feedback.services.rollups import refresh_rollups
from feedback.services.stats import Grouping, StatsQuery, scorecard
from tests.factories import declared_incident, ticket_row

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
START, END = date(2026, 2, 1), date(2026, 2, 28)


@pytest.fixture
def tickets(app):
    with app.app_context():
        water, electricity = (
            db.session.scalar(sa.select(Directorate).where(Directorate.code == code))
            for code in ("water", "electricity")
        )
        rows = [
            ("S1", water, Channel.SMS, datetime(2026, 2, 2, 8, tzinfo=UTC), 2, 6),
            ("K1", water, Channel.WALK_IN, datetime(2026, 2, 3, 8, tzinfo=UTC), 4, None),
            ("P1", electricity, Channel.PHONE_CALL, datetime(2026, 2, 4, 8, tzinfo=UTC), None,
             None),
            ("O1", water, Channel.WHATSAPP, datetime(2025, 11, 1, 8, tzinfo=UTC), None, None),
        ]  # fmt: skip
        made = {}
        for ref, directorate, channel, created, ack, resolved in rows:
            made[ref] = ticket_row(
                ref,
                channel=channel.value,
                directorate=directorate,
                status="resolved" if resolved else "acknowledged" if ack else "new",
                created_at=created,
                updated_at=created,
                acknowledged_at=created + timedelta(hours=ack) if ack else None,
                resolved_at=created + timedelta(hours=resolved) if resolved else None,
                due_at=created + timedelta(hours=48),
            )
            db.session.add(made[ref])
        db.session.commit()
        incident = declared_incident(opened_at=datetime(2026, 2, 3, 9, tzinfo=UTC))
        for ref in ("S1", "K1"):
            made[ref].incident_id = incident
        db.session.add(
            Escalation(
                ticket_id=made["K1"].id,
                level="directorate",
                reason="overdue",
                directorate_id=water.id,
                created_at=datetime(2026, 2, 6, 8, tzinfo=UTC),
            )
        )
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(sa.delete(Escalation))
        db.session.execute(sa.update(Ticket).values(incident_id=None))
        db.session.execute(sa.delete(Incident))
        db.session.commit()


@pytest.fixture(params=["definition", "rollups"])
def card(request, app, tickets):
    """card(**options) -> the period's scorecard, by definition or from the rollups."""

    def make(**options):
        with app.app_context():
            if request.param == "rollups":
                refresh_rollups(now=NOW)
            found = scorecard(StatsQuery(START, END, **options), "en", now=NOW)
            assert (found.refreshed_at is not None) == (request.param == "rollups")
            return found

    return make


def _figures(group) -> tuple:
    """(key, received, acknowledged within 24 h, median hours to resolve, overdue, incidents,
    escalations)."""
    return (
        group.key,
        group.received,
        group.acknowledged_24h.numerator,
        group.to_resolve.median_hours,
        group.overdue,
        group.incidents,
        group.escalations,
    )


def test_split_by_channel_each_group_and_the_total_has_a_row_per_channel(card):
    found = card(by_channel=True)
    groups = {group.key: group for group in found.groups}
    assert _figures(groups["water"]) == ("water", 2, 2, 6.0, 2, 1, 1)
    assert [_figures(split) for split in groups["water"].channels] == [
        ("sms", 1, 1, 6.0, 0, 1, 0),
        ("whatsapp", 0, 0, None, 1, 0, 0),  # O1: overdue now, received before the period
        ("walk_in", 1, 1, None, 1, 1, 1),  # the incident counts under both its channels
    ]
    assert [_figures(split) for split in groups["electricity"].channels] == [
        ("phone_call", 1, 0, None, 1, 0, 0)
    ]
    assert _figures(found.total)[1:] == (3, 2, 6.0, 3, 1, 1)
    assert [split.key for split in found.total.channels] == [
        "sms",
        "whatsapp",
        "walk_in",
        "phone_call",
    ]
    assert [split.received for split in found.total.channels] == [1, 0, 1, 1]


def test_a_channel_keeps_its_tickets_incidents_and_escalations(card):
    walk_ins = card(channel=Channel.WALK_IN)
    assert [_figures(group) for group in walk_ins.groups] == [("water", 1, 1, None, 1, 1, 1)]
    assert walk_ins.groups[0].channels == ()  # not split
    assert _figures(walk_ins.total)[1:] == (1, 1, None, 1, 1, 1)
    calls = card(channel=Channel.PHONE_CALL, by_channel=True, grouping=Grouping.CATEGORY)
    assert [group.key for group in calls.groups] == [""]  # uncategorised
    assert [split.key for split in calls.total.channels] == ["phone_call"]
    assert (calls.total.incidents, calls.total.escalations) == (0, 0)  # the others' only
    nothing = card(channel=Channel.API)
    assert nothing.groups == [] and nothing.total.received == 0
