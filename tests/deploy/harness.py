"""The deployment as shipped in deploy/, run on free loopback ports: gunicorn started with the
feedback-web unit's own ExecStart line and an environment built from deploy/feedback.env.example
(FEEDBACK_ENV=production), and nginx with deploy/nginx/feedback.conf rendered for a temporary
directory. /srv/feedback in the shipped files stands for this checkout.

Processes are started in their own session and always stopped: SIGTERM, then SIGKILL."""

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
VENV_BIN = Path(sys.executable).parent
INSTALL_ROOT = "/srv/feedback"
PUBLIC_HOST = "feedback.basra.example"
TWILIO_TOKEN = "deploy-test-auth-token-0123456789abcdef"

# Loopback only: never through an HTTP proxy from the environment.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_installed_here(text: str) -> str:
    """A shipped file with /srv/feedback meaning this checkout (and its .venv, the test's)."""
    text = text.replace(f"{INSTALL_ROOT}/.venv/bin/", f"{VENV_BIN}/")
    return text.replace(INSTALL_ROOT, str(REPO))


def unit_setting(unit: str, key: str) -> str:
    """The value of `key=` in a shipped unit file (the first one)."""
    text = (DEPLOY / "systemd" / unit).read_text()
    return re.search(rf"^{key}=(.*)$", text, re.MULTILINE).group(1)


def env_file_values(path: Path = DEPLOY / "feedback.env.example") -> dict[str, str]:
    """The assignments an EnvironmentFile would give: uncommented KEY=value lines, quotes off."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = " ".join(shlex.split(value)) if value else ""
    return values


def production_env(database_url: str, port: int, **overrides: str | None) -> dict[str, str]:
    """The example environment file with this test's secrets, database and port; Twilio with a
    test token. An override of None removes the variable."""
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **env_file_values()}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI="memory://",
        TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        TWILIO_FROM="+15005550006",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class Process:
    """A server process in its own session, output to a log file, always stopped."""

    def __init__(self, argv: list[str], log: Path, **popen):
        self.log = log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(  # noqa: S603 - our own argv
            argv, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True, **popen
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until(self, ready, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.popen.poll() is not None:
                raise RuntimeError(f"exited with {self.popen.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout} s:\n{self.output()}")
            time.sleep(0.2)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM to the main process, as systemd does; the whole group is killed if it lingers."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # any straggler in the group
        except ProcessLookupError:
            pass
        self._out.close()
        return self.popen.returncode


def answers(url: str, **headers: str) -> bool:
    try:
        with LOCAL.open(urllib.request.Request(url, headers=headers), timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def start_gunicorn(env: dict[str, str], log: Path, application: str | None = None) -> Process:
    """gunicorn exactly as feedback-web.service starts it, in this checkout; `application`
    serves another WSGI app with the same settings (bench/webhook.py's baselines)."""
    argv = shlex.split(as_installed_here(unit_setting("feedback-web.service", "ExecStart")))
    if application:
        argv[-1] = application
    return Process(argv, log, cwd=REPO, env=env)


def self_signed_certificate(directory: Path, host: str = PUBLIC_HOST) -> tuple[Path, Path]:
    """A throw-away certificate for `host`, standing in for certbot's."""
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]  # noqa: S607
        + ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={host}"]
        + ["-addext", f"subjectAltName=DNS:{host}"],
        check=True,
        capture_output=True,
    )
    return cert, key


def render_nginx(directory: Path, http_port: int, https_port: int, upstream_port: int) -> Path:
    """deploy/nginx/feedback.conf inside a minimal nginx.conf whose every path is in
    `directory`: loopback ports instead of 80/443, a self-signed certificate instead of
    certbot's, this checkout's static/. Returns the nginx.conf path."""
    cert, key = self_signed_certificate(directory)
    site = (DEPLOY / "nginx" / "feedback.conf").read_text()
    replacements = {
        f"/etc/letsencrypt/live/{PUBLIC_HOST}/fullchain.pem": str(cert),
        f"/etc/letsencrypt/live/{PUBLIC_HOST}/privkey.pem": str(key),
        "/var/log/nginx/": f"{directory}/",
        "/var/www/letsencrypt": str(directory / "acme"),
        "/var/cache/nginx/feedback": str(directory / "cache"),
        f"{INSTALL_ROOT}/static/": f"{REPO}/static/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream_port};",
        "listen 80": f"listen 127.0.0.1:{http_port}",
        "listen 443": f"listen 127.0.0.1:{https_port}",
    }
    for shipped, here in replacements.items():
        if shipped not in site:
            raise AssertionError(f"{shipped!r} is no longer in deploy/nginx/feedback.conf")
        site = site.replace(shipped, here)
    # IPv6 may be off on a test machine; the IPv4 listeners are the same server blocks.
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (directory / "feedback.conf").write_text(site)
    temp = directory / "temp"
    temp.mkdir()
    conf = directory / "nginx.conf"
    conf.write_text(
        # As root, nginx's workers would drop to nobody, who cannot enter pytest's directory.
        ("user root;\n" if os.geteuid() == 0 else "") + f"pid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log;\n"
        "worker_processes 1;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "  include /etc/nginx/mime.types;\n"
        "  default_type application/octet-stream;\n"
        f"  access_log {directory}/access.log;\n"
        + "".join(
            f"  {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {directory}/feedback.conf;\n"
        "}\n"
    )
    return conf
