"""The labelled SMS corpus is a regression floor for the parser (issue 3's agreed targets).
bench/parse_accuracy.py prints the same figures with speed; this only guards the floor."""

from bench.parse_accuracy import RealParser, evaluate, read_corpus

CATEGORY_FLOOR = 0.92
AREA_FLOOR = 0.88


def test_corpus_is_big_and_varied_enough_to_mean_something():
    samples = read_corpus()
    assert len(samples) >= 300
    assert len({s.category for s in samples if s.category}) >= 16
    assert len({s.area for s in samples if s.area}) >= 60
    assert sum(1 for s in samples if s.area is None) >= 25


def test_parser_meets_the_accuracy_floor():
    score = evaluate(RealParser(), read_corpus())
    misses = "\n".join(f"{s.text} | {s.category}->{c} | {s.area}->{a}" for s, c, a in score.misses)
    assert score.category_accuracy >= CATEGORY_FLOOR, misses
    assert score.area_accuracy >= AREA_FLOOR, misses
