"""Public ticket references: shape, alphabet, randomness, and forgiving parsing."""

import pytest

from feedback.domain.reference import ALPHABET, new_reference, normalise_reference


def test_alphabet_has_no_look_alikes_and_no_repeats():
    assert not set("0O1ILUV") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 29


def test_new_reference_is_five_symbols_from_the_alphabet():
    for _ in range(200):
        reference = new_reference()
        assert len(reference) == 5
        assert set(reference) <= set(ALPHABET)


def test_new_reference_is_varied():
    draws = [new_reference() for _ in range(1000)]
    assert len(set(draws)) >= 990  # about 20 million possible references
    assert set("".join(draws)) == set(ALPHABET)  # every symbol turns up
    assert len({draw[0] for draw in draws}) > 20  # and not just in one position


def test_new_reference_reads_back_as_itself():
    reference = new_reference()
    assert normalise_reference(reference) == reference


@pytest.mark.parametrize(
    "typed",
    ["B7K2Q", "b7k2q", "B7k2Q", " b7k2q ", "B7K-2Q", "b7 k2 q", "B-7-K-2-Q", "B٧K٢Q", "b۷k۲q"],
)
def test_normalise_reference_forgives_case_spacing_dashes_and_arabic_digits(typed):
    assert normalise_reference(typed) == "B7K2Q"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "B7K2",  # too short
        "B7K2QQ",  # too long
        "B0K2Q",  # zero
        "BOK2Q",  # letter O
        "B1K2Q",
        "BIK2Q",
        "BLK2Q",
        "BUK2Q",
        "BVK2Q",
        "ب7K2Q",  # an Arabic letter
        "-----",
    ],
)
def test_normalise_reference_rejects_what_cannot_be_a_reference(typed):
    assert normalise_reference(typed) is None
