"""The rules of "is it fixed?": which whole messages answer it, and which of two outstanding
questions a bare answer is for."""

from datetime import UTC, datetime, timedelta

import pytest

from feedback.domain.confirmation import FixAnswer, fix_answer, fix_question_wins

FIXED, NOT_FIXED = FixAnswer.FIXED, FixAnswer.NOT_FIXED


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("1", FIXED),
        ("١", FIXED),
        (" 1. ", FIXED),
        ("Yes", FIXED),
        ("YES!", FIXED),
        ("fixed", FIXED),
        ("نعم", FIXED),
        ("نعم.", FIXED),
        ("«نعم»", FIXED),
        ("ايه", FIXED),
        ("2", NOT_FIXED),
        ("٢", NOT_FIXED),
        ("No", NOT_FIXED),
        ("not fixed", NOT_FIXED),
        ("لا", NOT_FIXED),
        ("لا!", NOT_FIXED),
        ("لا ما انحلت", NOT_FIXED),
        ("ما انحلت؟", NOT_FIXED),
    ],
)
def test_answers_in_either_language_and_either_digits(text, answer):
    assert fix_answer(text) is answer


@pytest.mark.parametrize(
    "text", ["12", "3", "", "ماكو ماي بحي الحسين", "no water", "لا يوجد ماء", "STATUS B7K2Q"]
)
def test_anything_else_is_no_answer(text):
    assert fix_answer(text) is None


def test_the_question_asked_last_wins():
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    earlier = now - timedelta(minutes=5)
    assert fix_question_wins(now, earlier)
    assert not fix_question_wins(earlier, now)
    assert fix_question_wins(now, None)  # only the fix question is outstanding
    assert not fix_question_wins(None, now)
    assert not fix_question_wins(None, None)
