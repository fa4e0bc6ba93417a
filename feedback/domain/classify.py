"""Which service failed: a category from a complaint's free text, by keyword and synonym.

Phrases are matched before single words and consume them, so "ماي مالح" (salty water) counts
for water quality and not also for water supply. A word with no exact match may still match a
keyword it is a misspelling of (rapidfuzz), at a lower weight."""

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from feedback.domain.text import index_word, is_latin, match_forms, normalise_arabic, words

FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 80.0
FUZZY_WEIGHT = 0.7
_FUZZY_CACHE_LIMIT = 100_000


@dataclass(frozen=True)
class CategoryKeywords:
    code: str
    keywords: tuple[str, ...]  # Arabic, English and Arabizi, any spelling; normalised here


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
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for category in categories:
            for keyword in category.keywords:
                tokens = tuple(index_word(w) for w in words(normalise_arabic(keyword)))
                if len(tokens) == 1:
                    self._single[tokens[0]].add(category.code)
                elif tokens:
                    self._phrases[tokens[0]].append((tokens, category.code))
        for entries in self._phrases.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        vocabulary = [w for w in self._single if len(w) >= FUZZY_MIN_LENGTH]
        self._fuzzy_vocabulary = {
            "latin": [w for w in vocabulary if is_latin(w)],
            "arabic": [w for w in vocabulary if not is_latin(w)],
        }
        self._fuzzy_cache: dict[str, str | None] = {}

    def classify(self, text: str) -> Classification:
        tokens = words(normalise_arabic(text))
        forms = [match_forms(token) for token in tokens]
        scores: dict[str, float] = defaultdict(float)
        consumed = [False] * len(tokens)
        for start in range(len(tokens)):
            for phrase, code in self._phrases_at(forms, start):
                if not any(consumed[start : start + len(phrase)]):
                    scores[code] += len(phrase)
                    consumed[start : start + len(phrase)] = [True] * len(phrase)
        for position, token_forms in enumerate(forms):
            if consumed[position]:
                continue
            codes = set().union(*(self._single.get(form, ()) for form in token_forms))
            weight = 1.0
            if not codes:
                near = self._near_keyword(tokens[position], token_forms)
                codes, weight = (self._single[near], FUZZY_WEIGHT) if near else (set(), 0)
            for code in codes:
                scores[code] += weight
        return _decide(dict(scores))

    def _phrases_at(self, forms: list[list[str]], start: int):
        for first in forms[start]:
            for phrase, code in self._phrases.get(first, ()):
                following = forms[start + 1 : start + len(phrase)]
                if len(following) == len(phrase) - 1 and all(
                    word in options for word, options in zip(phrase[1:], following, strict=True)
                ):
                    yield phrase, code

    def _near_keyword(self, token: str, token_forms: list[str]) -> str | None:
        """The keyword this word is most likely a misspelling of, if any (memoised)."""
        if token in self._fuzzy_cache:
            return self._fuzzy_cache[token]
        vocabulary = self._fuzzy_vocabulary["latin" if is_latin(token) else "arabic"]
        best, best_score = None, 0.0
        for form in token_forms:
            if len(form) < FUZZY_MIN_LENGTH:
                continue
            match = process.extractOne(
                form, vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if match and match[1] > best_score:
                best, best_score = match[0], match[1]
        if len(self._fuzzy_cache) < _FUZZY_CACHE_LIMIT:
            self._fuzzy_cache[token] = best
        return best


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
