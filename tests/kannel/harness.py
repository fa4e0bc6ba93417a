"""Debian's real Kannel for end-to-end tests: bearerbox and smsbox on free loopback ports with
a rendered kannel.conf, and Kannel's own fake SMS centre (test/fakesmsc from kannel-extras).

How fakesmsc works (Kannel 1.4.5): it is a *client*. bearerbox's `smsc = fake` connection
listens on `port`, and fakesmsc connects to it (-H host -r port). It sends the messages given
on its command line (-m how many, -i seconds apart; one picked at random each time when
several are given, so we give exactly one), then stays connected and logs every message
bearerbox sends it as
    DEBUG: Got message N: <sender receiver type data>
on stderr, where `type data` is `text <data as is>`, `ucs-2 <UTF-16BE bytes, URL-encoded with
`+` for a space>`, `data <8-bit bytes, URL-encoded>`, or, for each part of a long (concatenated)
message, `udh <UDH, URL-encoded> data <bytes, URL-encoded>`; the last form does not say the
coding, and the parts are UTF-16BE here since the app always sends coding=2. A message line
it sends is "sender receiver type data": `text` with the data as is, `ucs2` with the UTF-16BE
bytes URL-encoded. The fake SMSC takes one client at a time, so
each mobile-originated message gets its own fakesmsc, which replaces the previous one and stays
connected to receive what is sent next. The fake SMSC acknowledges every MT itself: a
requested delivery report comes back as types 8 (SMSC submit) and 1 (delivered), in either
order.

Processes are started in their own session and always stopped: terminate, then kill."""

import os
import re
import signal
import socket
import string
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
TEMPLATE = Path(__file__).with_name("kannel.conf.template")

# Loopback only: never through an HTTP proxy from the environment.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
RECEIVED = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_installed() -> bool:
    return all(os.access(path, os.X_OK) for path in (BEARERBOX, SMSBOX, FAKESMSC))


def ucs2_data(text: str) -> str:
    """fakesmsc's `ucs2` message data: the UTF-16BE bytes, URL-encoded."""
    return urllib.parse.quote(text.encode("utf-16-be"), safe="")


def decode_data(kind: str, data: str) -> str:
    """The text of a message fakesmsc printed, by its type."""
    if kind == "text":
        return data
    raw = urllib.parse.unquote_to_bytes(data.replace("+", " "))
    return raw.decode("utf-16-be" if kind in ("ucs-2", "ucs2") else "latin-1")


@dataclass(frozen=True)
class SmsAtSmsc:
    """A mobile-terminated message as it reached the fake SMS centre (parts joined)."""

    sender: str
    receiver: str
    coding: str  # text | ucs-2 | data | udh (concatenated parts, decoded as UTF-16BE)
    text: str
    parts: int = 1


def concatenation(udh: bytes) -> tuple[int, int, int] | None:
    """(reference, total, sequence) from a UDH's concatenation element (IEI 0 or 8)."""
    position = 1
    while position + 1 < len(udh):
        iei, length = udh[position], udh[position + 1]
        value = udh[position + 2 : position + 2 + length]
        if iei == 0x00 and length == 3:
            return value[0], value[1], value[2]
        if iei == 0x08 and length == 4:
            return value[0] << 8 | value[1], value[2], value[3]
        position += 2 + length
    return None


def assemble(lines: list[str], udh_encoding: str = "utf-16-be") -> list[SmsAtSmsc]:
    """The messages in fakesmsc's log lines; a concatenated message once all parts are in."""
    messages: list[SmsAtSmsc | None] = []
    pending: dict[tuple, dict] = {}
    for line in lines:
        match = RECEIVED.search(line)
        if not match:
            continue
        sender, receiver, kind, data = match.groups()
        if kind != "udh":
            messages.append(SmsAtSmsc(sender, receiver, kind, decode_data(kind, data)))
            continue
        udh_data, _, payload = data.partition(" data ")
        udh = urllib.parse.unquote_to_bytes(udh_data.replace("+", " "))
        body = urllib.parse.unquote_to_bytes(payload.replace("+", " "))
        concat = concatenation(udh)
        if concat is None:
            messages.append(SmsAtSmsc(sender, receiver, kind, body.decode(udh_encoding)))
            continue
        reference, total, sequence = concat
        key = (sender, receiver, reference, total)
        if key not in pending:
            pending[key] = {"slot": len(messages), "parts": {}}
            messages.append(None)
        entry = pending[key]
        entry["parts"][sequence] = body
        if len(entry["parts"]) == total:
            joined = b"".join(entry["parts"][n] for n in sorted(entry["parts"]))
            text = joined.decode(udh_encoding)
            messages[entry["slot"]] = SmsAtSmsc(sender, receiver, kind, text, total)
            del pending[key]
    return [message for message in messages if message is not None]


class KannelError(AssertionError):
    pass


