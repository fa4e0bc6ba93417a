"""Twilio's webhook at city scale: POST /sms/inbound served as deployed (gunicorn with
gunicorn.conf.py, 2 sync workers, production settings) under wrk replaying signed webhooks,
each a real Arabic or English complaint (feedback/data/messages corpora) from a new sender, so flood
control never steps in. With the same server settings, three baselines
(bench/webhook_baseline.py): a bare Flask route answering constant TwiML, the same behind
Twilio's signature check, and that plus a three-row insert in one transaction, the durable
floor. Every measurement is taken in each of a few rounds, interleaved, and each share of the
floor is against the floor of its own round. Afterwards the tickets in the database are
counted against the 2xx answers.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/feedback_bench \
        .venv/bin/python bench/webhook.py [--rounds 3] [--seconds 5] [--keep DIR]

PostgreSQL is the database in BENCH_DATABASE_URL (emptied first); without it only SQLite
runs. Needs wrk: `make bench-webhook` installs it and runs this. Figures on a shared machine
are noisy: compare the shares of the floor, not req/s across runs."""

import argparse
import csv
import os
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.scratch_db import bench_database  # noqa: E402
from feedback.domain.reference import ALPHABET  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Message, Ticket  # noqa: E402
from feedback.reference_data import DATA_DIR  # noqa: E402
from feedback.sms.signature import sign  # noqa: E402
from tests.deploy.harness import (  # noqa: E402
    TWILIO_TOKEN,
    Process,
    answers,
    free_port,
    production_env,
    start_gunicorn,
)

CORPORA = [DATA_DIR / "messages" / "sms_corpus.csv", DATA_DIR / "messages" / "sms_holdout.csv"]
LUA = ROOT / "bench" / "webhook.lua"
REFERENCE = re.compile(rf"(?<![A-Z0-9])[{ALPHABET}]{{5}}(?![A-Z0-9])")
FLOOR_CHANNEL = "bench"  # the floor's rows, kept apart from the webhook's when counting
GOALS = {"postgresql": (0.50, 50.0), "sqlite": (0.30, 100.0)}  # share of the floor, p99 ms


@dataclass
class Load:
    """What one wrk run measured."""

    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int]
    socket_errors: int
    timeouts: int
    ran_out: bool
    bodies: list[str]
    cpu_ms: float = 0.0  # server side (gunicorn's workers, PostgreSQL's backends) a request
    database_cpu_ms: float = 0.0  # PostgreSQL's backends' part of it

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def ok(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def errors(self) -> int:
        return self.requests - self.ok + self.socket_errors + self.timeouts


class Bench:
    def __init__(self, options, workdir: Path):
        self.options = options
        self.workdir = workdir
        self.texts = [row["text"] for path in CORPORA for row in csv.DictReader(path.open())]
        self.senders = 0

    def signed_requests(self, path: str, count: int, public_base_url: str) -> Path:
        """`count` webhooks as Twilio would sign them, each from a new sender, in a file."""
        file = self.workdir / f"requests-{secrets.token_hex(4)}.txt"
        with file.open("w") as out:
            for _ in range(count):
                self.senders += 1
                params = {
                    "MessageSid": "SM" + secrets.token_hex(16),
                    "AccountSid": "AC" + "1" * 32,
                    "From": f"+9647{self.senders:09d}",
                    "To": "4455",
                    "Body": self.texts[self.senders % len(self.texts)],
                    "NumMedia": "0",
                }
                signature = sign(TWILIO_TOKEN, public_base_url + path, params)
                out.write(f"{signature}\t{urllib.parse.urlencode(params)}\n")
        return file

    @contextmanager
    def gunicorn(self, application: str, app):
        """gunicorn serving `application` on the database of `app` (the bench's own)."""
        port = free_port()
        env = production_env(app.config["SQLALCHEMY_DATABASE_URI"], port)
        server = start_gunicorn(env, self.workdir / f"gunicorn-{port}.log", application)
        try:
            server.wait_until(lambda: answers(f"http://127.0.0.1:{port}/"))
            yield Server(f"http://127.0.0.1:{port}", env["PUBLIC_BASE_URL"], server.popen.pid, app)
        finally:
            server.stop()

    def load(self, label: str, server: "Server", path: str, seconds: int, cycle: bool) -> Load:
        """wrk on `path`: replayed over and over (cycle) or each request once (stored ones)."""
        count = min(self.options.requests, 2_000) if cycle else self.options.requests
        requests = self.signed_requests(path, count, server.public_base_url)
        results = self.workdir / "wrk-results.txt"
        results.unlink(missing_ok=True)
        env = {
            **os.environ,
            "WRK_REQUESTS": str(requests),
            "WRK_RESULTS": str(results),
            "WRK_THREADS": str(self.options.threads),
            "WRK_CYCLE": "1" if cycle else "0",
            "WRK_KEEP_BODIES": "0" if cycle else "1",
        }
        argv = ["wrk", f"-t{self.options.threads}", f"-c{self.options.connections}"]
        argv += [f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), server.url + path]
        cpu_before = server.cpu_seconds()
        wrk = Process(argv, self.workdir / "wrk.log", env=env)
        wrk.popen.wait(timeout=seconds + 60)
        wrk.stop()
        cpu = server.cpu_seconds()
        if not results.exists():
            raise RuntimeError(f"wrk failed:\n{wrk.output()}")
        load = read_results(label, results.read_text())
        used = {pid: seconds - cpu_before.get(pid, 0.0) for pid, seconds in cpu.items()}
        load.cpu_ms = 1000 * sum(used.values()) / max(load.requests, 1)
        database = sum(used[pid] for pid in used if pid not in server.worker_pids())
        load.database_cpu_ms = 1000 * database / max(load.requests, 1)
        return load


