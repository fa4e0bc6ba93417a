"""The systemd units in deploy/systemd: `systemd-analyze verify` accepts them (every key known,
every program present) with /srv/feedback meaning this checkout, their sandbox scores well in
`systemd-analyze security`, each timer starts a service, the flask commands they run exist,
and the example environment file names every variable the app and gunicorn read."""

import re
import shutil
import subprocess

import pytest

from tests.deploy.harness import DEPLOY, REPO, as_installed_here

UNITS = DEPLOY / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
TIMERS = sorted(UNITS.glob("*.timer"))
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd_analyze = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None,
    reason="systemd-analyze is missing: apt-get install -y systemd (make install-test does)",
)
SANDBOX = (
    "User=feedback",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "CapabilityBoundingSet=",
    "SystemCallFilter=@system-service",
)


@pytest.fixture(scope="module")
def units_here(tmp_path_factory):
    """The units with /srv/feedback replaced by this checkout, so their programs exist."""
    directory = tmp_path_factory.mktemp("units")
    for unit in SERVICES + TIMERS:
        (directory / unit.name).write_text(as_installed_here(unit.read_text()))
    return directory


def analyze(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [SYSTEMD_ANALYZE, *args], capture_output=True, text=True, timeout=120
    )


@needs_systemd_analyze
def test_systemd_analyze_verify_accepts_every_unit(units_here):
    result = analyze("verify", *sorted(str(path) for path in units_here.iterdir()))
    # verify only warns about unknown keys and unsafe settings; any line naming a unit fails.
    complaints = [line for line in result.stderr.splitlines() if str(units_here) in line]
    assert result.returncode == 0, result.stderr
    assert complaints == []


@needs_systemd_analyze
@pytest.mark.parametrize("service", [path.name for path in SERVICES])
def test_sandbox_exposure_is_low(units_here, service):
    version = int(re.search(r"systemd (\d+)", analyze("--version").stdout).group(1))
    if version < 250:
        pytest.skip(f"systemd {version} has no `security --offline`")
    # The threshold is on a 0-100 scale: 20 is an exposure of 2.0 ("OK") out of 10.
    result = analyze("security", "--offline=yes", "--threshold=20", str(units_here / service))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr


@pytest.mark.parametrize("service", [path.name for path in SERVICES])
def test_every_service_runs_sandboxed_as_the_feedback_user(service):
    text = (UNITS / service).read_text()
    lines = set(text.splitlines())
    assert [setting for setting in SANDBOX if setting not in lines] == []
    assert "EnvironmentFile=/etc/feedback/feedback.env" in lines
    writable = re.findall(r"^ReadWritePaths=(.*)$", text, re.MULTILINE)
    expected = "/var/backups/feedback" if service == "feedback-backup.service" else None
    assert writable == [expected or "/srv/feedback/instance"]


def test_every_timer_starts_its_service():
    assert {timer.stem for timer in TIMERS} == {
        "feedback-sla-check",
        "feedback-escalation-digest",
        "feedback-conversations-expire",
        "feedback-rollups-refresh",
        "feedback-backup",
    }
    for timer in TIMERS:
        assert (UNITS / f"{timer.stem}.service").exists()
        assert "OnCalendar=" in timer.read_text()


def test_flask_commands_in_units_exist(app):
    commands = set()
    for service in SERVICES:
        commands |= set(re.findall(r"flask --app wsgi ([\w-]+)", service.read_text()))
    assert commands == {
        "sms-worker",
        "sla-check",
        "escalation-digest",
        "conversations-expire",
        "rollups-refresh",
    }
    assert commands <= set(app.cli.commands)


def test_example_environment_names_every_variable_read():
    read = set()
    for source in (REPO / "config.py", REPO / "gunicorn.conf.py"):
        read |= set(re.findall(r"environ\.get\(\s*\"([A-Z0-9_]+)\"", source.read_text()))
    example = (DEPLOY / "feedback.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z0-9_]+)=", example, re.MULTILINE))
    assert read - named == set()
    assert {"FEEDBACK_ENV", "SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL"} <= read
