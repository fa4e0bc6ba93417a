"""Where a webhook's time goes, in process: the corpus's messages (feedback/data/messages)
through the signed /sms/inbound of Flask's test client on a scratch database, each from a new
sender, timed (wall and this process's CPU) against the same number of them with a wrong
signature, refused at the check (the baseline: the app's own cost of a request). `--profile`
prints cProfile's costliest functions of the platform's own code. For comparing commits on
one machine, interleaved (the load-tested figures are bench/webhook.py's).

    [BENCH_DATABASE_URL=postgresql+psycopg://...] .venv/bin/python bench/intake_cpu.py \
        [--messages 600] [--profile]
"""

import argparse
import cProfile
import csv
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch_db import bench_database  # noqa: E402
from feedback.reference_data import DATA_DIR  # noqa: E402
from feedback.sms.signature import sign  # noqa: E402

TOKEN = "bench-token"
BASE = "http://bench.example"
CORPORA = [DATA_DIR / "messages" / "sms_corpus.csv", DATA_DIR / "messages" / "sms_holdout.csv"]
WARM_UP = 50


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--messages", type=int, default=600)
    arguments.add_argument("--profile", action="store_true")
    options = arguments.parse_args()
    texts = [row["text"] for path in CORPORA for row in csv.DictReader(path.open())]
    with bench_database() as app:
        app.config.update(TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL=BASE, RATELIMIT_ENABLED=False)
        client = app.test_client()

        def post(number: int, forged: bool = False) -> None:
            params = {
                "MessageSid": "SM" + secrets.token_hex(16),
                "AccountSid": "AC" + "1" * 32,
                "From": f"+9647{number:09d}",
                "To": "4455",
                "Body": texts[number % len(texts)],
                "NumMedia": "0",
            }
            signature = sign("forged" if forged else TOKEN, BASE + "/sms/inbound", params)
            headers = {"X-Twilio-Signature": signature}
            response = client.post("/sms/inbound", data=params, headers=headers, base_url=BASE)
            if response.status_code != (403 if forged else 200):
                raise SystemExit(f"webhook answered {response.status_code}")

        def timed(first: int, forged: bool = False, profile: cProfile.Profile | None = None):
            wall, cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            for number in range(first, first + options.messages):
                post(number, forged)
            if profile:
                profile.disable()
            count = options.messages
            return (
                (time.perf_counter() - wall) * 1000 / count,
                (time.process_time() - cpu) * 1000 / count,
            )

        for number in range(WARM_UP):
            post(number)
        baseline = timed(0, forged=True)
        profile = cProfile.Profile() if options.profile else None
        webhook = timed(WARM_UP, profile=profile)
        database = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
        print(
            f"{options.messages} messages on {database}, ms a request (wall, this process's CPU):"
        )
        print(f"  forged, refused (baseline) {baseline[0]:7.2f} {baseline[1]:7.2f}")
        print(f"  /sms/inbound               {webhook[0]:7.2f} {webhook[1]:7.2f}"
              f"   CPU {webhook[1] / baseline[1]:.1f}x the baseline")  # fmt: skip
        if profile:
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(r"feedback/(services|sms|domain|models)", 30)


if __name__ == "__main__":
    main()
