"""Classification of complaint text into a service category by keyword."""

import pytest

from feedback.domain.classify import TIE_CONFIDENCE, CategoryKeywords, Classifier
from feedback.domain.conversation import MIN_CATEGORY_CONFIDENCE

CATEGORIES = [
    CategoryKeywords("water-supply", ("ماي", "ماء", "no water")),
    CategoryKeywords("electricity", ("كهرباء", "الوطنية", "power cut")),
    CategoryKeywords("sewage", ("مجاري", "طفح")),
]


@pytest.fixture(scope="module")
def classifier():
    return Classifier(CATEGORIES)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ماكو ماي", "water-supply"),  # Iraqi dialect: "there is no water"
        ("مَاءٌ مقطوع من يومين", "water-supply"),  # diacritics
        ("والماي ضعيف", "water-supply"),  # "and the water"
        ("ماكو بالكهرباء شي", "electricity"),  # "in the electricity"
        ("الوطنيه طافية", "electricity"),  # the grid, spelled with ه
        ("power cut since morning", "electricity"),
        ("POWER CUT!", "electricity"),
        ("No water in Ashar", "water-supply"),
        ("طفح المجاري بالشارع", "sewage"),
    ],
)
def test_classify_finds_the_category(classifier, text, code):
    assert classifier.classify(text).code == code


def test_a_phrase_counts_one_per_word(classifier):
    result = classifier.classify("power cut")
    assert result.scores == {"electricity": 2.0}
    assert result.confidence == 1.0


@pytest.mark.parametrize("text", ["power", "cut the power", "water"])
def test_a_phrase_needs_all_its_words_in_order(classifier, text):
    assert classifier.classify(text).code is None


@pytest.mark.parametrize("text", ["الشارع مكسر", "the road is broken", "", "07801234567"])
def test_no_keyword_gives_no_category(classifier, text):
    result = classifier.classify(text)
    assert result.code is None
    assert result.confidence == 0.0
    assert result.scores == {}
    assert not result.is_tie


def test_an_exact_tie_goes_to_the_first_mentioned_problem_without_confidence(classifier):
    """The first-mentioned problem is usually the complaint; the low confidence makes the SMS
    conversation ask the citizen rather than trust the guess."""
    result = classifier.classify("ماكو ماي والكهرباء طافية")
    assert result.scores == {"water-supply": 1.0, "electricity": 1.0}
    assert result.code == "water-supply"
    assert result.confidence == TIE_CONFIDENCE < MIN_CATEGORY_CONFIDENCE
    assert result.is_tie
    reversed_order = classifier.classify("الكهرباء طافية وماكو ماي")
    assert reversed_order.code == "electricity"


def test_a_rival_category_lowers_confidence(classifier):
    alone = classifier.classify("ماكو ماي والماء مقطوع")
    contested = classifier.classify("ماكو ماي والماء مقطوع والمجاري")
    assert alone.code == contested.code == "water-supply"
    assert not contested.is_tie
    assert 0 < contested.confidence < alone.confidence == 1.0


def test_one_keyword_is_less_sure_than_two(classifier):
    assert classifier.classify("ماي").confidence < classifier.classify("ماي ماء").confidence


def test_a_longer_phrase_beats_a_keyword_inside_it():
    classifier = Classifier(
        [
            CategoryKeywords("electricity", ("كهرباء",)),
            CategoryKeywords("street-lighting", ("عمود كهرباء",)),
        ]
    )
    assert classifier.classify("عمود كهرباء واقع").code == "street-lighting"


@pytest.mark.parametrize(
    "text",
    [
        "ماي",
        "ماكو ماي ماكو ماء no water",
        "power cut والماي",
        "طفح مجاري وماي",
        "الوطنية والكهرباء والماي",
    ],
)
def test_confidence_is_between_zero_and_one(classifier, text):
    result = classifier.classify(text)
    assert result.code is not None
    assert 0 < result.confidence <= 1


def test_a_phrase_takes_its_words_away_from_shorter_keywords():
    classifier = Classifier(
        [
            CategoryKeywords("water-supply", ("ماي",)),
            CategoryKeywords("water-quality", ("ماي مالح", "ماي وسخ")),
        ]
    )
    result = classifier.classify("ماي مالح من يومين")
    assert result.code == "water-quality"
    assert "water-supply" not in result.scores


def test_a_misspelt_keyword_still_counts_but_weighs_less():
    classifier = Classifier([CategoryKeywords("electricity-outage", ("الكهرباء", "مقطوعه"))])
    exact = classifier.classify("الكهرباء")
    misspelt = classifier.classify("الكهربااء")
    assert misspelt.code == "electricity-outage"
    assert misspelt.scores["electricity-outage"] < exact.scores["electricity-outage"]


def test_arabizi_and_transliteration_variants_match_latin_keywords():
    classifier = Classifier([CategoryKeywords("electricity-outage", ("kahraba", "power cut"))])
    assert classifier.classify("el kahraba ma9ta3a").code == "electricity-outage"
    assert classifier.classify("POWER CUT since morning").code == "electricity-outage"


def test_a_short_latin_word_never_matches_by_its_key():
    """'me' folds like Arabizi 'mai' (water): short keys only match exactly."""
    classifier = Classifier([CategoryKeywords("water-supply", ("mai",))])
    assert classifier.classify("call me please").code is None
    assert classifier.classify("mako mai").code == "water-supply"
