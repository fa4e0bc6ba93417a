"""Public scorecards (/stats, /stats.json): parse the period and choices, ask
feedback.services.stats, render. No personal data: only counts, times and rates."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import (
    format_decimal,
    format_percent,
    format_time,
    get_locale,
    lazy_pgettext,
    to_user_timezone,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.domain.channels import Channel
from feedback.domain.period import FIRST_DAY, LAST_DAY, BadDate, DateOutOfRange, parse_day
from feedback.models import utcnow
from feedback.services.stats import (
    HIGHER_IS_BETTER,
    Grouping,
    GroupScore,
    InvalidPeriod,
    Measure,
    Ratio,
    Scorecard,
    StatsQuery,
    default_period,
    scorecard,
)
from feedback.web.caching import public_cache
from feedback.web.dates import date_text, datetime_text
from feedback.web.labels import CHANNEL_LABELS, channel_label

bp = Blueprint("stats", __name__)

GROUPING_LABELS = {
    Grouping.DIRECTORATE: _l("Directorate"),
    Grouping.CATEGORY: _l("Kind of problem"),
    Grouping.DISTRICT: _l("District"),
}
# The name of the group of tickets that have no directorate, category or district.
UNGROUPED_LABELS = {
    Grouping.DIRECTORATE: _l("Not yet routed (triage)"),
    Grouping.CATEGORY: _l("Kind not recognised"),
    Grouping.DISTRICT: _l("District not known"),
}
MEASURE_LABELS = {
    # As a column of counts: the ticket pages' "Received" is a date.
    Measure.RECEIVED: lazy_pgettext("scorecard column", "Received"),
    Measure.ACK_24H: _l("Acknowledged within 24 h"),
    Measure.ACK_MEDIAN: _l("Median time to acknowledge (h)"),
    Measure.ACK_P90: _l("90th percentile time to acknowledge (h)"),
    Measure.RESOLVE_MEDIAN: _l("Median time to resolve (h)"),
    Measure.RESOLVE_P90: _l("90th percentile time to resolve (h)"),
    Measure.WITHIN_SLA: _l("Resolved within deadline"),
    Measure.REOPENED: _l("Reopened"),
    Measure.DISPUTED: _l("Disputed by monitors"),
    Measure.CONFIRMED_FIXED: _l("Confirmed fixed by citizens"),
    Measure.NOT_FIXED: _l("Citizens said not fixed"),
    Measure.OVERDUE: _l("Overdue now"),
    Measure.ESCALATIONS: _l("Escalations"),
}


@dataclass(frozen=True)
class StatsRequest:
    query: StatsQuery
    problems: list[str]  # what was wrong with the arguments, and what is shown instead


def parse_request(args, today: date) -> StatsRequest:
    """The StatsQuery the arguments ask for; anything unusable falls back to the default,
    with a message saying so."""
    problems: list[str] = []
    default_start, default_end = default_period(today)
    start = _date_arg(args, "from", default_start, problems)
    end = _date_arg(args, "to", default_end, problems)
    grouping = _choice(args.get("group"), Grouping, Grouping.DIRECTORATE)
    sort = _choice(args.get("sort"), Measure, Measure.WITHIN_SLA)
    order = args.get("order")
    descending = order == "desc" if order in ("asc", "desc") else sort in HIGHER_IS_BETTER
    options = {
        "grouping": grouping,
        "sort": sort,
        "descending": descending,
        "trend_all": args.get("trend") == "all",
        "channel": _channel_arg(args, problems),
        "by_channel": args.get("by") == "channel",
    }
    try:
        query = StatsQuery(start=start, end=end, **options)
    except InvalidPeriod:
        problems.append(
            _(
                "The period must end after it starts and last at most three years; "
                "showing the last 90 days."
            )
        )
        query = StatsQuery(start=default_start, end=default_end, **options)
    return StatsRequest(query, problems)


def _date_arg(args, name: str, default: date, problems: list[str]) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return parse_day(raw, name)
    except DateOutOfRange:
        problems.append(
            _(
                "“%(value)s” is outside %(first)s to %(last)s; showing %(default)s instead.",
                value=raw[:20],
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
                default=default.isoformat(),
            )
        )
        return default
    except BadDate:
        problems.append(
            _(
                "“%(value)s” is not a date (use YYYY-MM-DD); showing %(default)s instead.",
                value=raw[:20],
                default=default.isoformat(),
            )
        )
        return default


def _channel_arg(args, problems: list[str]) -> Channel | None:
    """The channel the figures are kept to; blank: every channel. A filter, like the dates:
    one not understood is said, not silently taken for every channel."""
    raw = (args.get("channel") or "").strip()
    if not raw:
        return None
    try:
        return Channel(raw)
    except ValueError:
        problems.append(_("“%(value)s” is not a channel; showing every channel.", value=raw[:20]))
        return None


def _choice(raw, kind, default):
    try:
        return kind(raw)
    except ValueError:
        return default


@bp.get("/stats")
@public_cache()
def page():
    wanted = parse_request(request.args, utcnow().date())
    language = str(get_locale())
    card = scorecard(wanted.query, language)
    return render_template(
        "stats/scorecards.html",
        card=card,
        problems=wanted.problems,
        groupings=GROUPING_LABELS,
        measures=MEASURE_LABELS,
        group_name=lambda group: group.name or str(UNGROUPED_LABELS[card.query.grouping]),
        channels=CHANNEL_LABELS,
        channel_label=channel_label,
        sort_url=lambda measure: _sort_url(card, measure),
        shown=shown,
        ratio_title=_ratio_title,
        chart=_chart_data(card, language),
        json_url=url_for("stats.as_json", **_link_args()),
        as_of=_as_of(card),
    )


def _link_args() -> dict[str, Any]:
    """The query's arguments, for a link to carry on; url_for's own (_method, _external,
    _scheme, _anchor) are never taken from the visitor."""
    return {name: value for name, value in request.args.items() if not name.startswith("_")}


def _as_of(card: Scorecard) -> str | None:
    """When the figures were refreshed, in Basra time: the hour, and the day too if not today;
    None for figures computed just now."""
    if card.refreshed_at is None:
        return None
    if to_user_timezone(card.refreshed_at).date() == to_user_timezone(utcnow()).date():
        return format_time(card.refreshed_at, "HH:mm")
    return datetime_text(card.refreshed_at)


@bp.get("/stats.json")
@public_cache()
def as_json():
    """The same figures for machines; a bad argument is a 400 here, not a fallback."""
    wanted = parse_request(request.args, utcnow().date())
    if wanted.problems:
        return jsonify(error=" ".join(wanted.problems)), 400
    card = scorecard(wanted.query, str(get_locale()))
    return jsonify(
        {
            "period": {"from": card.query.start.isoformat(), "to": card.query.end.isoformat()},
            "grouping": card.query.grouping.value,
            "sort": card.query.sort.value,
            "order": "desc" if card.query.descending else "asc",
            "channel": card.query.channel.value if card.query.channel else None,
            "by": "channel" if card.query.by_channel else None,
            "generated_at": card.generated_at.isoformat(),
            "definitions": url_for("stats.page", _anchor="definitions", _external=True),
            "groups": [_group_json(group, card.query) for group in card.groups],
            "total": _group_json(card.total, card.query, total=True),
            "weeks": card.weeks,
            "trends": [
                {
                    "key": series.key,
                    "name": series.name
                    or (
                        _("All tickets")
                        if series.key is None
                        else str(UNGROUPED_LABELS[card.query.grouping])
                    ),
                    "points": [
                        {
                            "week": point.week,
                            "received": point.received,
                            "within_sla": _ratio_json(point.within_sla),
                        }
                        for point in series.points
                    ],
                }
                for series in card.trends
            ],
        }
    )


def _group_json(group: GroupScore, query: StatsQuery, total: bool = False) -> dict:
    """A group's figures (the total's: key null); split by channel, each channel's too."""
    if total:
        named = {"key": None, "name": str(_("All tickets"))}
    else:
        name = group.name or str(UNGROUPED_LABELS[query.grouping])
        named = {"key": group.key or None, "name": name}
    found = {**named, **_figures_json(group)}
    if query.by_channel:
        found["channels"] = [
            {"key": split.key, "name": channel_label(split.key), **_figures_json(split)}
            for split in group.channels
        ]
    return found


