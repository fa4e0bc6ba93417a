"""How well and how fast SMS text is understood, on every labelled corpus of Basra messages
(feedback/data/messages/sms_*.csv): the project's own, the held-out one and those written
blind to the keyword lists. Each corpus is read by the parser with a model learned from the
other corpora only (leave one corpus out), so no figure is of text the model learned from.
For each: category right (a question about the category counts as right: the citizen then
says), the share asked, the precision of the categories decided without asking, the place;
by language, by kind of writing and by category; the naive substring matcher beside it,
measured in the same run; and messages per second on one core.

    .venv/bin/python bench/parse_accuracy.py [--misses] [--brief] [--calibrate]
"""

import argparse
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summary import record  # noqa: E402
from feedback.domain.classify import Classifier  # noqa: E402
from feedback.domain.conversation import knows_category  # noqa: E402
from feedback.domain.learned import TEMPERATURE, ExampleModel, log_loss  # noqa: E402
from feedback.domain.locate import SPECIFICITY, Gazetteer  # noqa: E402
from feedback.domain.text import index_word, match_forms, normalise_arabic  # noqa: E402
from feedback.domain.understand import understand  # noqa: E402
from feedback.reference_data import (  # noqa: E402
    category_keywords,
    labelled_messages,
    message_corpora,
    read_labelled,
    read_places,
)

CORPUS = message_corpora()[0]
MIN_SECONDS = 2.0


@dataclass(frozen=True)
class Sample:
    text: str
    category: str | None
    area: str | None
    kind: str
    language: str


@dataclass(frozen=True)
class Parse:
    category: str | None  # the parser's best guess, even when it asks
    area: str | None
    asked: bool  # the reply asks the citizen what the problem is


@dataclass
class Tally:
    """Counts over some of a corpus's messages."""

    count: int = 0
    right: int = 0  # decided right, or asked
    asked: int = 0
    complaints: int = 0  # messages labelled with a category
    complaints_asked: int = 0
    decided_right: int = 0
    right_area: int = 0

    def add(self, sample: Sample, parse: Parse) -> None:
        self.count += 1
        self.asked += parse.asked
        self.complaints += sample.category is not None
        self.complaints_asked += parse.asked and sample.category is not None
        decided_right = not parse.asked and parse.category == sample.category
        self.decided_right += decided_right
        self.right += parse.asked or decided_right
        self.right_area += parse.area == sample.area

    @property
    def category_accuracy(self) -> float:
        return self.right / self.count if self.count else 0.0

    @property
    def asked_share(self) -> float:
        return self.asked / self.count if self.count else 0.0

    @property
    def complaints_asked_share(self) -> float:
        """Asking about a thank-you or a question is no guess avoided: of complaints only."""
        return self.complaints_asked / self.complaints if self.complaints else 0.0

    @property
    def decided_precision(self) -> float:
        decided = self.count - self.asked
        return self.decided_right / decided if decided else 1.0

    @property
    def area_accuracy(self) -> float:
        return self.right_area / self.count if self.count else 0.0


@dataclass
class Score:
    overall: Tally = field(default_factory=Tally)
    by_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[Sample, Parse]] = field(default_factory=list)

    @property
    def category_accuracy(self) -> float:
        return self.overall.category_accuracy

    @property
    def area_accuracy(self) -> float:
        return self.overall.area_accuracy


def corpora() -> list[Path]:
    """Every labelled corpus, the project's own first."""
    return message_corpora()


def read_corpus(path: Path = CORPUS) -> list[Sample]:
    return [
        Sample(
            row["text"], row["category"] or None, row["area"] or None, row["kind"], row["language"]
        )
        for row in read_labelled(path)
    ]


class RealParser:
    """The platform's parser: feedback.domain.classify (keywords, and the model learned from
    the labelled messages but those of `leave_out`) and feedback.domain.locate, and the
    conversation's rule for when a category is a guess to ask about."""

    def __init__(self, leave_out: Path | None = None) -> None:
        keywords = category_keywords()
        examples = labelled_messages(leave_out.name if leave_out else "")
        model = ExampleModel(examples, [category.code for category in keywords])
        self.classifier = Classifier(keywords, model)
        self.gazetteer = Gazetteer([record.as_place() for record in read_places()])

    def parse(self, text: str) -> Parse:
        classification, location = understand(text, self.classifier, self.gazetteer)
        asked = not (knows_category(classification) or classification.no_complaint)
        return Parse(classification.code, location.place_code, asked)


class NaiveParser:
    """Baseline: normalise, then the category with most keyword substrings and the most
    specific, longest place name found as a substring. No word boundaries, clitics or fuzz;
    it never asks."""

    def __init__(self) -> None:
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

    def parse(self, text: str) -> Parse:
        text = normalise_arabic(text)
        hits = Counter(code for word, code in self.keywords if word in text)
        category = hits.most_common(1)[0][0] if hits else None
        places = [(rank, len(name), code) for name, rank, code in self.names if name in text]
        return Parse(category, max(places)[2] if places else None, False)


