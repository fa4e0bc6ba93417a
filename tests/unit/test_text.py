"""Arabic/English normalisation, language detection, phone masking and clitic stripping."""

import pytest

from feedback.domain.text import (
    detect_language,
    latin_forms,
    latin_key,
    mask_phone_numbers,
    normalise_arabic,
    to_ascii_digits,
    word_forms,
    words,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("مَاءٌ", "ماء"),  # fatha + tanween damm
        ("كَهْرَبَاء", "كهرباء"),  # sukun
        ("مُشَّكِلَة", "مشكله"),  # shadda, kasra; teh marbuta
        ("كهربـــاء", "كهرباء"),  # tatweel
        ("أمطار", "امطار"),
        ("إسالة", "اساله"),
        ("آبار", "ابار"),
        ("ٱلماء", "الماء"),  # alef wasla
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("البصرة", "البصره"),  # teh marbuta
        ("مسؤول", "مسوول"),  # waw with hamza
        ("شاطئ", "شاطي"),  # yeh with hamza
        ("ماکو", "ماكو"),  # Persian kaf
        ("ی", "ي"),  # Persian yeh
        ("چلاب گاز", "جلاب كاز"),  # Iraqi che and gaf
        ("٣ ايام", "3 ايام"),
        ("۰۷۸۰", "0780"),  # Persian digits
        ("No WATER", "no water"),
        ("Straße", "strasse"),  # casefold, not just lower()
        ("  ماكو\t\n  ماي  ", "ماكو ماي"),
        ("ماي، كهرباء؟", "ماي, كهرباء?"),
    ],
)
def test_normalise_arabic_folds_spelling_variants(raw, folded):
    assert normalise_arabic(raw) == folded


def test_normalise_arabic_makes_variant_spellings_equal():
    assert normalise_arabic("الكَهْرَبـــاءُ مقطوعة") == normalise_arabic("الكهرباء مقطوعه")


def test_to_ascii_digits_converts_arabic_indic_and_persian_and_keeps_letters():
    assert to_ascii_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_ascii_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_ascii_digits("B٧K٢Q ماي") == "B7K2Q ماي"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ماكو ماي بحي الحسين", "ar"),
        ("no water in Ashar since Monday", "en"),
        ("ماكو ماي no", "ar"),  # 7 Arabic letters, 2 Latin
        ("no water ماي", "en"),  # 7 Latin letters, 3 Arabic
        ("ماكو ماي in Ashar", "ar"),  # 7 and 7: a tie counts as Arabic
        ("", "ar"),
        ("07801234567", "ar"),
        ("٠٧٨٠١٢٣٤٥٦٧", "ar"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "phone",
    ["07801234567", "+964 780 123 4567", "+9647801234567", "0780-123-4567", "0780.123.4567"],
)
def test_mask_phone_numbers_masks_phone_shapes(phone):
    assert mask_phone_numbers(f"اتصلوا بي {phone} رجاء") == "اتصلوا بي [•••] رجاء"


def test_mask_phone_numbers_masks_arabic_indic_digits():
    assert mask_phone_numbers("رقمي ٠٧٨٠١٢٣٤٥٦٧") == "رقمي [•••]"


def test_mask_phone_numbers_masks_every_number_and_keeps_punctuation():
    masked = mask_phone_numbers("call 07801234567 or (07701234567).")
    assert masked == "call [•••] or ([•••])."


def test_mask_phone_numbers_uses_the_given_mask():
    assert mask_phone_numbers("07801234567", mask="***") == "***"


@pytest.mark.parametrize(
    "text",
    [
        "since 2026",
        "3 ايام بدون ماي",
        "ref B7K2Q",
        "STATUS B7K2Q 2026",
        "house 12, street 45",
        "123456",  # six digits: not a phone
    ],
)
def test_mask_phone_numbers_leaves_short_numbers(text):
    assert mask_phone_numbers(text) == text


@pytest.mark.parametrize("text", ["رقمي 07701111111 و07801234567", "ت07801234567"])
def test_mask_phone_numbers_masks_a_number_glued_to_a_clitic(text):
    assert "07801234567" not in mask_phone_numbers(text)


def test_words_splits_on_spaces_hyphens_and_punctuation():
    assert words("al-ashar, ماكو_ماي! حي الحسين") == ["al", "ashar", "ماكو", "ماي", "حي", "الحسين"]


def test_words_of_empty_text():
    assert words("") == []


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("بحي", "حي"),
        ("والماي", "ماي"),
        ("والماي", "الماي"),
        ("بالعشار", "العشار"),
        ("بالعشار", "عشار"),
        ("للحسين", "حسين"),
        ("وبالكهرباء", "كهرباء"),
    ],
)
def test_word_forms_peels_a_clitic_prefix(word, stem):
    forms = word_forms(word)
    assert forms[0] == word
    assert stem in forms


@pytest.mark.parametrize("word", ["بر", "حي", "ماي", "no", "ashar"])
def test_word_forms_leaves_short_or_unprefixed_words_whole(word):
    assert word_forms(word) == [word]


def test_word_forms_keeps_at_least_two_letters():
    assert word_forms("وال") == ["وال", "ال"]
    assert all(len(form) >= 2 for form in word_forms("بال"))


@pytest.mark.parametrize("text", ["من 2026-03-15", "من 15/3/2026", "بتاريخ ١٥-٣-٢٠٢٦"])
def test_mask_phone_numbers_keeps_dates(text):
    assert mask_phone_numbers(text) == text


def test_mask_phone_numbers_keeps_the_citizens_own_digits_elsewhere():
    assert (
        mask_phone_numbers("ماكو ماي من ٣ ايام، رقمي ٠٧٨٠١٢٣٤٥٦٧")
        == "ماكو ماي من ٣ ايام، رقمي [•••]"
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [("hussein", "husain"), ("zubair", "zubayr"), ("zobair", "zubair"), ("basrah", "basra")],
)
def test_latin_spellings_of_one_name_share_a_key(one, other):
    assert latin_key(one) == latin_key(other)


def test_arabizi_digits_and_glued_articles_are_unfolded():
    assert latin_key("husain") in latin_forms("al7usain")
    assert latin_key("hay") in latin_forms("b7ay")
