"""Finding the word a misspelt word was meant to be, without mistaking one real word for
another: short words are never guessed ("ساعات", hours, is one letter from "سماعات",
speakers), and a typo rarely hits the first letter of a word."""

from collections.abc import Iterable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

_ARTICLES = ("ال", "al", "el")
MIN_LENGTH_ONE_EDIT = 6
MIN_LENGTH_TWO_EDITS = 9
_CACHE_LIMIT = 100_000


def stem(word: str) -> str:
    """The word without its article: 'الكهرباء' and 'كهرباء' are compared as one."""
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= 3:
            return word[len(article) :]
    return word


def allowed_edits(word: str) -> int:
    length = len(stem(word))
    if length >= MIN_LENGTH_TWO_EDITS:
        return 2
    return 1 if length >= MIN_LENGTH_ONE_EDIT else 0


class NearWords:
    """An index of known words (keywords, place names) that answers 'which one did you mean?'"""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._by_stem: dict[str, str] = {}
        for word in vocabulary:
            self._by_stem.setdefault(stem(word), word)
        self._stems = list(self._by_stem)
        self._cache: dict[str, str | None] = {}

    def find(self, forms: Sequence[str]) -> str | None:
        """The known word one of these forms is a misspelling of, if any (memoised)."""
        key = "\x1f".join(forms)
        if key not in self._cache:
            found = None
            for form in forms:
                found = self._near(form)
                if found:
                    break
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[key] = found
            return found
        return self._cache[key]

    def _near(self, form: str) -> str | None:
        edits = allowed_edits(form)
        if edits == 0:
            return None
        core = stem(form)
        matches = process.extract(
            core, self._stems, scorer=Levenshtein.distance, score_cutoff=edits, limit=5
        )
        for candidate, _, _ in sorted(matches, key=lambda match: match[1]):
            if candidate[0] == core[0] and allowed_edits(candidate) > 0:
                return self._by_stem[candidate]
        return None
