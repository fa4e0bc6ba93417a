"""Classification of complaint text into a service category by keyword."""

import pytest

from feedback.domain.classify import TIE_CONFIDENCE, CategoryKeywords, Classifier
from feedback.domain.conversation import MIN_CATEGORY_CONFIDENCE
from feedback.reference_data import category_keywords

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


GENERIC = Classifier(
    [
        CategoryKeywords(
            "water-supply", ("ماكو ماي",), ("ماي",), ("انقطاع", "cut"), ("water-quality",)
        ),
        CategoryKeywords("water-quality", ("مالح",), (), ("ريحه", "smell")),
        CategoryKeywords("electricity-outage", ("الوطنيه",), ("كهرباء",), ("انقطاع", "cut")),
        CategoryKeywords("waste-collection", ("زباله", "garbage"), (), ("ريحه", "smell")),
        CategoryKeywords("health-facility", ("مستوصف", "clinic")),
        CategoryKeywords("street-lighting", ("اضويه", "street lights")),
    ]
)


def test_a_generic_word_counts_for_the_service_the_message_names():
    assert GENERIC.classify("انقطاع الماي بالحي").code == "water-supply"
    assert GENERIC.classify("انقطاع الكهرباء بالحي").code == "electricity-outage"
    assert GENERIC.classify("the garbage smell is terrible").code == "waste-collection"


def test_a_generic_word_reaches_the_categories_a_named_one_shares_its_words_with():
    """Water that smells is water quality, though only water supply lists "ماي"."""
    result = GENERIC.classify("الماي ريحه")
    assert result.code == "water-quality"
    assert "waste-collection" not in result.scores


def test_a_generic_word_alone_is_a_close_call_between_its_categories():
    result = GENERIC.classify("انقطاع من الصبح")
    assert result.is_tie
    assert set(result.scores) == {"water-supply", "electricity-outage"}


def test_a_generic_word_of_no_named_service_does_not_count():
    """A smell in a clinic is the clinic's: no category of "smell" is named."""
    result = GENERIC.classify("smell in the clinic")
    assert result.code == "health-facility"
    assert set(result.scores) == {"health-facility"}


def test_what_follows_a_word_of_place_is_where_not_what():
    """The street to the clinic is dark: street lights, not the clinic."""
    result = GENERIC.classify("street lights off on the road to the clinic")
    assert result.code == "street-lighting"
    assert result.scores["health-facility"] == pytest.approx(0.25)
    assert GENERIC.classify("اضويه الشارع طافيه قرب المستوصف").code == "street-lighting"
    assert GENERIC.classify("الاضويه طافيه للمستوصف").scores["health-facility"] == 0.25
    road_to = GENERIC.classify("الاضويه طافيه قرب طريق المستوصف")  # طريق is طريك as read
    assert road_to.scores["health-facility"] == 0.25


def test_what_the_problem_is_compared_with_is_not_the_problem():
    """Tap water that smells like sewage is dirty water, not a sewer overflowing."""
    for text in (
        "ماي الاسالة ريحته مثل المجاري وخابط",
        "tap water is dirty and smells like sewage",
    ):
        result = Classifier(category_keywords()).classify(text)
        assert result.code == "water-quality", text
        assert result.scores["sewage-overflow"] < result.scores["water-quality"]


def test_runner_up_is_the_second_category():
    result = GENERIC.classify("ماي مالح وزباله")
    assert result.runner_up in {"waste-collection", "water-supply"}
    assert GENERIC.classify("مالح").runner_up is None


@pytest.mark.parametrize(
    "text",
    ["الجسر كله حفر وتخسفات", "jisr el ma3qal kullah 6assat", "potholes all over the bridge"],
)
def test_holes_in_a_bridge_are_the_bridge_s_with_the_shipped_lists(text):
    """Holes are a street's problem word; on a named bridge they count for the bridge."""
    result = Classifier(category_keywords()).classify(text)
    assert result.code == "bridges-highways" and result.confidence >= MIN_CATEGORY_CONFIDENCE
