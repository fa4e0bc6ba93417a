"""How well and how fast SMS text is understood: category and area accuracy on the labelled
corpus (tests/data/sms_corpus.csv) and on a held-out corpus (tests/data/sms_holdout.csv,
written blind later to check that tuning on the first generalised), and messages per second
on one core, against a naive substring matcher measured in the same run.

    .venv/bin/python bench/parse_accuracy.py [--misses]
"""

import argparse
import csv
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summary import record  # noqa: E402
from feedback.domain.classify import Classifier  # noqa: E402
from feedback.domain.locate import SPECIFICITY, Gazetteer  # noqa: E402
from feedback.domain.text import index_word, match_forms, normalise_arabic  # noqa: E402
from feedback.domain.understand import understand  # noqa: E402
from feedback.reference_data import category_keywords, read_places  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "sms_corpus.csv"
HOLDOUT = ROOT / "tests" / "data" / "sms_holdout.csv"
MIN_SECONDS = 2.0


@dataclass(frozen=True)
class Sample:
    text: str
    category: str | None
    area: str | None
    kind: str


@dataclass(frozen=True)
class Score:
    category_accuracy: float
    area_accuracy: float
    misses: list[tuple[Sample, str | None, str | None]]


def read_corpus(path: Path = CORPUS) -> list[Sample]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            Sample(row["text"], row["category"] or None, row["area"] or None, row["kind"])
            for row in csv.DictReader(handle)
        ]


class RealParser:
    """The platform's parser: feedback.domain.classify and feedback.domain.locate."""

    def __init__(self):
        self.classifier = Classifier(category_keywords())
        self.gazetteer = Gazetteer([record.as_place() for record in read_places()])

    def parse(self, text: str) -> tuple[str | None, str | None]:
        classification, location = understand(text, self.classifier, self.gazetteer)
        return classification.code, location.place_code


class NaiveParser:
    """Baseline: normalise, then the category with most keyword substrings and the most
    specific, longest place name found as a substring. No word boundaries, clitics or fuzz."""

    def __init__(self):
        self.keywords = [
            (normalise_arabic(word), category.code)
            for category in category_keywords()
            for word in category.keywords
        ]
        self.names = [
            (normalise_arabic(name), SPECIFICITY[record.kind], record.code)
            for record in read_places()
            for name in (record.name_ar, record.name_en, *record.alt_names)
        ]

    def parse(self, text: str) -> tuple[str | None, str | None]:
        text = normalise_arabic(text)
        hits = Counter(code for word, code in self.keywords if word in text)
        category = hits.most_common(1)[0][0] if hits else None
        places = [(rank, len(name), code) for name, rank, code in self.names if name in text]
        return category, max(places)[2] if places else None


def evaluate(parser, samples: list[Sample]) -> Score:
    right_category = right_area = 0
    misses = []
    for sample in samples:
        category, area = parser.parse(sample.text)
        right_category += category == sample.category
        right_area += area == sample.area
        if category != sample.category or area != sample.area:
            misses.append((sample, category, area))
    count = len(samples)
    return Score(right_category / count, right_area / count, misses)


def messages_per_second(make_parser, samples: list[Sample]) -> float:
    """Parse the corpus again and again with a freshly built parser each pass and the word
    caches emptied (cold caches), counting parsing time only, for at least MIN_SECONDS."""
    parsed, elapsed = 0, 0.0
    while elapsed < MIN_SECONDS:
        parser = make_parser()
        match_forms.cache_clear()
        index_word.cache_clear()
        start = time.perf_counter()
        for sample in samples:
            parser.parse(sample.text)
        elapsed += time.perf_counter() - start
        parsed += len(samples)
    return parsed / elapsed


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--misses", action="store_true", help="list every miss")
    show_misses = arguments.parse_args().misses
    samples, held_out = read_corpus(CORPUS), read_corpus(HOLDOUT)
    real, naive = evaluate(RealParser(), samples), evaluate(NaiveParser(), samples)
    real_held, naive_held = evaluate(RealParser(), held_out), evaluate(NaiveParser(), held_out)
    real_speed = messages_per_second(RealParser, samples)
    naive_speed = messages_per_second(NaiveParser, samples)
    print(f"corpus: {len(samples)} labelled messages ({CORPUS.relative_to(ROOT)})")
    print(f"held-out: {len(held_out)} messages ({HOLDOUT.relative_to(ROOT)})")
    print(f"{'':>10} {'category':>9} {'area':>7} {'msgs/s':>9}  | held-out category   area")
    rows = (("feedback", real, real_held, real_speed), ("naive", naive, naive_held, naive_speed))
    for name, score, held, speed in rows:
        print(
            f"{name:>10} {score.category_accuracy:>8.1%} {score.area_accuracy:>7.1%} "
            f"{speed:>9,.0f}  | {held.category_accuracy:>17.1%} {held.area_accuracy:>6.1%}"
        )
    category_ratio = real.category_accuracy / naive.category_accuracy
    area_ratio = real.area_accuracy / naive.area_accuracy
    print(
        f"ratio feedback/naive: category {category_ratio:.2f}x, area {area_ratio:.2f}x, "
        f"speed {real_speed / naive_speed:.2f}x"
    )
    naive_text = f"naive {naive.category_accuracy:.1%}"
    record("parse_accuracy", "category accuracy", 100 * real.category_accuracy, "%", naive_text)
    naive_text = f"naive {naive.area_accuracy:.1%}"
    record("parse_accuracy", "area accuracy", 100 * real.area_accuracy, "%", naive_text)
    naive_text = f"naive {naive_held.category_accuracy:.1%}"
    record(
        "parse_accuracy", "held-out category", 100 * real_held.category_accuracy, "%", naive_text
    )
    naive_text = f"naive {naive_speed:,.0f}/s"
    record("parse_accuracy", "messages per second, one core", real_speed, "/s", naive_text)
    by_kind = Counter(sample.kind for sample, _, _ in real.misses)
    print("misses by kind:", ", ".join(f"{kind} {n}" for kind, n in by_kind.most_common()))
    if show_misses:
        for sample, category, area in real.misses:
            print(f"- {sample.text!r}\n    category {sample.category} -> {category}")
            print(f"    area {sample.area} -> {area}")


if __name__ == "__main__":
    main()
