"""Every bench, one after the other, then their headline figures in one table (`make bench`).

    .venv/bin/python bench/run_all.py

Each bench prints its own report as it runs and appends its headline figures to a file
(bench/summary.py); a bench that is not there yet is listed as missing, one that records
nothing by its exit status. bench/scale.py runs on SQLite (100,000 tickets) and, when
BENCH_DATABASE_URL names a scratch PostgreSQL database, on it too (1,000,000); the others
run where BENCH_DATABASE_URL says. Figures from a shared machine are noisy: read each against
the baseline or goal printed beside it, measured in the same run."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (script, extra environment): None removes the variable.
RUNS: list[tuple[str, dict[str, str | None]]] = [
    ("parse_accuracy.py", {}),
    ("incident_grouping.py", {}),
    ("map_scale.py", {}),
    ("queue_scale.py", {}),
    ("scale.py", {"BENCH_DATABASE_URL": None}),
    ("webhook.py", {}),
]


def runs() -> list[tuple[str, dict[str, str | None]]]:
    found = list(RUNS)
    if os.environ.get("BENCH_DATABASE_URL"):
        found.insert(found.index(("scale.py", {"BENCH_DATABASE_URL": None})) + 1, ("scale.py", {}))
    return found


def main() -> int:
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as handle:
        summary = Path(handle.name)
    outcomes = []
    try:
        for script, overrides in runs():
            path = HERE / script
            if not path.exists():
                outcomes.append((script, "missing", 0.0, 0))
                continue
            env = {**os.environ, "BENCH_SUMMARY": str(summary)}
            for name, value in overrides.items():
                if value is None:
                    env.pop(name, None)
                else:
                    env[name] = value
            before = summary.read_text().count("\n")
            print(f"\n=== {script} ===", flush=True)
            started = time.perf_counter()
            code = subprocess.run([sys.executable, str(path)], env=env, check=False).returncode  # noqa: S603
            recorded = summary.read_text().count("\n") - before
            outcomes.append((script, f"exit {code}", time.perf_counter() - started, recorded))
        figures = [json.loads(line) for line in summary.read_text().splitlines() if line]
    finally:
        summary.unlink()
    print_table(figures, outcomes)
    return 0 if all(status in ("exit 0", "missing") for _, status, _, _ in outcomes) else 1


def print_table(figures: list[dict], outcomes) -> None:
    print("\n=== all benches ===")
    print(f"{'bench':<15} {'figure':<58} {'value':>12}  against")
    for figure in figures:
        value = f"{figure['value']:,.1f} {figure['unit']}"
        print(f"{figure['bench']:<15} {figure['what']:<58} {value:>12}  {figure['reference']}")
    for script, status, seconds, recorded in outcomes:
        if status == "missing":
            print(f"{script[:-3]:<15} {'(not in this checkout)':<58} {'—':>12}")
        elif not recorded or status != "exit 0":
            note = f"{status} after {seconds:.0f} s; its figures are in its report above"
            print(f"{script[:-3]:<15} {note:<58} {'—':>12}")


if __name__ == "__main__":
    sys.exit(main())