def _figures_json(group: GroupScore) -> dict:
    def spread(found):
        return {
            "count": found.count,
            "median_hours": found.median_hours,
            "p90_hours": found.p90_hours,
        }

    return {
        "received": group.received,
        "acknowledged_within_24h": _ratio_json(group.acknowledged_24h),
        "time_to_acknowledge": spread(group.to_acknowledge),
        "time_to_resolve": spread(group.to_resolve),
        "resolved_within_sla": _ratio_json(group.within_sla),
        "reopened": _ratio_json(group.reopened),
        "disputed": _ratio_json(group.disputed),
        "confirmed_fixed_by_citizens": _ratio_json(group.confirmed_fixed),
        "citizens_said_not_fixed": _ratio_json(group.not_fixed),
        "overdue_now": group.overdue,
        "incidents": group.incidents,
        "escalations": group.escalations,
    }


def _ratio_json(ratio: Ratio) -> dict:
    return {
        "numerator": ratio.numerator,
        "denominator": ratio.denominator,
        "percent": ratio.percent,
    }


def _sort_url(card: Scorecard, measure: Measure | str) -> str:
    """Link of a column heading: sort by it, better first; again to reverse."""
    measure = Measure(measure)
    better_first = measure in HIGHER_IS_BETTER
    if card.query.sort == measure:
        descending = not card.query.descending
    else:
        descending = better_first
    args = {
        **_link_args(),
        "sort": measure.value,
        "order": "desc" if descending else "asc",
    }
    return url_for("stats.page", **args)


def shown(value, percent: bool = False) -> str:
    """A figure as the page prints it: "—" where there is nothing to divide or rank."""
    if value is None:
        return "—"
    if percent:
        return format_percent(value / 100, format="#,##0.#%")
    return format_decimal(value, format="#,##0.#")


def _ratio_title(ratio: Ratio) -> str:
    return _(
        "%(numerator)s of %(denominator)s", numerator=ratio.numerator, denominator=ratio.denominator
    )


def _chart_data(card: Scorecard, language: str) -> dict:
    """What static/js/stats.js draws: one line per series, weeks along the bottom."""
    return {
        "rtl": language == "ar",
        "weeks": [date_text(date.fromisoformat(week), year=False) for week in card.weeks],
        "series": [
            {
                "name": _("All tickets")
                if series.key is None
                else series.name or str(UNGROUPED_LABELS[card.query.grouping]),
                "received": [point.received for point in series.points],
                "within_sla": [point.within_sla.percent for point in series.points],
            }
            for series in card.trends
        ],
        "labels": {
            "received": _("Complaints received per week"),
            "within_sla": _("Resolved within deadline (%), per week of receipt"),
            "week": _("Week starting"),
        },
    }
