"""Misspellings are forgiven only where a guess is safe: feedback.domain.fuzzy."""

import pytest

from feedback.domain.fuzzy import NearWords, allowed_edits, stem

WORDS = NearWords(["الكهرباء", "سماعات", "المطر", "burning", "ilictriciti", "التبليطات"])


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        (["الكهربااء"], "الكهرباء"),  # a doubled letter
        (["كهرباء"], "الكهرباء"),  # without the article
        (["التبليتات"], "التبليطات"),  # one wrong letter in a long word
        (["ilicriciti"], "ilictriciti"),  # 'elecricity', folded
    ],
)
def test_a_misspelling_of_a_long_word_is_found(typed, meant):
    assert WORDS.find(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        ["ساعات"],  # hours: one letter from speakers, but too short to guess
        ["الماطور"],  # a water pump, not rain
        ["morning"],  # not burning: typos rarely hit the first letter
        ["الخير"],
    ],
)
def test_a_real_word_is_not_taken_for_another(typed):
    assert WORDS.find(typed) is None


def test_edits_allowed_grow_with_the_stem_length():
    assert stem("الكهرباء") == "كهرباء"
    assert [allowed_edits(w) for w in ("ماي", "الماطور", "كهرباء", "electricity")] == [0, 0, 1, 2]
