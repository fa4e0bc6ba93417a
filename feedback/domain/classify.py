"""Which service failed: a category from a complaint's free text, by keyword and synonym.

Three kinds of word count, each in its own way:
- problem words say what went wrong with one service ("طفح", "pothole"): a point each;
- subject words name the service or a building (ماي, مدرسة): half a point, and however often
  they recur at most half a point a category, so the symptom decides;
- generic words say what went wrong without naming the service (cut, broken, smell, mud):
  they count for the categories listed with them only when the message names that category
  (or a category whose words name it too: "ماي" names water supply, quality and leaks), or
  names none at all. "انقطاع الماء" is water, not a power cut; "dirty" in a hospital is the
  hospital's.
A word or subject right after a word of place ("قرب", "near", "to the") is where the problem
is, not what it is: the street to the clinic, the water in front of the school; it counts a
quarter. Phrases are matched before single words and consume them, so "ماي مالح" counts for
water quality and not also for water supply. A word with no exact match may still match a
keyword it is a misspelling of (rapidfuzz), at a lower weight; a message understood only
through such guesses is never sure. Two problems that score close leave the decision to the
citizen: the SMS conversation asks which of the two."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import Enum

from feedback.domain.fuzzy import NearWords
from feedback.domain.learned import ExampleModel
from feedback.domain.text import (
    index_word,
    match_forms,
    normalise_arabic,
    normalised_words,
    words,
)

FUZZY_WEIGHT = 0.7
SUBJECT_WEIGHT = 0.5
LOCATIVE_FACTOR = 0.25
TIE_CONFIDENCE = 0.4
SURE = 0.5  # the confidence below which a guess is worse than a question
MODEL_SURE = 0.6  # the model's probability at which it disputes what the keywords decided
# (its probabilities are calibrated: learned.TEMPERATURE) ...
MODEL_SETTLES = 0.7  # ... and settles what they left open (at 0.6 it settled two rubbish-
# or-river ties of the blind corpora wrongly, and none rightly that 0.7 does not)
MODEL_ALONE = 0.99  # ... and at which it decides alone: when they found nothing at all, or
# found its category but decided another (measured: right 24 times in 25 across the corpora)
CONTENDER_SHARE = 0.5  # a category the model may settle on scores at least this share of the best

# Words after which a named thing is where the problem is, not the problem (normalised).
LOCATIVES = normalised_words(
    (
        "قرب", "قريب", "يم", "جنب", "بجنب", "بجانب", "جانب", "گدام", "كدام", "قدام", "امام",
        "أمام", "مقابل", "ورا", "وره", "خلف", "جوار", "بجوار", "عند", "الى", "إلى",
        "المؤدي", "المؤديه", "المؤدية", "باتجاه", "على", "near", "to", "towards", "beside",
        "behind", "opposite", "outside", "next", "front", "nearby", "infront", "by",
    )
)  # fmt: skip
# Words after which a named thing is what the problem is like ("ريحته مثل المجاري", "smells
# like sewage"), not the problem either: counted as weakly as a place.
COMPARISONS = normalised_words(("مثل", "متل", "چنه", "كأنه", "كانه", "like"))
_SKIPPED_BEFORE_LOCATIVE = normalised_words(("the", "a", "of", "al", "el", "شارع", "طريق"))
_PLACE = "·"  # stands for the place name taken out of the text
# "Not the power": a word that says the service named next is not the problem ...
NEGATIONS = normalised_words(("مو", "موش", "مش", "ليس", "ليست", "not", "isnt", "mu", "mo", "mob"))
# ... and words that say it works ("الكهرباء متوفرة", "power is fine"), unless negated.
WORKING = normalised_words(
    (
        "متوفر", "متوفره", "متوفرة", "موجود", "موجوده", "شغال", "شغاله", "تشتغل", "يشتغل",
        "available", "fine", "ok", "okay", "working", "works",
    )
)  # fmt: skip
# Thanks, and questions about the service itself: with no problem named, or with a fix
# reported ("صلحوا المحولة"), such a message is no complaint ...
THANKS_OR_QUESTION = normalised_words(
    (
        "شكرا", "شكر", "بالشكر", "الشكر", "نشكر", "اشكر", "نشكركم", "مشكورين", "مشكور", "ممنونين",
        "ممنون", "يحفظكم", "يحفظ", "احسنتم", "التقدير", "جهودهم", "جهودكم", "thank", "thanks",
        "thx", "bless", "shukran", "mashkoreen", "mamnoon", "عاشت", "ايدكم", "تسلم", "تسلمون",
        "3ashat", "aydeekum", "tislam", "سؤال", "سؤالي", "يسأل", "استفسار", "question", "inquiry",
        "enquiry",
    )
)  # fmt: skip
# ... and nor is a wish to complain that does not say about what ("عندي شكوى"): but that one
# is asked what the problem is and where, and its answer completes the complaint.
WANTS_TO_COMPLAIN = normalised_words(
    ("اشتكي", "نشتكي", "اسجل", "شكوى", "complain", "shakwa", "asajil")
)  # fmt: skip
NOT_A_REPORT = THANKS_OR_QUESTION | WANTS_TO_COMPLAIN
FIXED = normalised_words(
    (
        "صلحوا", "صلحو", "صلحوها", "صلحها", "صلح", "اصلحوا", "رجع", "رجعت", "استجابتهم",
        "استجابتكم", "شالو", "شالوا", "نظفوا", "نظفو", "بدلوا", "بدلو", "بدلوها", "غيروا", "غيرو",
        "fixed", "fixing", "repaired", "replaced", "solved",
        "cleaned", "tasli7", "sal7oha", "sal7o",
    )
)  # fmt: skip


class WordKind(Enum):
    PROBLEM = "problem"
    SUBJECT = "subject"
    GENERIC = "generic"


@dataclass(frozen=True)
class CategoryKeywords:
    code: str
    keywords: tuple[str, ...]  # Arabic, English and Arabizi, any spelling; normalised here
    subjects: tuple[str, ...] = ()  # words that name the service, not the problem
    generic: tuple[str, ...] = ()  # what went wrong, said of any service (cut, smell)
    shares: tuple[str, ...] = ()  # categories this one's words name too, for generic words


@dataclass(frozen=True)
class Classification:
    """The category found (None when unknown), how sure, and every category that scored."""

    code: str | None
    confidence: float
    scores: dict[str, float]
    alternative: str | None = None  # what the labelled messages say instead, when they differ
    no_complaint: bool = False  # thanks, a question, a fix reported: nothing to ask about

    @property
    def is_tie(self) -> bool:
        ranked = sorted(self.scores.values(), reverse=True)
        return len(ranked) > 1 and ranked[0] == ranked[1]

    @property
    def runner_up(self) -> str | None:
        """The second most likely category, when one scored."""
        if self.alternative is not None:
            return self.alternative
        others = sorted(
            (item for item in self.scores.items() if item[0] != self.code and item[1] > 0),
            key=lambda item: -item[1],
        )
        return others[0][0] if others else None


@dataclass(frozen=True)
class _Hit:
    position: int
    code: str
    weight: float
    kind: WordKind
    guessed: bool = False  # a misspelling of the keyword, perhaps
    span: int = 1  # words


_Entry = tuple[str, float, WordKind]  # category, weight, kind


class Classifier:
    """Built once from the categories' keyword lists and the labelled messages; classify() is
    then cheap."""

    def __init__(self, categories: list[CategoryKeywords], model: ExampleModel | None = None):
        self._single: dict[str, list[_Entry]] = defaultdict(list)
        self._phrases: dict[str, list[tuple[tuple[str, ...], _Entry]]] = defaultdict(list)
        self._shares = {category.code: set(category.shares) for category in categories}
        for category in categories:
            listed = [(k, 1.0, WordKind.PROBLEM) for k in category.keywords]
            listed += [(k, SUBJECT_WEIGHT, WordKind.SUBJECT) for k in category.subjects]
            listed += [(k, 1.0, WordKind.GENERIC) for k in category.generic]
            for keyword, weight, kind in listed:
                tokens = tuple(index_word(w) for w in words(normalise_arabic(keyword)))
                if len(tokens) == 1:
                    _add_entry(self._single[tokens[0]], (category.code, weight, kind))
                elif tokens:
                    self._phrases[tokens[0]].append((tokens, (category.code, weight, kind)))
        for entries in self._phrases.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._near_words = NearWords(self._single)
        self._model = model

    def classify(self, text: str, place_words: str = "") -> Classification:
        """The category of the text; `place_words`, the place name found in it, do not count
        (a stadium called "جذع النخلة" is no palm pest)."""
        tokens = _without(words(normalise_arabic(text)), words(place_words))
        hits = [hit for hit in self._hits(tokens) if not _said_to_work(tokens, hit)]
        if any(token in NOT_A_REPORT for token in tokens) and (
            all(hit.kind is WordKind.SUBJECT for hit in hits)
            or any(token in FIXED for token in tokens)
        ):
            no_complaint = not any(token in WANTS_TO_COMPLAIN for token in tokens)
            return Classification(None, 0.0, {}, no_complaint=no_complaint)
        by_keywords = _decide(*self._scores(tokens, hits), all(hit.guessed for hit in hits))
        if self._model is None:
            return by_keywords
        return _with_model(by_keywords, self._model.probabilities(text))

    def _scores(
        self, tokens: list[str], hits: list[_Hit]
    ) -> tuple[dict[str, float], dict[str, int]]:
        """Each category's score, and where the message first names it."""
        locative = {hit.position for hit in hits if _follows_locative(tokens, hit.position)}
        named = set()
        for hit in hits:
            if hit.kind is not WordKind.GENERIC and hit.position not in locative:
                named |= {hit.code, *self._shares.get(hit.code, ())}
        scores: dict[str, float] = defaultdict(float)
        subject_scores: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
        for hit in hits:
            if hit.kind is WordKind.GENERIC and named and hit.code not in named:
                continue
            weight = hit.weight * (LOCATIVE_FACTOR if hit.position in locative else 1.0)
            tally = subject_scores if hit.kind is WordKind.SUBJECT else scores
            tally[hit.code] += weight
            first_seen.setdefault(hit.code, hit.position)
        for code, subject_score in subject_scores.items():
            scores[code] += min(subject_score, SUBJECT_WEIGHT)
        return dict(scores), first_seen

    def _hits(self, tokens: list[str]) -> list[_Hit]:
        """Every keyword found, phrases first; a word in a phrase is not counted again."""
        forms = [match_forms(token) for token in tokens]
        hits: list[_Hit] = []
        consumed = [False] * len(tokens)
        for start in range(len(tokens)):
            for phrase, (code, weight, kind) in self._phrases_at(forms, start):
                if not any(consumed[start : start + len(phrase)]):
                    counted = 1 if kind is WordKind.GENERIC else len(phrase)  # one symptom
                    hits.append(_Hit(start, code, counted * weight, kind, span=len(phrase)))
                    consumed[start : start + len(phrase)] = [True] * len(phrase)
        for position, token_forms in enumerate(forms):
            if consumed[position]:
                continue
            found: dict[tuple[str, WordKind], float] = {}
            factor = 1.0
            entries = [entry for form in token_forms for entry in self._single.get(form, ())]
            if not entries:
                near = self._near_words.find(token_forms)
                entries, factor = (self._single[near], FUZZY_WEIGHT) if near else ([], 1.0)
            for code, weight, kind in entries:
                key = (code, kind)
                found[key] = max(found.get(key, 0.0), weight * factor)
            hits += [
                _Hit(position, code, w, kind, guessed=factor < 1)
                for (code, kind), w in found.items()
            ]
        return sorted(hits, key=lambda hit: hit.position)

    def _phrases_at(
        self, forms: list[tuple[str, ...]], start: int
    ) -> Iterator[tuple[tuple[str, ...], _Entry]]:
        for first in forms[start]:
            for phrase, entry in self._phrases.get(first, ()):
                following = forms[start + 1 : start + len(phrase)]
                if len(following) == len(phrase) - 1 and all(
                    word in options for word, options in zip(phrase[1:], following, strict=True)
                ):
                    yield phrase, entry


