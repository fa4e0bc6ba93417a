"""The monthly reports (/reports/<directorate>/<YYYY-MM>, /reports/<YYYY-MM>) and their PDF
(`flask report monthly`): the same figures as /stats for the same month, Basra's month
boundaries, Arabic right to left, no personal data, and clear errors."""

import re
import subprocess
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from feedback.domain.period import add_months, month_end
from feedback.extensions import db
from feedback.models import Area, Category, Directorate, TicketEvent, Verification, utcnow
from feedback.models.escalations import Escalation
from tests.factories import (
    CITIZEN_NAME,
    CITIZEN_PHONE,
    demo_user,
    reopening,
    ticket_row,
    timed_ticket,
)

PHONE, NAME = CITIZEN_PHONE, CITIZEN_NAME
BASRA = ZoneInfo("Asia/Baghdad")
# The figures of the month table's rows, in order (feedback.web.reports.REPORT_MEASURES).
ROWS = ("received", "ack_24h", "within_sla", "ack_median", "resolve_median", "reopened",
        "disputed", "confirmed_fixed", "not_fixed", "escalations")  # fmt: skip


def _month_first(months_back: int):
    this_month = utcnow().astimezone(BASRA).date().replace(day=1)
    return add_months(this_month, -months_back)


@pytest.fixture
def month(app):
    return report_month(app)


def report_month(app) -> str:
    """Two months ago, in Basra: four water complaints and an electricity one at known times
    (mid-month, so UTC and Basra days agree), one water complaint the month before; YYYY-MM."""
    first = _month_first(2)
    noon = datetime(first.year, first.month, 10, 12, tzinfo=UTC)
    with app.app_context():
        water, electricity = (
            db.session.scalar(sa.select(Directorate).where(Directorate.code == code))
            for code in ("water", "electricity")
        )
        supply = db.session.scalar(sa.select(Category).where(Category.code == "water-supply"))
        siba, hartha = (
            db.session.scalar(sa.select(Area).where(Area.code == code))
            for code in ("sub-siba", "sub-hartha")
        )
        # reference, directorate, area, days after the 10th, hours to acknowledge, to resolve
        rows = [
            ("WAT1", water, siba, 0, 3, 20, "resolved"),  # in time
            ("WAT2", water, siba, 1, 30, 60, "resolved"),  # late on both counts; reopened
            ("WAT3", water, hartha, 2, None, None, "new"),  # open, overdue now
            ("WAT4", water, siba, 3, 5, 10, "resolved"),  # in time; disputed
            ("ELE1", electricity, siba, 0, 1, 2, "resolved"),
            ("OLD1", water, siba, -35, 2, 4, "resolved"),  # the month before
        ]
        made = {}
        for ref, directorate, area, day, ack, resolved, status in rows:
            made[ref] = timed_ticket(
                ref,
                noon + timedelta(days=day),
                ack,
                resolved,
                category=supply,
                area=area,
                directorate=directorate,
                status=status,
            )
            db.session.add(made[ref])
        made["WAT2"].events.append(reopening(noon + timedelta(days=5)))
        # WAT1's citizen, asked, said it is fixed; WAT2's said it is not: the reopening above.
        for ref, answer in (("WAT1", "confirmed_fixed"), ("WAT2", "not_fixed")):
            for kind in ("fix_asked", answer):
                made[ref].events.append(
                    TicketEvent(
                        actor_label="system", kind=kind, created_at=noon + timedelta(days=4)
                    )
                )
        db.session.flush()
        # WAT3, overdue, went up to the directorate head within the month.
        db.session.add(
            Escalation(
                ticket_id=made["WAT3"].id,
                level="directorate",
                reason="overdue",
                directorate_id=water.id,
                created_at=noon + timedelta(days=6),
            )
        )
        db.session.add(
            Verification(
                ticket_id=made["WAT4"].id,
                monitor_id=demo_user("monitor").id,
                verdict="disputed",
                note="still dry",
            )
        )
        db.session.commit()
    return first.strftime("%Y-%m")


def _get(client, path: str, language: str = "en"):
    return client.get(path, headers={"Accept-Language": language})


def _printed(value, percent: bool = False) -> str:
    """A /stats.json figure as the report prints it."""
    if value is None:
        return "—"
    return f"{value:g}" + ("%" if percent else "")


