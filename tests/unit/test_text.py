"""Arabic/English normalisation, language detection, phone masking and clitic stripping."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.domain.text import (
    clean_text,
    detect_language,
    latin_forms,
    latin_key,
    mask_phone_numbers,
    normalise_arabic,
    to_ascii_digits,
    word_forms,
    words,
)
from tests.conftest import PHONE_SEPARATORS, shows_phone


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
    masked = mask_phone_numbers("call 07801234567 or (07701234567) or (0770) 123-4567.")
    assert masked == "call [•••] or ([•••]) or ([•••]."


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
    "phone",
    [
        "0770 - 123 - 4567",
        "0770  123  4567",
        "0770\u2013123\u20134567",  # en dash
        "0770\u2014123\u20144567",  # em dash
        "0770/123/4567",
        "0770,123,4567",
        "0770\u060c123\u060c4567",  # Arabic comma
        "0770_123_4567",
        "0770\u0640123\u06404567",  # tatweel
        "07\u200b70\u200c123\u200d45\u206067",  # zero-width space, non-joiner, joiner, word joiner
        "0770\ufeff123\u200e45\u200f6\u061c7",  # BOM, LRM, RLM, ALM
        "0770\u00a0123\u00a04567",  # no-break space
        "+964 770 123 4567",
        "+964-770-123-4567",
        "00964 770 123 4567",
        "964 770 123 4567",
        "٠٧٧٠ - ١٢٣ - ٤٥٦٧",
        "۰۷۷۰/۱۲۳/۴۵۶۷",
        "+٩٦٤ ٧٧٠ ١٢٣ ٤٥٦٧",
        "٠٧٧٠\u2013123\u2013۴۵۶۷",  # three digit scripts in one number
        "040 612 3456",  # a Basra landline
        "+964 40 612 345",
    ],
)
def test_mask_phone_numbers_masks_every_way_a_number_is_typed(phone):
    assert mask_phone_numbers(f"اتصلوا بي {phone} رجاء") == "اتصلوا بي [•••] رجاء"


@pytest.mark.parametrize(
    "text",
    [
        "3 days",
        "من ثلاث ايام",
        "street 14",
        "شارع 14",
        "1,500 dinars",
        "1500 دينار",
        "طلبوا 1,500,000 دينار",
        "cost ٢٥٠٬٠٠٠٬٠٠٠ dinars",  # Arabic thousands separator
        "2026-11-27",
        "27/11/2026",
        "من ٢٧/١١/٢٠٢٦",
        "27.11.2026",
        "6 pm",
        "الساعة 6 مساء",
        "ref B7K2Q",
        "since 2019",
        "من سنة 2019",
    ],
)
def test_mask_phone_numbers_leaves_ordinary_numbers(text):
    assert mask_phone_numbers(text) == text


DIGIT_SCRIPTS = ("0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹")
BEFORE = ("", "رقمي ", "اتصلوا على ", "call me on ", "و", "رقمي:", "ماكو ماي من 3 ايام، رقمي ")
AFTER = ("", " رجاء", ".", "!", " ماكو ماي بحي الحسين")


@st.composite
def typed_mobiles(draw) -> tuple[str, str]:
    """(national number, how a citizen typed it): an Iraqi mobile in national or international
    form, each digit in any script, cut into groups joined by runs of mixed separators."""
    national = (
        "7" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=8, max_size=8))
    )
    prefix = draw(st.sampled_from(["0", "+964", "00964", "964", "+9640"]))
    digits = prefix.lstrip("+") + national
    scripted = "".join(draw(st.sampled_from(DIGIT_SCRIPTS))[int(digit)] for digit in digits)
    cuts = sorted(draw(st.sets(st.integers(1, len(scripted) - 1), max_size=len(scripted) - 1)))
    groups = [
        scripted[start:end] for start, end in zip([0, *cuts], [*cuts, len(scripted)], strict=True)
    ]
    joints = st.text(PHONE_SEPARATORS, min_size=1, max_size=4)
    typed = groups[0] + "".join(draw(joints) + group for group in groups[1:])
    return national, ("+" if prefix.startswith("+") else "") + typed


@given(typed_mobiles(), st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_mask_phone_numbers_leaves_nothing_of_a_mobile_number(typed, before, after):
    national, phone = typed
    assert not shows_phone(mask_phone_numbers(before + phone + after), national)


def in_script(text: str, script: str) -> str:
    return text.translate(str.maketrans("0123456789", script))


@given(st.integers(0, 999_999), st.sampled_from(DIGIT_SCRIPTS), st.sampled_from(BEFORE + AFTER))
def test_mask_phone_numbers_leaves_numbers_shorter_than_a_phone_number(number, script, words):
    text = f"{words} {in_script(str(number), script)} {words}"
    assert mask_phone_numbers(text) == text


@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y"]),
    st.sampled_from(DIGIT_SCRIPTS),
)
def test_mask_phone_numbers_leaves_dates(day, layout, script):
    text = f"من {in_script(day.strftime(layout), script)} ماكو ماي"
    assert mask_phone_numbers(text) == text


@given(st.integers(1000, 999_999_999), st.sampled_from([",", "\u066c"]))
def test_mask_phone_numbers_leaves_amounts_with_thousands_separators(amount, separator):
    text = f"طلبوا {amount:,} دينار".replace(",", separator)
    assert mask_phone_numbers(text) == text


@pytest.mark.parametrize(
    ("one", "other"),
    [("hussein", "husain"), ("zubair", "zubayr"), ("zobair", "zubair"), ("basrah", "basra")],
)
def test_latin_spellings_of_one_name_share_a_key(one, other):
    assert latin_key(one) == latin_key(other)


def test_arabizi_digits_and_glued_articles_are_unfolded():
    assert latin_key("husain") in latin_forms("al7usain")
    assert latin_key("hay") in latin_forms("b7ay")


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("ماكو\x00 ماي", "ماكو ماي"),  # NUL: PostgreSQL refuses it in text
        ("a\x01\x07\x1b\x7f\x85\x9fb", "ab"),  # C0, DEL and C1 controls
        ("سطر\r\nسطر\rسطر\nتاب\t.", "سطر\nسطر\nسطر\nتاب\t."),  # line breaks and tab kept
        ("ماي\ud800 \udfff", "ماي\ufffd \ufffd"),  # lone surrogates: no UTF-8 carries them
        ("\ud83d\udca7", "\U0001f4a7"),  # a surrogate pair is the character it stands for
        ("\u200fحي\u200e \u200d\ufeff", "\u200fحي\u200e \u200d\ufeff"),  # marks are text
    ],
)
def test_clean_text_drops_control_characters_and_mends_surrogates(raw, cleaned):
    assert clean_text(raw) == cleaned


@given(st.text(st.characters(exclude_categories=[])))  # surrogates too
def test_cleaned_text_is_storable_and_cleaning_it_again_changes_nothing(raw):
    cleaned = clean_text(raw)
    cleaned.encode("utf-8")  # no lone surrogate left
    assert not any(ord(ch) < 32 and ch not in "\n\t" or 0x7F <= ord(ch) <= 0x9F for ch in cleaned)
    assert clean_text(cleaned) == cleaned
