"""What to ask a citizen, decided without an app: feedback.domain.conversation."""

import pytest

from feedback.domain.classify import Classification
from feedback.domain.conversation import (
    Question,
    choices_for,
    chosen,
    is_new_complaint,
    knows_place,
    question_for,
)
from feedback.domain.locate import NOWHERE, Location

WATER = Classification("water-supply", 0.75, {"water-supply": 1.0})
UNSURE = Classification("water-supply", 0.3, {"water-supply": 0.7, "water-leak": 0.5})
NOTHING = Classification(None, 0.0, {})
ASHAR = Location("nbh-ashar", 30.5, 47.8, "gazetteer", 0.75, "العشار")
AMBIGUOUS = Location("nbh-x", None, None, "gazetteer", 0.375, "x")
PIN = Location(None, 30.5, 47.8, "gps", 1.0)
ABROAD = Location(None, 33.3, 44.4, "gps", 1.0, outside_area=True)


@pytest.mark.parametrize(
    ("classification", "location", "question"),
    [
        (WATER, ASHAR, None),
        (WATER, PIN, None),
        (WATER, NOWHERE, Question.PLACE),
        (WATER, AMBIGUOUS, Question.PLACE),
        (WATER, ABROAD, Question.PLACE),
        (NOTHING, ASHAR, Question.CATEGORY),
        (UNSURE, ASHAR, Question.CHOICE),
        (NOTHING, NOWHERE, Question.DETAILS),
    ],
)
def test_one_question_for_what_is_missing(classification, location, question):
    assert question_for(classification, location) == question


def test_a_point_outside_basra_is_not_a_known_place():
    assert not knows_place(ABROAD)
    assert knows_place(PIN)


def test_a_full_complaint_about_something_else_is_new():
    power = Classification("electricity-outage", 0.75, {"electricity-outage": 1.0})
    assert is_new_complaint(power, ASHAR, pending_category="water-supply")
    assert not is_new_complaint(WATER, ASHAR, pending_category="water-supply")
    assert not is_new_complaint(power, NOWHERE, pending_category="water-supply")
    assert not is_new_complaint(power, ASHAR, pending_category=None)


CLOSE = Classification("water-supply", 0.4, {"water-supply": 1.0, "sewage-overflow": 1.0})
THREE_WAY = Classification(
    "water-leak", 0.4, {"water-leak": 1.0, "road-damage": 1.0, "bridges": 1.0}
)


def test_a_close_call_between_two_asks_which_of_them():
    assert question_for(CLOSE, ASHAR) == Question.CHOICE
    assert choices_for(CLOSE) == ("water-supply", "sewage-overflow")


def test_a_close_call_between_three_or_none_asks_the_open_question():
    assert question_for(THREE_WAY, ASHAR) == Question.CATEGORY
    assert choices_for(NOTHING) is None
    assert question_for(CLOSE, NOWHERE) == Question.DETAILS  # one question: what and where


@pytest.mark.parametrize(
    ("answer", "picked"),
    [
        ("1", "a"),
        ("٢", "b"),
        (" 2. ", "b"),
        ("الثاني", "b"),
        ("one", "a"),
        ("3", None),
        ("ماي", None),
    ],
)
def test_a_choice_is_answered_by_its_number_or_ordinal(answer, picked):
    assert chosen(answer, ("a", "b")) == picked
