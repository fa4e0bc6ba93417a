"""Phone numbers to E.164, whatever way an Iraqi number was typed."""

import pytest

from feedback.domain.phone import normalise_phone


@pytest.mark.parametrize(
    "typed",
    [
        "07801234567",
        "+9647801234567",
        "009647801234567",
        "+964 780 123 4567",
        "0780-123-4567",
        "٠٧٨٠١٢٣٤٥٦٧",  # Arabic-Indic digits
        "۰۷۸۰۱۲۳۴۵۶۷",  # Persian digits
        "+٩٦٤٧٨٠١٢٣٤٥٦٧",
    ],
)
def test_normalise_phone_to_e164(typed):
    assert normalise_phone(typed) == "+9647801234567"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [("07701234567", "+9647701234567"), ("07501234567", "+9647501234567")],
)
def test_other_iraqi_operators(typed, e164):
    assert normalise_phone(typed) == e164


def test_a_foreign_number_keeps_its_country():
    assert normalise_phone("+447911123456") == "+447911123456"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0780123",  # too short
        "078012345678",  # 12 digits
        "not a phone",
        "+964",
    ],
)
def test_invalid_numbers_are_none(typed):
    assert normalise_phone(typed) is None


@pytest.mark.parametrize("typed", ["07801234abc", "0780 CALL 567"])
def test_letters_in_a_number_make_it_invalid(typed):
    assert normalise_phone(typed) is None


def test_a_letter_o_for_a_zero_is_not_silently_accepted():
    assert normalise_phone("O7801234567") is None