def _add_entry(entries: list[_Entry], entry: _Entry) -> None:
    """One weight per category and kind of word: the higher when a list repeats a word."""
    for index, (code, weight, kind) in enumerate(entries):
        if code == entry[0] and kind is entry[2]:
            entries[index] = (code, max(weight, entry[1]), kind)
            return
    entries.append(entry)


def _said_to_work(tokens: list[str], hit: _Hit) -> bool:
    """A service the message says is fine ("مو من الكهربا", "although power is available")
    is not the problem, and names no service for the generic words."""
    if hit.kind is WordKind.GENERIC:
        return False
    before = tokens[max(0, hit.position - 2) : hit.position]
    if any(token in NEGATIONS for token in before) or before[-1:] == ["توفر"]:
        return True
    end = hit.position + hit.span
    after = tokens[end : end + 2]
    for index, token in enumerate(after):
        if token in WORKING:
            preceding = tokens[end + index - 1] if end + index > 0 else ""
            return preceding not in NEGATIONS and preceding not in {"ما", "ماكو", "no"}
    return False


def _follows_locative(tokens: list[str], position: int) -> bool:
    """The word at `position` comes after a word of place or of comparison, maybe with an
    article between, or carries one glued on ("للمدرسة", to the school)."""
    if tokens[position].startswith("لل"):
        return True
    before = position - 1
    while before >= 0 and tokens[before] in _SKIPPED_BEFORE_LOCATIVE:
        before -= 1
    return before >= 0 and (tokens[before] in LOCATIVES or tokens[before] in COMPARISONS)


