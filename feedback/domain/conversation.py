"""When a message leaves out what or where, ask once, and let the next message complete it.

A citizen on a basic phone should be asked at most one short question; silence for
ANSWER_WINDOW means the ticket is routed with what it has, never dropped. When the problem
is a close call between two categories, the question names both ("ماي لو مجاري؟ رد 1 او 2"):
a wrong guess sends the complaint to the wrong directorate, which costs the citizen days."""

from datetime import timedelta
from enum import StrEnum

from feedback.domain.classify import SURE, Classification
from feedback.domain.locate import Location
from feedback.domain.text import normalise_arabic

ANSWER_WINDOW = timedelta(hours=24)
# Below these, a guess is worse than a question.
MIN_CATEGORY_CONFIDENCE = SURE
MIN_PLACE_CONFIDENCE = 0.5


class Question(StrEnum):
    PLACE = "place"  # where is the problem?
    CATEGORY = "category"  # what is the problem?
    DETAILS = "details"  # what and where?
    CHOICE = "choice"  # this problem or that one? reply 1 or 2


# Answers to a choice, normalised: the digit alone, or the ordinal word.
_CHOICE_WORDS = (
    frozenset({"1", "one", "first", "الاول", "الأول", "اول", "واحد", "wa7id"}),
    frozenset({"2", "two", "second", "الثاني", "ثاني", "الثانيه", "اثنين", "ثنين", "ithnain"}),
)


def knows_category(classification: Classification) -> bool:
    return classification.code is not None and classification.confidence >= MIN_CATEGORY_CONFIDENCE


def knows_place(location: Location) -> bool:
    if location.outside_area:
        return False
    if location.method in ("gps", "map_pin") and location.lat is not None:
        return True
    return location.place_code is not None and location.confidence >= MIN_PLACE_CONFIDENCE


def question_for(classification: Classification, location: Location) -> Question | None:
    """The one question to ask, or None when the ticket can be routed as it is."""
    category, place = knows_category(classification), knows_place(location)
    if category and place:
        return None
    if category:
        return Question.PLACE
    if place:
        return Question.CHOICE if choices_for(classification) else Question.CATEGORY
    return Question.DETAILS


def choices_for(classification: Classification) -> tuple[str, str] | None:
    """The two categories a close call is between, the likelier first; None when the
    parser found fewer than two, or a third as likely as the second (then the open question
    is the better one)."""
    runner_up = classification.runner_up
    if classification.code is None or runner_up is None:
        return None
    ranked = sorted(classification.scores.values(), reverse=True)
    if len(ranked) > 2 and ranked[2] == ranked[1]:
        return None
    return classification.code, runner_up


def chosen(answer: str, choices: tuple[str, ...]) -> str | None:
    """The category a reply to a choice picks: "1", "٢", "الثاني", "2." ...; None when the
    reply is no choice (it may still name the problem in words)."""
    word = normalise_arabic(answer).strip(" .,!?-)(")
    for choice, answers in zip(choices, _CHOICE_WORDS, strict=False):
        if word in {normalise_arabic(a) for a in answers}:
            return choice
    return None


def is_new_complaint(
    classification: Classification, location: Location, pending_category: str | None
) -> bool:
    """A reply that is a whole complaint about another problem starts a new ticket rather
    than answering the question about the pending one."""
    return (
        knows_category(classification)
        and knows_place(location)
        and pending_category is not None
        and classification.code != pending_category
    )
