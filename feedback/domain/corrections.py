"""Learning from officers: each time a person changes a ticket's category or sends it to
another directorate, the citizen's text becomes a labelled example. From those examples: how
often the parser now agrees with the people, which words lead it astray, and which words an
admin might add to a category. Only suggestions: nothing here changes the parser or routing."""

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from feedback.domain.text import keyword_key, match_forms, normalise_arabic, word_forms, words

# A word is suggested for a category once the texts of this many corrections to it have it.
MIN_SUGGESTION_COUNT = 2
# A word this short (or shorter) says too little to be a keyword.
MAX_SHORT_WORD = 2
TOP_WORDS = 10


class CorrectionKind(StrEnum):
    CATEGORY = "category"  # a person chose another category (which may move the ticket too)
    TRANSFER = "transfer"  # a person sent the ticket to another directorate


@dataclass(frozen=True)
class SpelledWord:
    written: str  # as the citizen wrote it, less diacritics, tatweel and capitals
    stem: str  # without an Arabic article (ال, بال, وال ...): the form a keyword should take
    key: str  # the stem as a keyword index compares it


# A word as written: letters and digits, with any diacritics and tatweel inside it.
_WRITTEN_WORD = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u0640']+")
_ARTICLE_ENDINGS = ("ال", "لل")


def spelled_words(text: str) -> list[SpelledWord]:
    """The words of a text, each as written and as the parser's indexes compare it."""
    found = []
    for raw in _WRITTEN_WORD.findall(unicodedata.normalize("NFKC", text)):
        written = "".join(ch for ch in raw if not unicodedata.combining(ch) and ch != "\u0640")
        written = written.casefold()
        normalised = words(normalise_arabic(written))
        if len(normalised) != 1:
            continue  # punctuation only, or words joined by an underscore
        stem = _without_article(written, normalised[0])
        found.append(SpelledWord(written, stem, keyword_key(stem)))
    return found


def _without_article(written: str, normalised: str) -> str:
    """`written` less a leading article and the clitics glued before it (بالمجزرة ->
    مجزرة), when what is left is still a word."""
    for stem in word_forms(normalised)[1:]:
        article = normalised[: len(normalised) - len(stem)]
        if article.endswith(_ARTICLE_ENDINGS) and len(stem) > MAX_SHORT_WORD:
            # Normalising keeps one letter per letter unless it folded a stretched word.
            return written[len(article) :] if len(written) == len(normalised) else stem
    return written


@dataclass(frozen=True)
class Example:
    """A correction as the report weighs it: the ticket before and after, and what the
    parser makes of its text now (its category, and where that category routes the ticket)."""

    kind: CorrectionKind
    text: str
    old_category: str | None
    new_category: str | None
    old_directorate: str | None
    new_directorate: str | None
    parsed_category: str | None
    parsed_directorate: str | None

    @property
    def parser_right(self) -> bool:
        """A category correction is right when the parser now finds the new category; a
        transfer, when the parser's category routes the ticket to the new directorate."""
        if self.kind == CorrectionKind.TRANSFER:
            return self.parsed_directorate == self.new_directorate
        return self.parsed_category == self.new_category

    @property
    def wrong_category(self) -> str | None:
        """The category that misled: the one a person replaced, or for a transfer the one
        that had routed the ticket to the wrong directorate."""
        if self.kind == CorrectionKind.CATEGORY and self.old_category == self.new_category:
            return None
        return self.old_category


@dataclass(frozen=True)
class Tally:
    """Corrections from one category (or directorate) to another, and how many of them the
    parser now gets right."""

    before: str | None
    after: str | None
    corrections: int
    right: int


@dataclass(frozen=True)
class Misleading:
    """A word that, read alone, points to the category a person then corrected away from."""

    word: str  # as most often written, less an Arabic article
    corrections: int  # how many corrected texts have it
    category: str  # the wrong category it points to


@dataclass(frozen=True)
class Report:
    corrections: int
    right: int
    categories: list[Tally]  # category corrections, old -> new, most frequent first
    directorates: list[Tally]  # transfers, old -> new, most frequent first
    misleading: list[Misleading]

    @property
    def accuracy(self) -> float | None:
        return self.right / self.corrections if self.corrections else None