class Kannel:
    """bearerbox + smsbox + fakesmsc in `workdir`; use as a context manager."""

    def __init__(self, workdir: Path, app_url: str, secret: str, short_code: str = "4455"):
        self.workdir = Path(workdir)
        self.app_url = app_url.rstrip("/")
        self.secret = secret
        self.short_code = short_code
        self.username = "feedback"
        self.password = "sendsms-" + os.urandom(6).hex()
        self.admin_password = "admin-" + os.urandom(6).hex()
        self.ports = {
            "admin_port": free_port(),
            "smsbox_port": free_port(),
            "sendsms_port": free_port(),
            "fake_port": free_port(),
        }
        self.config_path = self.workdir / "kannel.conf"
        self._boxes: list[subprocess.Popen] = []
        self._smsc: subprocess.Popen | None = None
        self._smsc_logs: list[Path] = []
        self._files = []

    # -- what the app is configured with --------------------------------------------------

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms_port']}/cgi-bin/sendsms"

    def app_config(self) -> dict:
        return {
            "KANNEL_INBOUND_SECRET": self.secret,
            "KANNEL_ALLOWED_IPS": "127.0.0.1",
            "KANNEL_SENDSMS_URL": self.sendsms_url,
            "KANNEL_USERNAME": self.username,
            "KANNEL_PASSWORD": self.password,
            "KANNEL_FROM": self.short_code,
        }

    # -- lifecycle ---------------------------------------------------------------------

    def render_config(self) -> str:
        text = string.Template(TEMPLATE.read_text()).substitute(
            **self.ports,
            workdir=str(self.workdir),
            admin_password=self.admin_password,
            app_url=self.app_url,
            secret=urllib.parse.quote(self.secret, safe=""),
            username=self.username,
            password=self.password,
        )
        self.config_path.write_text(text)
        return text

    def start(self, timeout: float = 20) -> "Kannel":
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.render_config()
        try:
            self._boxes.append(self._spawn([str(BEARERBOX), str(self.config_path)], "bearerbox"))
            self._wait(lambda: self._status() is not None, timeout, "bearerbox admin port")
            self._boxes.append(self._spawn([str(SMSBOX), str(self.config_path)], "smsbox"))
            self._wait(self._smsbox_ready, timeout, "smsbox connected, sendsms port open")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every process started here, fakesmsc first, bearerbox last."""
        processes = ([self._smsc] if self._smsc else []) + self._boxes[::-1]
        for process in processes:
            _stop(process)
        self._smsc, self._boxes = None, []
        for handle in self._files:
            handle.close()
        self._files = []

    def __enter__(self) -> "Kannel":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.out", "ab")  # noqa: SIM115 - closed in stop()
        self._files.append(log)
        return subprocess.Popen(  # noqa: S603 - fixed binaries, our own arguments
            argv,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    # -- readiness -----------------------------------------------------------------------

    def _status(self) -> str | None:
        url = f"http://127.0.0.1:{self.ports['admin_port']}/status.txt?" + urllib.parse.urlencode(
            {"password": self.admin_password}
        )
        try:
            with LOCAL.open(url, timeout=2) as response:
                return response.read().decode("utf-8", errors="replace")
        except (OSError, urllib.error.URLError):
            return None

    def status(self) -> str:
        return self._status() or "(bearerbox admin page unreachable)"

    def _smsbox_ready(self) -> bool:
        page = self._status() or ""
        if "smsbox:" not in page:
            return False
        try:
            socket.create_connection(("127.0.0.1", self.ports["sendsms_port"]), timeout=1).close()
        except OSError:
            return False
        return True

    def _smsc_online(self) -> bool:
        return re.search(r"FAKE:\d+ \(online", self._status() or "") is not None

    def _wait(self, ready, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self._boxes + ([self._smsc] if self._smsc else []):
                if process.poll() is not None:
                    raise KannelError(
                        f"{process.args[0]} exited ({process.returncode})\n" + self.logs()
                    )
            if ready():
                return
            time.sleep(0.1)
        raise KannelError(f"timed out waiting for {what}\n" + self.logs())

    # -- the fake SMS centre ----------------------------------------------------------------

    def send_mo(self, sender: str, text: str, ucs2: bool = True, timeout: float = 15) -> None:
        """A citizen's message from `sender` to the short code, through a new fakesmsc that
        stays connected afterwards to receive what Kannel sends."""
        if ucs2:
            line = f"{sender} {self.short_code} ucs2 {ucs2_data(text)}"
        else:
            if "\n" in text:
                raise ValueError("fakesmsc's text messages are one line")
            line = f"{sender} {self.short_code} text {text}"
        self.connect_smsc([line], count=1, timeout=timeout)

    def connect_smsc(self, lines: list[str], count: int, timeout: float = 15) -> None:
        if self._smsc is not None:
            _stop(self._smsc)
            self._smsc = None
        name = f"fakesmsc-{len(self._smsc_logs) + 1}"
        self._smsc_logs.append(self.workdir / f"{name}.out")
        argv = [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.ports["fake_port"])]
        self._smsc = self._spawn([*argv, "-i", "0.2", "-m", str(count), *lines], name)
        log = self._smsc_logs[-1]
        if count:
            sent = re.compile(rf"fakesmsc: sent message {count}\b")
            self._wait(
                lambda: sent.search(log.read_text(errors="replace")), timeout, "fakesmsc send"
            )
        self._wait(self._smsc_online, timeout, "fakesmsc connected")

    def received(self) -> list[SmsAtSmsc]:
        """Every message the fake SMS centre received, in order, across fakesmsc runs; a
        concatenated one once all its parts are in."""
        lines = []
        for log in self._smsc_logs:
            lines += log.read_text(encoding="utf-8", errors="replace").splitlines()
        return assemble(lines)

    def wait_for_received(self, count: int, timeout: float = 20) -> list[SmsAtSmsc]:
        self._wait(lambda: len(self.received()) >= count, timeout, f"{count} MT message(s)")
        return self.received()

    # -- for failure messages ---------------------------------------------------------------

    def logs(self, tail: int = 40) -> str:
        parts = []
        for name in ("bearerbox.log", "smsbox.log", "smsbox-access.log"):
            path = self.workdir / name
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()[-tail:]
                parts.append(f"--- {name}\n" + "\n".join(lines))
        for path in self._smsc_logs:
            if path.exists():
                lines = path.read_text(errors="replace").splitlines()[-tail:]
                parts.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(parts)


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(grace)
