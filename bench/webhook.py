"""Twilio's webhook at city scale: POST /sms/inbound served as deployed (gunicorn with
gunicorn.conf.py, 2 sync workers, production settings) under wrk replaying signed webhooks,
each a real Arabic or English complaint (tests/data corpora) from a new sender, so flood
control never steps in. In the same run, with the same server settings, three baselines
(bench/webhook_baseline.py): a bare Flask route answering constant TwiML, the same behind
Twilio's signature check, and that plus a three-row insert in one transaction, the durable
floor. Afterwards the tickets in the database are counted against the 2xx answers.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/feedback_bench \
        .venv/bin/python bench/webhook.py [--seconds 10] [--connections 16] [--keep DIR]

PostgreSQL is the database in BENCH_DATABASE_URL (emptied first); without it only SQLite
runs. Needs wrk: `make bench-webhook` installs it and runs this. Figures from one run on a
shared machine are noisy: compare ratios against the baselines of the same run."""

import argparse
import csv
import os
import re
import secrets
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.scratch_db import bench_database  # noqa: E402
from feedback.domain.reference import ALPHABET  # noqa: E402
from feedback.extensions import db  # noqa: E402
from feedback.models import Message, Ticket  # noqa: E402
from feedback.sms.signature import sign  # noqa: E402
from tests.deploy.harness import (  # noqa: E402
    TWILIO_TOKEN,
    Process,
    answers,
    free_port,
    production_env,
    start_gunicorn,
)

CORPORA = [ROOT / "tests" / "data" / "sms_corpus.csv", ROOT / "tests" / "data" / "sms_holdout.csv"]
LUA = ROOT / "bench" / "webhook.lua"
REFERENCE = re.compile(rf"(?<![A-Z0-9])[{ALPHABET}]{{5}}(?![A-Z0-9])")
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
    def gunicorn(self, application: str, database_url: str):
        """Yields (its URL, the public base URL it checks signatures against)."""
        port = free_port()
        env = production_env(database_url, port)
        server = start_gunicorn(env, self.workdir / f"gunicorn-{port}.log", application)
        try:
            server.wait_until(lambda: answers(f"http://127.0.0.1:{port}/"))
            yield f"http://127.0.0.1:{port}", env["PUBLIC_BASE_URL"]
        finally:
            server.stop()

    def load(self, label: str, server, path: str, seconds: int, cycle: bool) -> Load:
        """wrk on `path`: replayed over and over (cycle) or each request once (stored ones)."""
        url, public_base_url = server
        count = min(self.options.requests, 2_000) if cycle else self.options.requests
        requests = self.signed_requests(path, count, public_base_url)
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
        argv += [f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url + path]
        wrk = Process(argv, self.workdir / "wrk.log", env=env)
        wrk.popen.wait(timeout=seconds + 60)
        wrk.stop()
        if not results.exists():
            raise RuntimeError(f"wrk failed:\n{wrk.output()}")
        return read_results(label, results.read_text())

    def measure(self, label: str, server, path: str, cycle: bool) -> Load:
        """A short warm-up (workers load, caches fill), then the measured run."""
        self.load("warm-up", server, path, self.options.warmup, cycle)
        return self.load(label, server, path, self.options.seconds, cycle)


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


def check_tickets(load: Load, first_ticket: int, first_message: int) -> str:
    """Tickets and messages stored during the run against the 2xx answers: each answer's
    reference stored (none lost), one ticket a message (none doubled)."""
    db.session.remove()
    references = set(
        db.session.scalars(sa.select(Ticket.reference).where(Ticket.id > first_ticket))
    )
    ticket_ids = db.session.scalars(
        sa.select(Message.ticket_id).where(Message.id > first_message, Message.direction == "in")
    ).all()
    answered = set()
    lost = 0
    for body in load.bodies:
        found = references.intersection(REFERENCE.findall(body))
        answered |= found
        lost += not found
    db.session.remove()
    linked = [ticket_id for ticket_id in ticket_ids if ticket_id is not None]
    doubled = (len(references) - len(set(linked))) + (len(linked) - len(set(linked)))
    in_flight = len(references - answered)
    return (
        f"{len(references):,} tickets, {len(ticket_ids):,} messages for {load.ok:,} answers (2xx):"
        f" {lost} lost, {doubled} doubled, {len(ticket_ids) - len(linked)} messages without"
        f" a ticket; {in_flight} stored for requests still in flight when wrk stopped"
    )