def _stats_figures(group: dict) -> list[str]:
    return [
        _printed(group["received"]),
        _printed(group["acknowledged_within_24h"]["percent"], True),
        _printed(group["resolved_within_sla"]["percent"], True),
        _printed(group["time_to_acknowledge"]["median_hours"]),
        _printed(group["time_to_resolve"]["median_hours"]),
        _printed(group["reopened"]["percent"], True),
        _printed(group["disputed"]["percent"], True),
        _printed(group["confirmed_fixed_by_citizens"]["percent"], True),
        _printed(group["citizens_said_not_fixed"]["percent"], True),
        _printed(group["escalations"]),
    ]


def test_a_directorates_month_has_the_figures_of_stats_for_that_month(client, month):
    first = datetime.strptime(month, "%Y-%m").date()
    period = f"from={first}&to={month_end(first)}"
    stats = _get(client, f"/stats.json?{period}").get_json()
    water = next(group for group in stats["groups"] if group["key"] == "water")
    # Known from the tickets: 4 received, 2 acknowledged in 24 h, 2 of 3 answers in time,
    # medians 5 h and 20 h, 1 of 3 reopened, 1 of 3 disputed; of the 2 citizens asked, 1 said
    # fixed and 1 not; 1 escalation.
    expected = ["4", "50%", "66.7%", "5", "20", "33.3%", "33.3%", "50%", "50%", "1"]
    assert _stats_figures(water) == expected

    response = _get(client, f"/reports/water/{month}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'lang="en"' in page and 'dir="ltr"' in page
    assert "Basra Water Directorate" in page
    current = re.findall(r'<td class="num current">([^<]*)</td>', page)
    assert current == _stats_figures(water)
    # The month before, and the two before it, beside it: OLD1 alone, then nothing.
    received = re.search(r"<th scope=\"row\">Complaints received</th>(.*?)</tr>", page, re.S)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", received.group(1)) == ["0", "0", "1", "4"]
    headline = re.findall(r'<span class="value">([^<]*)</span>', page)
    assert headline == ["4", "50%", "66.7%", "33.3%", "1"]  # and overdue now: WAT3
    assert page.count("<svg") == 2 and "<script" not in page and "style=" not in page


def test_the_worst_places_and_the_longest_open_complaints(client, month):
    page = _get(client, f"/reports/water/{month}").get_data(as_text=True)
    places = re.search(r"most open complaints</h2>(.*?)</table>", page, re.S).group(1)
    assert (
        "Al-Hartha Subdistrict" in places and "Al-Siba" not in places
    )  # Siba's complaints are answered
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', places) == ["1", "1", "1"]
    longest = re.search(r"Complaints open longest</h2>(.*?)</table>", page, re.S).group(1)
    assert 'href="/t/WAT3"' in longest and "WAT1" not in longest
    days = (utcnow() - datetime.strptime(month, "%Y-%m").replace(day=12, hour=12, tzinfo=UTC)).days
    assert f'<td class="num">{days}</td>' in longest
    assert "No water / weak water supply" in longest and "Al-Hartha Subdistrict" in longest


def test_the_governorate_summary_ranks_every_directorate(app, client, month):
    with app.app_context():  # sewerage has answered nothing: a row, but no place
        sewerage = db.session.scalar(sa.select(Directorate).where(Directorate.code == "sewerage"))
        received = datetime.strptime(f"{month}-15", "%Y-%m-%d").replace(tzinfo=UTC)
        db.session.add(ticket_row("SEW1", directorate=sewerage, created_at=received))
        db.session.commit()
    page = _get(client, f"/reports/{month}").get_data(as_text=True)
    ranked = re.findall(r'<td class="num">(\d*)</td>\s*<th scope="row"><a href="([^"]+)">', page)
    # Electricity answered its one complaint in time (100 %), water two of three.
    assert ranked == [
        ("1", f"/reports/electricity/{month}"),
        ("2", f"/reports/water/{month}"),
        ("", f"/reports/sewerage/{month}"),
    ]
    assert "<script" not in page and "style=" not in page


def test_in_arabic_the_report_reads_right_to_left(client, month):
    for path in (f"/reports/water/{month}", f"/reports/{month}"):
        page = _get(client, path, "ar").get_data(as_text=True)
        assert 'lang="ar"' in page and 'dir="rtl"' in page, path
        assert "التقرير الشهري" in page and "مديرية ماء البصرة" in page, path


def test_no_personal_data_on_any_report(client, month):
    for path in (f"/reports/water/{month}", f"/reports/{month}", f"/reports/electricity/{month}"):
        for language in ("en", "ar"):
            body = _get(client, path, language).get_data(as_text=True)
            assert PHONE not in body and "7801234567" not in body, path
            assert NAME not in body and "اتصلوا" not in body, path


def test_a_month_is_bounded_by_basra_midnights(app, client):
    """A complaint at 22:00 UTC on the last day is 01:00 on the 1st in Basra: next month's."""
    first = _month_first(2)
    late_evening = datetime.combine(month_end(first), datetime.min.time(), UTC) + timedelta(
        hours=22
    )
    with app.app_context():
        water = db.session.scalar(sa.select(Directorate).where(Directorate.code == "water"))
        db.session.add(ticket_row("EDGE1", directorate=water, created_at=late_evening))
        db.session.commit()

    def received(month) -> str:
        page = _get(client, f"/reports/water/{month:%Y-%m}").get_data(as_text=True)
        return re.findall(r'<span class="value">([^<]*)</span>', page)[0]

    assert received(first) == "0"
    assert received(add_months(first, 1)) == "1"


@pytest.mark.parametrize(
    "path",
    ["/reports/water/2026-13", "/reports/water/26-03", "/reports/2026-3", "/reports/water/next"],
)
def test_a_month_that_is_no_month_is_not_found(client, path):
    response = _get(client, path)
    assert response.status_code == 404
    assert "write the month as YYYY-MM" in response.get_data(as_text=True)


def test_a_month_not_begun_and_an_unknown_directorate_are_not_found(client):
    coming = f"{add_months(_month_first(0), 1):%Y-%m}"
    for path in (f"/reports/water/{coming}", f"/reports/{coming}"):
        assert _get(client, path).status_code == 404, path
    response = _get(client, f"/reports/no-such-body/{_month_first(1):%Y-%m}")
    assert response.status_code == 404
    assert "No directorate has the code “no-such-body”." in response.get_data(as_text=True)


def test_reports_lead_to_the_latest_whole_month(client):
    response = client.get("/reports")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/{_month_first(1):%Y-%m}")


# --- the PDF ---------------------------------------------------------------------------------


def _poppler(tool: str, pdf, *args: str) -> str:
    """What one of poppler's tools (Debian's poppler-utils, see the Makefile) says of a PDF."""
    done = subprocess.run(  # noqa: S603 - our own argv
        [tool, str(pdf), *args],  # noqa: S607 - found on PATH like the other Debian tools
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def _pages(pdf) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", _poppler("pdfinfo", pdf), re.M).group(1))


def _text(pdf) -> str:
    return _poppler("pdftotext", pdf, "-")


def test_the_cli_writes_a_directorates_month_as_one_a4_page(runner, month, tmp_path):
    out = tmp_path / "water.pdf"
    args = ["report", "monthly", "--month", month, "--directorate", "water", "--lang", "en"]
    result = runner.invoke(args=[*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "(1 page(s))" in result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert _pages(out) == 1
    assert "595.276 x 841.89 pts (A4)" in _poppler("pdfinfo", out)
    text = _text(out)
    assert "Basra Water Directorate" in text and "66.7%" in text and "WAT3" in text
    assert PHONE not in text and "7801234567" not in text and NAME not in text


def test_the_cli_in_arabic_and_for_every_directorate(app, runner, month, tmp_path):
    arabic = tmp_path / "water-ar.pdf"
    result = runner.invoke(
        args=["report", "monthly", "--month", month, "--directorate", "water", "--out", arabic]
    )
    assert result.exit_code == 0, result.output
    assert _pages(arabic) == 1
    assert "البصرة" in _text(arabic)  # shaped text keeps its characters
    summary = tmp_path / "summary.pdf"
    assert (
        runner.invoke(args=["report", "monthly", "--month", month, "--out", summary]).exit_code == 0
    )
    assert _pages(summary) == 1
    assert "841.89 x 595.276 pts (A4)" in _poppler("pdfinfo", summary)  # the ranking: across
    every = tmp_path / "all.pdf"
    result = runner.invoke(args=["report", "monthly", "--month", month, "--all", "--out", every])
    assert result.exit_code == 0, result.output
    with app.app_context():
        directorates = db.session.scalar(sa.select(sa.func.count(Directorate.id)))
    assert _pages(every) == 1 + directorates


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13", "--directorate", "water"], "--month must be a month, YYYY-MM"),
        (["--month", "March", "--directorate", "water"], "--month must be a month, YYYY-MM"),
        (["--month", "2026-03", "--directorate", "nowhere"], "no directorate 'nowhere'; one of:"),
        (["--month", "2999-12", "--directorate", "water"], "no report for 2999-12"),
        (["--month", "2026-03", "--directorate", "water", "--all"], "choose one"),
    ],
)
def test_the_cli_refuses_a_bad_month_or_directorate(runner, tmp_path, args, message):
    out = tmp_path / "no.pdf"
    result = runner.invoke(args=["report", "monthly", *args, "--out", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()
