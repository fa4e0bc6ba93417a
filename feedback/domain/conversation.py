"""When a message leaves out what or where, ask once, and let the next message complete it.

A citizen on a basic phone should be asked at most one short question; silence for
ANSWER_WINDOW means the ticket is routed with what it has, never dropped."""

from datetime import timedelta
from enum import StrEnum

from feedback.domain.classify import Classification
from feedback.domain.locate import Location

ANSWER_WINDOW = timedelta(hours=24)
# Below these, a guess is worse than a question.
MIN_CATEGORY_CONFIDENCE = 0.5
MIN_PLACE_CONFIDENCE = 0.5


class Question(StrEnum):
    PLACE = "place"  # where is the problem?
    CATEGORY = "category"  # what is the problem?
    DETAILS = "details"  # what and where?


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
        return Question.CATEGORY
    return Question.DETAILS


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