@dataclass
class Server:
    url: str
    public_base_url: str  # what it checks Twilio's signatures against
    pid: int  # gunicorn's master
    app: object  # the bench's app on the same database

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time so far of each process serving: gunicorn's workers and, on PostgreSQL,
        the backends of this database (the machine is shared: other work is not counted)."""
        pids = self.worker_pids()
        with self.app.app_context():
            if db.engine.dialect.name == "postgresql":
                query = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                pids += db.session.scalars(sa.text(query + " AND pid <> pg_backend_pid()"))
            db.session.remove()
        return {pid: _cpu_seconds(pid) for pid in pids}

    def worker_pids(self) -> list[int]:
        return [pid for pid, parent in _processes() if parent == self.pid]


def _processes():
    """(pid, parent pid) of every process."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            yield int(stat.parent.name), int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue


def _cpu_seconds(pid: int) -> float:
    """User and system time of a process (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_results(label: str, text: str) -> Load:
    values: dict[str, int] = {}
    statuses: dict[int, int] = {}
    bodies, ran_out = [], False
    for line in text.splitlines():
        key, _, rest = line.partition(" ")
        if key == "body":
            bodies.append(rest)
        elif key == "status":
            status, count = map(int, rest.split())
            statuses[status] = statuses.get(status, 0) + count
        elif key == "ran_out":
            ran_out = ran_out or rest == "1"
        else:
            values[key] = int(rest)
    return Load(
        label,
        values["requests"],
        values["duration_us"] / 1e6,
        values["p50_us"] / 1000,
        values["p99_us"] / 1000,
        statuses,
        values["socket_errors"],
        values["timeouts"],
        ran_out,
        bodies,
    )


def check_tickets(app, bodies: list[str], answers: int, first_ticket: int) -> str:
    """Tickets and messages the webhook stored (not the floor's rows) against its 2xx
    answers: each answer's reference stored (none lost), one ticket a message (none doubled)."""
    with app.app_context():
        references = set(
            db.session.scalars(
                sa.select(Ticket.reference).where(
                    Ticket.id > first_ticket, Ticket.channel != FLOOR_CHANNEL
                )
            )
        )
        ticket_ids = db.session.scalars(
            sa.select(Message.ticket_id).where(
                Message.direction == "in",
                Message.channel != FLOOR_CHANNEL,
                Message.ticket_id.is_(None) | (Message.ticket_id > first_ticket),
            )
        ).all()
        db.session.remove()
    answered = set()
    lost = 0
    for body in bodies:
        found = references.intersection(REFERENCE.findall(body))
        answered |= found
        lost += not found
    linked = [ticket_id for ticket_id in ticket_ids if ticket_id is not None]
    doubled = (len(references) - len(set(linked))) + (len(linked) - len(set(linked)))
    in_flight = len(references - answered)
    return (
        f"{len(references):,} tickets, {len(ticket_ids):,} messages for {answers:,} answers"
        f" (2xx): {lost} lost, {doubled} doubled, {len(ticket_ids) - len(linked)} messages"
        f" without a ticket; {in_flight} stored for requests in flight when wrk stopped"
    )


def settled_last_ticket(app) -> int:
    """The last ticket's id once the requests a warm-up left in flight have been stored;
    each read ends at once (on SQLite an open transaction holds the write lock)."""

    def last() -> int:
        with app.app_context():
            found = db.session.scalar(sa.select(sa.func.max(Ticket.id))) or 0
            db.session.remove()
        return found

    before, found = -1, last()
    while found != before:
        time.sleep(1)
        before, found = found, last()
    return found


def analyze(app) -> None:
    """Statistics, as a database in service has them. Without any, PostgreSQL plans the flood
    count (kept prepared by each connection) on the (channel, direction, external_id) index
    and reads every message of the channel: 6 ms at 5,000 messages, and growing."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        db.engine.dispose()


@dataclass
class Target:
    """One database with its two servers: the baselines' and the app's."""

    dialect: str
    app: object
    baseline: Server
    server: Server
    first_ticket: int = 0


def start(bench: Bench, stack: ExitStack, sqlite: bool) -> Target:
    app = stack.enter_context(bench_database(sqlite=sqlite))
    dialect = db.engine.dialect.name
    db.engine.dispose()
    baseline = stack.enter_context(bench.gunicorn("bench.webhook_baseline:app", app))
    server = stack.enter_context(bench.gunicorn("wsgi:app", app))
    return Target(dialect, app, baseline, server)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--rounds", type=int, default=3, help="of every measurement")
    arguments.add_argument("--seconds", type=int, default=5, help="each measured run")
    arguments.add_argument("--warmup", type=int, default=3, help="each server, before round 1")
    arguments.add_argument("--connections", type=int, default=16)
    arguments.add_argument("--threads", type=int, default=1, help="wrk's threads")
    arguments.add_argument("--requests", type=int, default=20_000, help="signed webhooks a run")
    arguments.add_argument("--databases", default="postgresql,sqlite")
    arguments.add_argument("--keep", type=Path, help="keep the server logs in this folder")
    options = arguments.parse_args()
    databases = options.databases.split(",")
    if "postgresql" in databases and not os.environ.get("BENCH_DATABASE_URL"):
        print("BENCH_DATABASE_URL unset: PostgreSQL skipped")
        databases.remove("postgresql")
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        workdir = options.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        bench = Bench(options, workdir)
        targets = [start(bench, stack, name == "sqlite") for name in databases]
        plan = [("bare Flask route, constant TwiML", targets[0].baseline, "/bare", True)]
        plan.append(("+ Twilio signature check", targets[0].baseline, "/signed", True))
        for target in targets:
            label = f"+ 3-row insert, one transaction ({target.dialect})"
            plan.append((label, target.baseline, "/insert", True))
        for target in targets:
            plan.append((f"/sms/inbound ({target.dialect})", target.server, "/sms/inbound", False))
        for _label, server, path, cycle in plan:
            bench.load("warm-up", server, path, options.warmup, cycle)
        for target in targets:
            target.first_ticket = settled_last_ticket(target.app)
            analyze(target.app)
        rounds = []
        for _ in range(options.rounds):  # interleaved, so a busy spell hits every figure
            measured = {}
            for label, server, path, cycle in plan:
                measured[label] = bench.load(label, server, path, options.seconds, cycle)
            rounds.append(measured)
        notes = []
        for target in targets:
            loads = [measured[f"/sms/inbound ({target.dialect})"] for measured in rounds]
            bodies = [body for load in loads for body in load.bodies]
            answers = sum(load.ok for load in loads)
            stored = check_tickets(target.app, bodies, answers, target.first_ticket)
            notes.append(f"{target.dialect}: {stored}")
    report(options, rounds, notes)


def report(options, rounds: list[dict[str, Load]], notes: list[str]) -> None:
    """Medians over the rounds; each share is of the floor measured in the same round."""
    floor = next(
        (label for label in rounds[0] if "3-row insert" in label and "postgresql" in label), None
    )
    floor = floor or next(label for label in rounds[0] if "3-row insert" in label)
    print(
        "gunicorn -c gunicorn.conf.py, 2 sync workers, production settings;"
        f" wrk -t{options.threads} -c{options.connections}; {options.rounds} rounds of"
        f" {options.seconds} s runs, interleaved; medians over the rounds, each share of the"
        " floor measured in the same round (a shared machine: compare shares, not req/s"
        " across runs)"
    )
    print(
        f"{'what':<44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
        f" {'CPU ms':>6} {'(db)':>5} {'of floor':>8}  by round"
    )
    summary = {}
    for label in rounds[0]:
        loads = [measured[label] for measured in rounds]
        shares = [measured[label].rate / measured[floor].rate for measured in rounds]
        summary[label] = (median(shares), median(load.p99_ms for load in loads))
        print(
            f"{label:<44} {median(load.rate for load in loads):>7,.0f}"
            f" {median(load.p50_ms for load in loads):>7.1f}"
            f" {median(load.p99_ms for load in loads):>7.1f}"
            f" {sum(load.errors for load in loads):>6}"
            f" {median(load.cpu_ms for load in loads):>6.2f}"
            f" {median(load.database_cpu_ms for load in loads):>5.2f} {median(shares):>8.0%} "
            + " ".join(f"{share:.0%}" for share in shares)
        )
        if any(load.ran_out for load in loads):
            print(
                f"  (used up its {options.requests:,} requests before the time: raise --requests)"
            )
    print(
        f"floor: {floor.removeprefix('+ ')}; CPU ms: server side a request, gunicorn's workers"
        " and (db) this database's PostgreSQL backends: the cost the load on the machine hides"
    )
    for note in notes:
        print(f"stored, {note}")
    for dialect, (share, p99) in GOALS.items():
        label = f"/sms/inbound ({dialect})"
        if label in summary:
            met = summary[label][0] >= share and summary[label][1] < p99
            print(
                f"goal {dialect}: >= {share:.0%} of the floor and p99 < {p99:g} ms:"
                f" {'met' if met else 'not met'}"
            )


if __name__ == "__main__":
    main()
