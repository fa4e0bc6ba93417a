"""The monthly reports (/reports/<YYYY-MM> for the governorate, /reports/<directorate>/<YYYY-MM>
for one directorate): printable A4 pages, and the HTML `flask report monthly` turns into a PDF.

Public, like /stats: they show the same kind of figures (counts, times, rates) and only the
public facts of a ticket (reference, kind of problem, place), never a name or a phone number."""

from datetime import date

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import get_locale, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound as NotFoundError

from feedback.domain.period import BadDate, add_months, parse_month
from feedback.models import utcnow
from feedback.services.errors import NotFound
from feedback.services.reports import (
    DirectorateReport,
    directorate_report,
    governorate_report,
)
from feedback.services.stats import PERCENT_MEASURES, Grouping, InvalidPeriod, Measure
from feedback.web.caching import public_cache
from feedback.web.charts import bar_chart
from feedback.web.dates import month_text
from feedback.web.stats import MEASURE_LABELS, UNGROUPED_LABELS, shown

bp = Blueprint("reports", __name__)

# The rows of a report, in order, each a measure of the scorecards' contract
# (feedback.services.stats); a new measure there is reported by adding it here.
REPORT_MEASURES = (
    Measure.RECEIVED,
    Measure.ACK_24H,
    Measure.WITHIN_SLA,
    Measure.ACK_MEDIAN,
    Measure.RESOLVE_MEDIAN,
    Measure.REOPENED,
    Measure.DISPUTED,
    Measure.CONFIRMED_FIXED,
    Measure.NOT_FIXED,
    Measure.ESCALATIONS,
)
# The overdue backlog is as of now, whenever a complaint came in: no figure of one month.
RANKING_MEASURES = (*REPORT_MEASURES, Measure.OVERDUE)
# The scorecards' names of the measures, but for "Received", which there heads a column of
# counts and here stands alone.
REPORT_LABELS = {**MEASURE_LABELS, Measure.RECEIVED: _l("Complaints received")}
# The figures a directorate's report opens with.
HEADLINE_MEASURES = (Measure.RECEIVED, Measure.ACK_24H, Measure.WITHIN_SLA, Measure.DISPUTED)
CHART_LABELS = {
    Measure.RECEIVED: _l("Complaints received per month"),
    Measure.WITHIN_SLA: _l("Resolved within deadline (%), per month of receipt"),
}


# A report reads every complaint of its months (seconds at a million tickets) and changes
# slowly: a proxy or browser may keep it this long.
REPORT_MAX_AGE = 600


class ReportNotFound(Exception):
    """No report for this month or directorate; the message says why, in the page's language."""


def month_of(text: str) -> date:
    """The first day of a YYYY-MM month; ReportNotFound otherwise."""
    try:
        return parse_month(text)
    except BadDate:
        raise _no_month(text) from None


def _no_month(text: str) -> ReportNotFound:
    return ReportNotFound(
        _(
            "There is no report for “%(month)s”: write the month as YYYY-MM "
            "(for example 2026-03), one that has begun.",
            month=text[:20],
        )
    )


def governorate_html(first: date) -> str:
    """The governorate's summary page for the month (in the request's language)."""
    language = str(get_locale())
    try:
        report = governorate_report(first, language)
    except InvalidPeriod:
        raise _no_month(first.strftime("%Y-%m")) from None
    return _render(
        "reports/governorate.html",
        report=report,
        measures=RANKING_MEASURES,
        ungrouped=UNGROUPED_LABELS[Grouping.DIRECTORATE],
    )


def directorate_html(code: str, first: date) -> str:
    """One directorate's page for the month (in the request's language)."""
    language = str(get_locale())
    try:
        report = directorate_report(code, first, language)
    except NotFound:
        raise ReportNotFound(_("No directorate has the code “%(code)s”.", code=code[:40])) from None
    except InvalidPeriod:
        raise _no_month(first.strftime("%Y-%m")) from None
    return _render(
        "reports/directorate.html",
        report=report,
        measures=REPORT_MEASURES,
        headline=HEADLINE_MEASURES,
        charts=[_month_chart(report, measure, language == "ar") for measure in CHART_LABELS],
    )


def _render(template: str, **context) -> str:
    return render_template(template, labels=REPORT_LABELS, figure=figure, **context)


def figure(score, measure: Measure) -> str:
    """A measure of a scorecard as the report prints it ("—" for nothing to measure)."""
    return shown(score.value(measure), percent=measure in PERCENT_MEASURES)


def _month_chart(report: DirectorateReport, measure: Measure, rtl: bool):
    return bar_chart(
        str(CHART_LABELS[measure]),
        [
            (
                month_text(month.month, year=False),
                month.score.value(measure),
                figure(month.score, measure),
            )
            for month in report.months
        ],
        rtl=rtl,
        ceiling=100 if measure in PERCENT_MEASURES else None,
    )


@bp.get("/reports")
def index():
    """The latest whole month's summary."""
    this_month = to_user_timezone(utcnow()).date().replace(day=1)
    return redirect(
        url_for("reports.governorate", month=add_months(this_month, -1).strftime("%Y-%m"))
    )


@bp.get("/reports/<month>")
@public_cache(max_age=REPORT_MAX_AGE)
def governorate(month: str):
    try:
        return governorate_html(month_of(month))
    except ReportNotFound as error:
        return _not_found(error)


@bp.get("/reports/<code>/<month>")
@public_cache(max_age=REPORT_MAX_AGE)
def directorate(code: str, month: str):
    try:
        return directorate_html(code, month_of(month))
    except ReportNotFound as error:
        return _not_found(error)


def _not_found(error: ReportNotFound):
    return render_template("error.html", error=NotFoundError(), detail=str(error)), 404
