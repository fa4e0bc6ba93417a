"""The command line (`flask --app wsgi <name>`): the operators' tools and the monthly report.
(Citizens' SMS keywords are "commands": feedback.domain.commands.)"""

import smtplib
import time
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from config import ConfigError, config_for, config_values
from feedback.domain.period import BadDate, parse_month
from feedback.extensions import db
from feedback.mail import mail_configured, send_mail
from feedback.officer.escalations import digest_email
from feedback.production_checks import production_checks
from feedback.services import two_factor
from feedback.services.accounts import ROLES, AccountError, change_role, create_user
from feedback.services.attachments import FetchPolicy, fetch_due_media
from feedback.services.corrections import understanding_report
from feedback.services.deadlines import close_quiet, record_overdue, record_unconfirmed
from feedback.services.escalations import escalate_overdue, queue_digests
from feedback.services.intake import route_expired_conversations
from feedback.services.outbox import new_worker_id, send_due
from feedback.services.reports import check_month, directorate_codes
from feedback.services.rollups import refresh_rollups
from feedback.services.seed import generate_demo_tickets, is_seeded, load_reference_data
from feedback.services.stats import InvalidPeriod
from feedback.sms.backends import gateways_for, send_policy
from feedback.sms.twilio_media import TwilioMediaFetcher


@click.command("seed-demo")
@click.option("--tickets", default=400, show_default=True, help="Demo tickets to generate.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data already.")
@with_appcontext
def seed_demo_command(tickets: int, if_empty: bool) -> None:
    """Load the Basra reference data, demo users and realistic demo tickets."""
    if is_seeded():
        if if_empty:
            click.echo("Database already has data; nothing loaded.")
            return
        raise click.ClickException("Database already has data; seed-demo needs an empty one.")
    load_reference_data()
    made = generate_demo_tickets(tickets)
    click.echo(f"Loaded Basra reference data and {made} demo tickets.")


@click.command("seed-reference")
@with_appcontext
def seed_reference_command() -> None:
    """Load Basra's directorates, categories, places and routing rules into an empty database,
    for production: no demo users (their passwords are public) and no tickets."""
    if is_seeded():
        click.echo("Database already has reference data; nothing loaded.")
        return
    load_reference_data(demo_users=False)
    click.echo("Loaded Basra reference data; create staff accounts with `flask user create`.")


@click.command("conversations-expire")
@with_appcontext
def conversations_expire_command() -> None:
    """Route tickets whose question to the citizen went unanswered in time (run from cron)."""
    click.echo(f"Routed {route_expired_conversations()} ticket(s) that waited in vain.")


user_group = click.Group("user", help="Staff accounts.")


@user_group.command("create")
@click.option("--username", required=True)
@click.option("--name", required=True, help="Full name, shown to colleagues.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--directorate", "directorate_code", help="Directorate code (officers, managers).")
@click.option("--organisation", help="Organisation (monitors).")
@click.option("--phone", help="Staff phone for the escalation digest (managers, governorate).")
@click.option("--email", help="Email for the escalation digest (managers, governorate).")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(
    username, name, role, directorate_code, organisation, phone, email, password
) -> None:
    """Create a staff account: `flask user create --role officer --directorate water ...`;
    `--role manager --directorate water` for its head, `--role governorate` for the
    governor's office."""
    try:
        user = create_user(
            username, name, role, password, directorate_code, organisation, phone, email
        )
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.role} {user.username}.")


@user_group.command("set-role")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--directorate", "directorate_code", help="Directorate code (officers, managers).")
@click.option("--organisation", help="Organisation (monitors).")
@with_appcontext
def set_role_command(username, role, directorate_code, organisation) -> None:
    """Give a user another role; their open sessions end."""
    try:
        user = change_role(username, role, directorate_code, organisation)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.username} is now {user.role}; their sessions have ended.")


@user_group.command("reset-two-factor")
@click.option("--username", required=True)
@with_appcontext
def reset_two_factor_command(username) -> None:
    """Turn off two-factor login for a user who lost their phone and recovery codes; they
    set it up again at their next login (admins must, in production)."""
    try:
        user = two_factor.reset(username)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Two-factor login is off for {user.username}; their sessions have ended.")


