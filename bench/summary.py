"""One line per headline figure, for `make bench` to gather into one table: a bench calls
record(); when BENCH_SUMMARY names a file, the figure is appended to it as JSON."""

import json
import os


def record(bench: str, what: str, value: float, unit: str, reference: str = "") -> None:
    """`reference`: what the figure is to be read against (a goal, a baseline's figure)."""
    path = os.environ.get("BENCH_SUMMARY")
    if not path:
        return
    line = {"bench": bench, "what": what, "value": value, "unit": unit, "reference": reference}
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(line, ensure_ascii=False) + "\n")
