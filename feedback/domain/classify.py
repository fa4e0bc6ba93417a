"""Which service failed: a category from a complaint's free text, by keyword and synonym."""

from collections import defaultdict
from dataclasses import dataclass

from feedback.domain.text import normalise_arabic, word_forms, words


@dataclass(frozen=True)
class CategoryKeywords:
    code: str
    keywords: tuple[str, ...]  # Arabic and English, any spelling; normalised here


@dataclass(frozen=True)
class Classification:
    """The category found (None when unknown or tied), how sure, and every category that scored."""

    code: str | None
    confidence: float
    scores: dict[str, float]

    @property
    def is_tie(self) -> bool:
        ranked = sorted(self.scores.values(), reverse=True)
        return len(ranked) > 1 and ranked[0] == ranked[1]


class Classifier:
    """Built once from the categories' keyword lists; classify() is then cheap."""

    def __init__(self, categories: list[CategoryKeywords]):
        self._single: dict[str, set[str]] = defaultdict(set)
        self._phrases: list[tuple[tuple[str, ...], str]] = []
        for category in categories:
            for keyword in category.keywords:
                tokens = tuple(words(normalise_arabic(keyword)))
                if len(tokens) == 1:
                    self._single[tokens[0]].add(category.code)
                elif tokens:
                    self._phrases.append((tokens, category.code))

    def classify(self, text: str) -> Classification:
        tokens = words(normalise_arabic(text))
        scores: dict[str, float] = defaultdict(float)
        for token in tokens:
            hits: set[str] = set()
            for form in word_forms(token):
                hits |= self._single.get(form, set())
            for code in hits:
                scores[code] += 1.0
        padded = " " + " ".join(tokens) + " "
        for phrase, code in self._phrases:
            if " " + " ".join(phrase) + " " in padded:
                scores[code] += len(phrase)
        return _decide(dict(scores))


def _decide(scores: dict[str, float]) -> Classification:
    if not scores:
        return Classification(None, 0.0, scores)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best == second:
        return Classification(None, 0.0, scores)
    margin = best / (best + second)
    strength = min(1.0, 0.5 + 0.25 * best)
    return Classification(best_code, round(margin * strength, 3), scores)