understanding_group = click.Group("understanding", help="How well the SMS parser understands.")


@understanding_group.command("report")
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1))
@with_appcontext
def understanding_report_command(days: int) -> None:
    """The parser as it is now against the officers' corrections of the last DAYS days: how
    often it agrees with them, and the words that most often mislead it."""
    found = understanding_report(days)
    if not found.corrections:
        click.echo(f"No corrections in the last {days} days.")
        return
    click.echo(f"Corrections in the last {days} days: {found.corrections}")
    click.echo(
        f"The parser now agrees with {found.right} of {found.corrections} "
        f"({found.accuracy or 0:.1%})."
    )
    for title, tallies in (
        ("Category changes (old -> new)", found.categories),
        ("Transfers (old -> new directorate)", found.directorates),
    ):
        if tallies:
            click.echo(f"{title}:")
        for tally in tallies:
            click.echo(
                f"  {tally.before or '(none)'} -> {tally.after or '(none)'}: "
                f"{tally.corrections}, parser right on {tally.right}"
            )
    click.echo("Words that most often mislead (word: corrected texts, the category it points to):")
    for word in found.misleading:
        click.echo(f"  {word.word}: {word.corrections}, {word.category}")
    if not found.misleading:
        click.echo("  (none)")


# The longest wait between tries while the database is down.
DATABASE_RETRY_CAP_SECONDS = 30


