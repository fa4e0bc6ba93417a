"""What the labelled messages teach: a naive Bayes model over the words (in every form the
keyword index knows) and the four-letter pieces of words, trained on the platform's corpora
of Basra messages. Keyword lists know the words someone thought of; the pieces of words
carry the rest (a plural, a dialect spelling, a word nobody listed), so the model reads
text no list was tuned on. It never decides alone: see Classifier, which asks it."""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from feedback.domain.text import match_forms, normalise_arabic, words

SMOOTHING = 0.3  # additive: how much an unseen feature counts
PIECE = 4  # letters in a piece of a word
NO_COMPLAINT = ""  # the class of thanks, greetings and questions
# Naive Bayes counts every piece of a word as independent evidence, so its probabilities are
# far too sure; dividing its log-odds by this, fitted as the least log-loss of each corpus read
# by a model of the others (`bench/parse_accuracy.py --calibrate`), makes them mean what they
# say.
TEMPERATURE = 6.0


@dataclass(frozen=True)
class Example:
    text: str
    category: str | None  # None: no complaint (thanks, a question)


def features(text: str) -> list[str]:
    """Each word under each of its forms, and the pieces of its last form ("#ماي#")."""
    found = []
    for word in words(normalise_arabic(text)):
        forms = match_forms(word)
        found += [f"w:{form}" for form in forms]
        padded = f"#{forms[-1]}#"
        found += [f"p:{padded[i : i + PIECE]}" for i in range(len(padded) - PIECE + 1)]
    return found


class ExampleModel:
    """Trained once from examples; probabilities() is then a few dictionary lookups a word."""

    def __init__(self, examples: Iterable[Example], categories: Iterable[str]) -> None:
        known = set(categories)
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        documents: Counter[str] = Counter()
        for example in examples:
            label = example.category or NO_COMPLAINT
            if example.category is not None and example.category not in known:
                continue  # a category since retired or renamed
            counts[label].update(features(example.text))
            documents[label] += 1
        vocabulary = len(set().union(*counts.values())) if counts else 0
        total = sum(documents.values())
        self._labels = sorted(documents)
        self._prior = {label: math.log(documents[label] / total) for label in self._labels}
        # log P(feature | label) for an unseen feature, and what a seen one adds to it
        self._unseen = {}
        self._seen: dict[str, dict[str, float]] = defaultdict(dict)
        for label in self._labels:
            size = sum(counts[label].values()) + SMOOTHING * vocabulary
            self._unseen[label] = math.log(SMOOTHING / size)
            for feature, count in counts[label].items():
                self._seen[feature][label] = math.log((count + SMOOTHING) / SMOOTHING)

    def probabilities(
        self, text: str, temperature: float = TEMPERATURE
    ) -> list[tuple[float, str | None]]:
        """(probability, category) for every label, likeliest first; category None is no
        complaint."""
        scores = self.log_scores(text)
        if not scores:
            return []
        top = max(scores.values())
        weights = {label: math.exp((score - top) / temperature) for label, score in scores.items()}
        total = sum(weights.values())
        ranked = sorted(
            ((weight / total, label) for label, weight in weights.items()), reverse=True
        )
        return [(probability, label or None) for probability, label in ranked]

    def log_scores(self, text: str) -> dict[str, float]:
        """Each label's log prior plus the log likelihood of the text's known features
        (NO_COMPLAINT for no complaint)."""
        found = [feature for feature in features(text) if feature in self._seen]
        scores = {
            label: self._prior[label] + len(found) * self._unseen[label] for label in self._labels
        }
        for feature in found:
            for label, gain in self._seen[feature].items():
                scores[label] += gain
        return scores


def log_loss(scored: Iterable[tuple[dict[str, float], str]], temperature: float) -> float:
    """The mean negative log probability of the true label at this temperature: what
    TEMPERATURE is fitted to."""
    total, count = 0.0, 0
    for scores, label in scored:
        top = max(scores.values())
        spread = sum(math.exp((score - top) / temperature) for score in scores.values())
        truth = scores.get(label, top - 1e6)
        total += math.log(spread) - (truth - top) / temperature
        count += 1
    return total / count if count else 0.0