def last_id(model) -> int:
    """Ended at once: on SQLite an open transaction holds the write lock the server waits for."""
    found = db.session.scalar(sa.select(sa.func.max(model.id))) or 0
    db.session.remove()
    return found


def settled_last_id(model) -> int:
    """The last id once the requests wrk left in flight have been stored."""
    before, found = -1, last_id(model)
    while found != before:
        time.sleep(1)
        before, found = found, last_id(model)
    return found


def delete_rows() -> None:
    """The floor's rows, so that the webhook starts from the same empty tables."""
    db.session.remove()
    with db.engine.begin() as connection:
        for table in ("ticket_event", "message", "ticket"):
            connection.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names


def run_database(bench: Bench, sqlite: bool, with_route_baselines: bool) -> tuple[list, str, str]:
    loads = []
    with bench_database(sqlite=sqlite) as app:
        dialect = db.engine.dialect.name
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        db.engine.dispose()
        with bench.gunicorn("bench.webhook_baseline:app", url) as server:
            if with_route_baselines:
                loads.append(
                    bench.measure("bare Flask route, constant TwiML", server, "/bare", True)
                )
                loads.append(bench.measure("+ Twilio signature check", server, "/signed", True))
            label = f"+ 3-row insert, one transaction ({dialect})"
            loads.append(bench.measure(label, server, "/insert", True))
        delete_rows()
        with bench.gunicorn("wsgi:app", url) as server:
            bench.load("warm-up", server, "/sms/inbound", bench.options.warmup, False)
            first_ticket, first_message = settled_last_id(Ticket), last_id(Message)
            webhook = bench.load(
                f"/sms/inbound ({dialect})", server, "/sms/inbound", bench.options.seconds, False
            )
        loads.append(webhook)
        stored = check_tickets(webhook, first_ticket, first_message)
        db.engine.dispose()
    return loads, dialect, stored


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--seconds", type=int, default=10, help="each measured run")
    arguments.add_argument("--warmup", type=int, default=3, help="before each measured run")
    arguments.add_argument("--connections", type=int, default=16)
    arguments.add_argument("--threads", type=int, default=1, help="wrk's threads")
    arguments.add_argument("--requests", type=int, default=30_000, help="signed webhooks a run")
    arguments.add_argument("--databases", default="sqlite,postgresql")
    arguments.add_argument("--keep", type=Path, help="keep the server logs in this folder")
    options = arguments.parse_args()
    databases = options.databases.split(",")
    if "postgresql" in databases and not os.environ.get("BENCH_DATABASE_URL"):
        print("BENCH_DATABASE_URL unset: PostgreSQL skipped")
        databases.remove("postgresql")
    databases.sort(key=lambda name: name != "postgresql")  # the floor first
    loads, notes = [], []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = options.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        bench = Bench(options, workdir)
        for number, name in enumerate(databases):
            measured, dialect, stored = run_database(bench, name == "sqlite", number == 0)
            loads += measured
            notes.append(f"{dialect}: {stored}")
    report(options, loads, notes)


def report(options, loads: list[Load], notes: list[str]) -> None:
    floors = {load.label: load for load in loads if "3-row insert" in load.label}
    floor = next((f for label, f in floors.items() if "postgresql" in label), None)
    floor = floor or next(iter(floors.values()))
    print(
        "gunicorn -c gunicorn.conf.py, 2 sync workers, production settings;"
        f" wrk -t{options.threads} -c{options.connections}, {options.seconds} s a run after"
        f" {options.warmup} s of warm-up; all in this run (on a shared machine compare the"
        " ratios, not figures across runs)"
    )
    print(f"{'what':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'of floor':>9}")
    for load in loads:
        share = f"{load.rate / floor.rate:.0%}"
        print(
            f"{load.label:<44} {load.rate:>8,.0f} {load.p50_ms:>8.1f} {load.p99_ms:>8.1f}"
            f" {load.errors:>7} {share:>9}"
        )
        if load.ran_out:
            print(
                f"  (used up its {options.requests:,} requests before the time: raise --requests)"
            )
    print(f"floor: {floor.label.removeprefix('+ ')}")
    for note in notes:
        print(f"stored, {note}")
    for load in loads:
        for dialect, (share, p99) in GOALS.items():
            if load.label == f"/sms/inbound ({dialect})":
                met = load.rate >= share * floor.rate and load.p99_ms < p99
                print(
                    f"goal {dialect}: >= {share:.0%} of the floor and p99 < {p99:g} ms:"
                    f" {'met' if met else 'not met'}"
                )


if __name__ == "__main__":
    main()