@click.command("sms-worker")
@click.option("--once", is_flag=True, help="Send what is due, then stop (for cron or tests).")
@click.option("--batch", default=20, show_default=True, help="Rows claimed at a time.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@with_appcontext
def sms_worker_command(once: bool, batch: int, interval: float) -> None:
    """Send the Outbox through the configured gateway, and fetch WhatsApp's photos and voice
    notes, with retries; run several safely."""
    config = current_app.config
    gateways, policy, worker = gateways_for(config), send_policy(config), new_worker_id()
    fetcher = TwilioMediaFetcher.for_config(config)
    fetch_policy = FetchPolicy(
        config["MEDIA_FETCH_MAX_ATTEMPTS"], config["MEDIA_FETCH_RETRY_SECONDS"]
    )
    click.echo(f"sms-worker {worker}: {config['SMS_BACKEND']} backend")
    outage = 0.0
    while True:
        try:
            result = send_due(worker, gateways, policy, batch)
            media = fetch_due_media(fetcher, fetch_policy, batch)
        except DBAPIError as error:
            # The database restarting or unreachable: wait and try again, never exit, so a
            # PostgreSQL restart needs no restart of the workers. What was claimed stays
            # claimed until its lease runs out, then any worker sends it.
            if once:
                raise
            db.session.remove()
            outage = min(max(outage * 2, interval), DATABASE_RETRY_CAP_SECONDS)
            click.echo(f"database unavailable, retrying in {outage:.0f} s: {error.orig}", err=True)
            time.sleep(outage)
            continue
        outage = 0.0
        if result.sent or result.retried or result.failed:
            click.echo(f"sent {result.sent}, to retry {result.retried}, failed {result.failed}")
        if media.stored or media.retried or media.failed:
            click.echo(
                f"media stored {media.stored}, to retry {media.retried}, failed {media.failed}"
            )
        if once:
            return
        time.sleep(interval)


@click.command("sla-check")
@with_appcontext
def sla_check_command() -> None:
    """Record overdue tickets, send late ones up to their directorate's managers and (past
    twice their SLA) to the governor's office, record unanswered fix questions, and close
    quiet resolved ones (run from cron, e.g. hourly)."""
    overdue, escalated = record_overdue(), escalate_overdue()
    unconfirmed = record_unconfirmed()
    click.echo(
        f"{overdue} ticket(s) newly overdue, {escalated} escalation(s), {unconfirmed} fix(es) "
        f"unconfirmed by the citizen, {close_quiet()} closed."
    )


@click.command("escalation-digest")
@with_appcontext
def escalation_digest_command() -> None:
    """Tell each manager and the governor's office of the last day's escalations: by SMS to
    the staff phone on their account (through the outbox), and by email where MAIL_SERVER is
    set (run from cron, daily)."""
    config = current_app.config
    with current_app.test_request_context(base_url=config["PUBLIC_BASE_URL"] or None):
        digests = queue_digests(url_for("escalations.index", _external=True))
        emailed = 0
        for digest in digests if mail_configured(config) else []:
            if not digest.email:
                continue
            subject, body = digest_email(digest)
            try:
                send_mail(config, digest.email, subject, body)
            except (OSError, smtplib.SMTPException) as error:
                click.echo(f"email to {digest.username} failed: {error}", err=True)
            else:
                emailed += 1
    texted = sum(1 for digest in digests if digest.phone)
    click.echo(f"{len(digests)} digest(s): {texted} by SMS, {emailed} by email.")


@click.command("rollups-refresh")
@click.option("--full", is_flag=True, help="Rebuild every rollup from all the tickets.")
@with_appcontext
def rollups_refresh_command(full: bool) -> None:
    """Bring the scorecards' rollups up to date (run from cron, every few minutes)."""
    done = refresh_rollups(full=full)
    how = "rebuilt from every ticket" if done.full else "brought up to date"
    click.echo(
        f"Rollups {how}: {done.tickets} ticket(s) read, {done.days} day(s) of receipt counted, "
        f"in {done.seconds:.1f} s; figures as of {done.refreshed_at:%Y-%m-%d %H:%M} UTC."
    )


report_group = click.Group("report", help="Reports leadership reads.")


@report_group.command("monthly")
@click.option("--month", "month_text", required=True, help="The month, YYYY-MM (Basra time).")
@click.option("--directorate", "code", help="A directorate's code; without it, the summary.")
@click.option("--all", "every", is_flag=True, help="The summary, then every directorate.")
@click.option("--lang", type=click.Choice(["ar", "en"]), default="ar", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def report_monthly_command(
    month_text: str, code: str | None, every: bool, lang: str, out: Path
) -> None:
    """Write a month's report as an A4 PDF: one directorate's page (--directorate), the
    governorate summary (neither option), or the summary and every directorate's (--all)."""
    # WeasyPrint loads Pango: only for this command, not at every start of the app.
    from feedback.web.report_pdf import monthly_pdf

    try:
        first = parse_month(month_text, "--month")
    except BadDate as error:
        raise click.BadParameter(str(error), param_hint="--month") from error
    known = directorate_codes()
    if code is not None and code not in known:
        raise click.BadParameter(
            f"no directorate {code!r}; one of: {', '.join(known)}", param_hint="--directorate"
        )
    if code is not None and every:
        raise click.UsageError("--directorate and --all: choose one")
    try:
        check_month(first)
    except InvalidPeriod as error:
        raise click.ClickException(f"no report for {month_text}: {error}") from error
    codes = known if every else [code] if code else []
    with current_app.test_request_context("/reports", headers={"Accept-Language": lang}):
        pages = monthly_pdf(first, codes, summary=code is None, out=out)
    click.echo(f"Wrote {out} ({pages} page(s)).")


@click.command("check-config")
def check_config_command() -> None:
    """Print every production check with ✓ or ✗; exit 1 when one fails. Loaded as a Flask
    plugin command, so it runs even when the application itself would refuse to start."""
    try:
        config = config_values(config_for())
    except ConfigError as error:
        click.echo(f"✗ {error}")
        raise SystemExit(1) from error
    checks = production_checks(config)
    for check in checks:
        mark = "✓" if check.passed else "✗"
        advice = f"\n    {check.advice}" if check.advice and not check.passed else ""
        click.echo(f"{mark} {check.subject}{advice}")
    failed = sum(not check.passed for check in checks)
    click.echo(f"{len(checks) - failed} of {len(checks)} checks passed.")
    if failed:
        raise SystemExit(1)
