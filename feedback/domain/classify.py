"""Which service failed: a category from a complaint's free text, by keyword and synonym.

Phrases are matched before single words and consume them, so "ماي مالح" (salty water) counts
for water quality and not also for water supply. Subject words, which name the service or a
nearby building rather than what went wrong (ماي, مدرسة), weigh half, and however often they
recur they add at most half a point to a category, so the symptom decides.
A word with no exact match may still match a keyword it is a misspelling of (rapidfuzz), at a
lower weight. When two problems score alike, the one mentioned first wins, without confidence:
the SMS conversation then asks the citizen."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from feedback.domain.fuzzy import NearWords
from feedback.domain.text import index_word, match_forms, normalise_arabic, words

FUZZY_WEIGHT = 0.7
SUBJECT_WEIGHT = 0.5
TIE_CONFIDENCE = 0.4


@dataclass(frozen=True)
class CategoryKeywords:
    code: str
    keywords: tuple[str, ...]  # Arabic, English and Arabizi, any spelling; normalised here
    subjects: tuple[str, ...] = ()  # words that name the service, not the problem


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
        self._single: dict[str, dict[str, float]] = defaultdict(dict)
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, float]]] = defaultdict(list)
        for category in categories:
            weighted = [(k, 1.0) for k in category.keywords]
            weighted += [(k, SUBJECT_WEIGHT) for k in category.subjects]
            for keyword, weight in weighted:
                tokens = tuple(index_word(w) for w in words(normalise_arabic(keyword)))
                if len(tokens) == 1:
                    known = self._single[tokens[0]].get(category.code, 0.0)
                    self._single[tokens[0]][category.code] = max(known, weight)
                elif tokens:
                    self._phrases[tokens[0]].append((tokens, category.code, weight))
        for entries in self._phrases.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._near_words = NearWords(self._single)

    def classify(self, text: str, place_words: str = "") -> Classification:
        """The category of the text; `place_words`, the place name found in it, do not count
        (a stadium called "جذع النخلة" is no palm pest)."""
        tokens = _without(words(normalise_arabic(text)), words(place_words))
        forms = [match_forms(token) for token in tokens]
        scores: dict[str, float] = defaultdict(float)
        subject_scores: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
        consumed = [False] * len(tokens)
        for start in range(len(tokens)):
            for phrase, code, weight in self._phrases_at(forms, start):
                if not any(consumed[start : start + len(phrase)]):
                    tally = subject_scores if weight == SUBJECT_WEIGHT else scores
                    tally[code] += len(phrase) * weight
                    first_seen.setdefault(code, start)
                    consumed[start : start + len(phrase)] = [True] * len(phrase)
        for position, token_forms in enumerate(forms):
            if consumed[position]:
                continue
            hits: dict[str, float] = {}
            for form in token_forms:
                for code, weight in self._single.get(form, {}).items():
                    hits[code] = max(hits.get(code, 0.0), weight)
            if not hits:
                near = self._near_words.find(token_forms)
                if near:
                    hits = {code: w * FUZZY_WEIGHT for code, w in self._single[near].items()}
            for code, weight in hits.items():
                tally = subject_scores if weight <= SUBJECT_WEIGHT else scores
                tally[code] += weight
                first_seen.setdefault(code, position)
        for code, subject_score in subject_scores.items():
            scores[code] += min(subject_score, SUBJECT_WEIGHT)
        return _decide(dict(scores), first_seen)

    def _phrases_at(
        self, forms: list[tuple[str, ...]], start: int
    ) -> Iterator[tuple[tuple[str, ...], str, float]]:
        for first in forms[start]:
            for phrase, code, weight in self._phrases.get(first, ()):
                following = forms[start + 1 : start + len(phrase)]
                if len(following) == len(phrase) - 1 and all(
                    word in options for word, options in zip(phrase[1:], following, strict=True)
                ):
                    yield phrase, code, weight


def _without(tokens: list[str], span: list[str]) -> list[str]:
    """The tokens with the first run equal to `span` taken out."""
    for start in range(len(tokens) - len(span) + 1) if span else ():
        if tokens[start : start + len(span)] == span:
            return tokens[:start] + tokens[start + len(span) :]
    return tokens


def _decide(scores: dict[str, float], first_seen: dict[str, int]) -> Classification:
    if not scores:
        return Classification(None, 0.0, scores)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], first_seen[item[0]]))
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best == second:
        return Classification(best_code, TIE_CONFIDENCE, scores)
    margin = best / (best + second)
    strength = min(1.0, 0.5 + 0.25 * best)
    return Classification(best_code, round(margin * strength, 3), scores)
