"""The model of the labelled messages, and how the classifier lets it settle and dispute."""

import pytest

from feedback.domain.classify import SURE, CategoryKeywords, Classifier
from feedback.domain.learned import Example, ExampleModel

EXAMPLES = [
    Example("الوطنية طافية من الصبح", "electricity-outage"),
    Example("الوطنيه ما اجت والفولتيه واطيه", "electricity-outage"),
    Example("ماكو كهرباء من يومين", "electricity-outage"),
    Example("السبتك طافح والريحه بالبيت", "sewage-overflow"),
    Example("السبتك مليان محد يسحبه", "sewage-overflow"),
    Example("المنهول مفتوح بالشارع", "sewage-overflow"),
    Example("شكرا الكم على الاستجابه", None),
    Example("شكرا الله يحفظكم", None),
]
CODES = ["electricity-outage", "sewage-overflow"]


def test_probabilities_cover_every_label_and_add_up_to_one():
    ranked = ExampleModel(EXAMPLES, CODES).probabilities("الوطنية")
    assert {label for _, label in ranked} == {"electricity-outage", "sewage-overflow", None}
    assert sum(probability for probability, _ in ranked) == pytest.approx(1.0)
    assert ranked[0][1] == "electricity-outage"


def test_pieces_of_words_carry_a_form_no_example_had():
    """ "بالسبتكات" was never seen; its pieces were."""
    assert ExampleModel(EXAMPLES, CODES).probabilities("بالسبتكات")[0][1] == "sewage-overflow"


def test_examples_of_a_retired_category_are_not_learned():
    model = ExampleModel(EXAMPLES, ["electricity-outage"])
    assert "sewage-overflow" not in {label for _, label in model.probabilities("السبتك")}


KEYWORDS = [
    CategoryKeywords("electricity-outage", ("الوطنية",), ("كهرباء",)),
    CategoryKeywords("sewage-overflow", ("منهول",)),
]


def test_the_model_settles_what_the_keywords_leave_open():
    """ "طافح" overflows for a sewer and trips for a feeder: a close call the examples settle."""
    keywords = [
        CategoryKeywords("electricity-outage", ("الوطنية",), ("كهرباء",), ("طافح",)),
        CategoryKeywords("sewage-overflow", ("منهول",), (), ("طافح",)),
    ]
    without = Classifier(keywords).classify("السبتك طافح")
    assert without.is_tie and without.confidence < SURE
    settled = Classifier(keywords, ExampleModel(EXAMPLES, CODES)).classify("السبتك طافح")
    assert settled.code == "sewage-overflow" and settled.confidence >= SURE


def test_the_model_alone_decides_only_when_all_but_certain():
    assert Classifier(KEYWORDS, ExampleModel(EXAMPLES, CODES)).classify("السبتك").code is None


def test_the_model_disputes_a_keyword_decision_it_is_nearly_sure_of_and_the_citizen_is_asked():
    examples = EXAMPLES + [Example("السبتك يم عمود الوطنية طافح", "sewage-overflow")] * 30
    classifier = Classifier(KEYWORDS, ExampleModel(examples, CODES))
    disputed = classifier.classify("السبتك يم عمود الوطنية طافح")
    assert disputed.code == "electricity-outage" and disputed.confidence < SURE
    assert disputed.runner_up == "sewage-overflow"


def test_a_thank_you_is_no_complaint_whatever_the_model_says():
    classifier = Classifier(KEYWORDS, ExampleModel(EXAMPLES, CODES))
    assert classifier.classify("شكرا الكم الكهرباء رجعت").code is None


def test_the_model_breaks_a_tie_only_between_the_keywords_contenders():
    """A clinic named after "the road to" counts a quarter: the model may not settle on it."""
    keywords = [
        CategoryKeywords("street-lighting", ("ظلمه",)),
        CategoryKeywords("electricity-outage", ("طافيه",)),
        CategoryKeywords("health-facility", ("مستوصف",)),
    ]
    examples = [Example("الدرب للمستوصف ظلمه طافيه", "health-facility")] * 20 + [
        Example("ظلمه", "street-lighting"),
        Example("طافيه", "electricity-outage"),
    ]
    codes = ["street-lighting", "electricity-outage", "health-facility"]
    result = Classifier(keywords, ExampleModel(examples, codes)).classify(
        "الدرب للمستوصف ظلمه طافيه"
    )
    assert result.scores["health-facility"] == 0.25
    assert result.code != "health-facility" and result.confidence < SURE


def test_the_model_overrules_a_decision_when_all_but_certain_of_a_category_the_keywords_found():
    """Two words for the power against one for the sewer, but the examples know this message:
    the sewer it is, without a question."""
    keywords = [
        CategoryKeywords("electricity-outage", ("الوطنية", "طافية")),
        CategoryKeywords("sewage-overflow", ("منهول",)),
    ]
    text = "الوطنية طافية والمنهول طافح بالشارع"
    examples = EXAMPLES + [Example(text, "sewage-overflow")] * 40
    without = Classifier(keywords).classify(text)
    assert without.code == "electricity-outage" and without.confidence >= SURE
    overruled = Classifier(keywords, ExampleModel(examples, CODES)).classify(text)
    assert overruled.code == "sewage-overflow" and overruled.confidence >= 0.99


def test_a_thank_you_for_a_replaced_transformer_is_no_complaint():
    classifier = Classifier(KEYWORDS, ExampleModel(EXAMPLES, CODES))
    assert classifier.classify("الكهرباء صارت زينة تسلم ايد اللي بدلوا المحولة").code is None