def report(
    examples: Iterable[Example],
    classify_word: Callable[[str], str | None],
    top: int = TOP_WORDS,
) -> Report:
    """How the parser does on the corrected texts, and the `top` words that most often mislead
    it; `classify_word` is the parser's category for one word read alone."""
    examples = list(examples)
    misleading: Counter[str] = Counter()
    stems: dict[str, Counter[str]] = defaultdict(Counter)
    points_to: dict[str, str] = {}
    for example in examples:
        wrong = example.wrong_category
        if wrong is None:
            continue
        for word in _once_each(spelled_words(example.text)):
            if classify_word(word.written) == wrong:
                misleading[word.key] += 1
                stems[word.key][word.stem] += 1
                points_to[word.key] = wrong
    return Report(
        corrections=len(examples),
        right=sum(example.parser_right for example in examples),
        categories=_tallies(
            (e.old_category, e.new_category, e.parser_right)
            for e in examples
            if e.kind == CorrectionKind.CATEGORY
        ),
        directorates=_tallies(
            (e.old_directorate, e.new_directorate, e.parser_right)
            for e in examples
            if e.kind == CorrectionKind.TRANSFER
        ),
        misleading=[
            Misleading(_most_common(stems[key]), count, points_to[key])
            for key, count in _ranked(misleading)[:top]
        ],
    )


def _tallies(changes: Iterable[tuple[str | None, str | None, bool]]) -> list[Tally]:
    counts: Counter[tuple[str | None, str | None]] = Counter()
    right: Counter[tuple[str | None, str | None]] = Counter()
    for before, after, parser_right in changes:
        counts[(before, after)] += 1
        right[(before, after)] += parser_right
    ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return [
        Tally(before, after, count, right[(before, after)]) for (before, after), count in ranked
    ]


@dataclass(frozen=True)
class Suggestion:
    """A word officers' corrections to a category keep containing, for an admin to accept."""

    word: str
    corrections: int


def suggest_keywords(
    texts: Iterable[str],
    keywords: Iterable[str],
    is_place: Callable[[str], bool],
    stop_words: Collection[str],
    minimum: int = MIN_SUGGESTION_COUNT,
    top: int = TOP_WORDS,
) -> list[Suggestion]:
    """The words in at least `minimum` of `texts` (the texts of the corrections to one
    category) that are no keyword of any category yet, no place name, no stop word, no number
    and not too short, most frequent first; an Arabic article is left off, as keywords are
    matched without it."""
    known = {keyword_key(keyword) for keyword in keywords}
    stopped = {keyword_key(word) for word in stop_words}
    counts: Counter[str] = Counter()
    stems: dict[str, Counter[str]] = defaultdict(Counter)
    allowed: dict[str, bool] = {}  # by the word as written: texts share most of their words
    for text in texts:
        for word in _once_each(spelled_words(text)):
            if word.written not in allowed:
                allowed[word.written] = _may_suggest(word, known, stopped, is_place)
            if not allowed[word.written]:
                continue
            counts[word.key] += 1
            stems[word.key][word.stem] += 1
    return [
        Suggestion(_most_common(stems[key]), count)
        for key, count in _ranked(counts)[:top]
        if count >= minimum
    ]


def _may_suggest(
    word: SpelledWord, known: set[str], stopped: set[str], is_place: Callable[[str], bool]
) -> bool:
    if len(word.stem) <= MAX_SHORT_WORD or word.stem.isdigit():
        return False
    if word.key in stopped or keyword_key(word.written) in stopped:
        return False
    # Any form the parser would match it under (a clitic peeled off, a Latin spelling key).
    if any(form in known for form in match_forms(normalise_arabic(word.written))):
        return False
    return not is_place(word.written)


def _once_each(found: list[SpelledWord]) -> list[SpelledWord]:
    """A text's words, a word written twice (or spelt two ways) counted once."""
    unique: dict[str, SpelledWord] = {}
    for word in found:
        unique.setdefault(word.key, word)
    return list(unique.values())


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent first; equal counts in a stable order."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _most_common(spellings: Counter[str]) -> str:
    return sorted(spellings.items(), key=lambda item: (-item[1], item[0]))[0][0]