def evaluate(parser: RealParser | NaiveParser, samples: Iterable[Sample]) -> Score:
    score = Score()
    for sample in samples:
        parse = parser.parse(sample.text)
        tallies = (
            score.overall,
            score.by_language[sample.language],
            score.by_kind[sample.kind],
            score.by_category[sample.category or "(none)"],
        )
        for tally in tallies:
            tally.add(sample, parse)
        right = parse.asked or parse.category == sample.category
        if not right or parse.area != sample.area:
            score.misses.append((sample, parse))
    return score


def messages_per_second(make_parser: Callable[[], RealParser | NaiveParser], samples) -> float:
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


HEADER = (
    f"{'':<32}{'n':>4} {'category':>9} {'asked':>6} {'(compl.)':>8} {'decided':>8} {'place':>6}"
    "  | naive"
)


def _line(name: str, real: Tally, naive: Tally) -> str:
    return (
        f"{name:<32}{real.count:>4} {real.category_accuracy:>9.1%} {real.asked_share:>6.1%} "
        f"{real.complaints_asked_share:>8.1%} {real.decided_precision:>8.1%} "
        f"{real.area_accuracy:>6.1%}  | {naive.category_accuracy:.1%} {naive.area_accuracy:.1%}"
    )


def report(path: Path, real: Score, naive: Score, by_category: bool) -> None:
    print(f"\n{path.relative_to(ROOT)} (the model learned from the other corpora)")
    print(HEADER)
    print(_line("all", real.overall, naive.overall))
    for groups, naive_groups, label in (
        (real.by_language, naive.by_language, "language"),
        (real.by_kind, naive.by_kind, "kind"),
        (real.by_category, naive.by_category, "category"),
    ):
        if label == "category" and not by_category:
            continue
        for name in sorted(groups):
            print(_line(f"  {label} {name}", groups[name], naive_groups[name]))


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--misses", action="store_true", help="list every miss")
    arguments.add_argument("--brief", action="store_true", help="no line per category")
    arguments.add_argument(
        "--calibrate", action="store_true", help="the model's log-loss by temperature, and stop"
    )
    options = arguments.parse_args()
    if options.calibrate:
        calibrate()
        return
    naive_parser = NaiveParser()
    print("category: right or asked; asked: share of messages asked what the problem is")
    print("(compl.: of the complaints only); decided: precision of the categories decided")
    print("without asking; naive: the substring matcher's category and place")
    everything = []
    for path in corpora():
        samples = read_corpus(path)
        everything += samples
        real, naive = evaluate(RealParser(path), samples), evaluate(naive_parser, samples)
        report(path, real, naive, not options.brief)
        name = path.stem.removeprefix("sms_")
        naive_text = f"naive {naive.category_accuracy:.1%}"
        record("parse_accuracy", f"{name}: category", 100 * real.category_accuracy, "%", naive_text)
        record("parse_accuracy", f"{name}: decided precision",
               100 * real.overall.decided_precision, "%", "goal 98%")  # fmt: skip
        record("parse_accuracy", f"{name}: asked", 100 * real.overall.asked_share, "%",
               "goal at most 10%")  # fmt: skip
        if options.misses:
            for sample, parse in real.misses:
                asked = " (asked)" if parse.asked else ""
                print(
                    f"- {sample.text!r}\n    category {sample.category} -> {parse.category}{asked}"
                )
                print(f"    area {sample.area} -> {parse.area}")
    real_speed = messages_per_second(RealParser, everything)
    naive_speed = messages_per_second(NaiveParser, everything)
    print(
        f"\nmessages per second, one core: feedback {real_speed:,.0f}, naive {naive_speed:,.0f} "
        f"(ratio {real_speed / naive_speed:.2f}x)"
    )
    naive_text = f"naive {naive_speed:,.0f}/s"
    record("parse_accuracy", "messages per second, one core", real_speed, "/s", naive_text)


def calibrate() -> None:
    """The log-loss of every labelled message read by a model of the other corpora, at each
    temperature: learned.TEMPERATURE is the least."""
    codes = [category.code for category in category_keywords()]
    scored = []
    for path in corpora():
        model = ExampleModel(labelled_messages(path.name), codes)
        scored += [(model.log_scores(s.text), s.category or "") for s in read_corpus(path)]
    for temperature in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0):
        mark = "  <- learned.TEMPERATURE" if temperature == TEMPERATURE else ""
        print(f"temperature {temperature:>4}: log-loss {log_loss(scored, temperature):.4f}{mark}")


if __name__ == "__main__":
    main()