def _without(tokens: list[str], span: list[str]) -> list[str]:
    """The tokens with the first run equal to `span` replaced by one word that is no keyword,
    so that the words on either side do not become neighbours."""
    for start in range(len(tokens) - len(span) + 1) if span else ():
        if tokens[start : start + len(span)] == span:
            return tokens[:start] + [_PLACE] + tokens[start + len(span) :]
    return tokens


def _decide(
    scores: dict[str, float], first_seen: dict[str, int], guessed_only: bool
) -> Classification:
    """The likeliest category and how sure: by its lead over the next and its own weight; a
    reading only through guessed spellings is a close call."""
    scores = {code: score for code, score in scores.items() if score > 0}
    if not scores:
        return Classification(None, 0.0, scores)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], first_seen[item[0]]))
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if best == second or guessed_only:
        return Classification(best_code, TIE_CONFIDENCE, scores)
    margin = best / (best + second)
    strength = min(1.0, 0.5 + 0.25 * best)
    return Classification(best_code, round(margin * strength, 3), scores)


def _with_model(
    by_keywords: Classification, ranked: list[tuple[float, str | None]]
) -> Classification:
    """The keywords decide; the labelled messages settle what they leave open when they agree
    with a category the keywords found, overrule a decision when all but certain of another
    category the keywords found too, and dispute a decision they are nearly sure is wrong:
    the citizen is then asked which. Without a keyword, the model decides only when all but
    certain."""
    if not ranked:
        return by_keywords
    probability, learned = ranked[0]
    if by_keywords.code is not None and by_keywords.confidence >= SURE:
        if probability >= MODEL_ALONE and learned in by_keywords.scores:
            return replace(by_keywords, code=learned, confidence=round(probability, 3))
        if probability > MODEL_SURE and learned != by_keywords.code:
            return replace(by_keywords, confidence=TIE_CONFIDENCE, alternative=learned)
        return by_keywords
    if by_keywords.scores:
        best = max(by_keywords.scores.values())
        contender = by_keywords.scores.get(learned or "", 0.0) >= best * CONTENDER_SHARE
        agrees = contender and probability >= MODEL_SETTLES
    else:
        agrees = probability >= MODEL_ALONE
    if learned is not None and agrees:
        return replace(by_keywords, code=learned, confidence=round(probability, 3))
    return by_keywords
