"""Learning from officers' corrections, as plain Python: the parser's accuracy on corrected
texts, the words that mislead it, and the keywords suggested to an admin."""

import pytest

from feedback.domain.corrections import (
    MIN_SUGGESTION_COUNT,
    CorrectionKind,
    Example,
    Misleading,
    Suggestion,
    Tally,
    report,
    spelled_words,
    suggest_keywords,
)
from feedback.reference_data import stop_words

# One word per category, as a toy parser reads a word alone.
WORD_CATEGORY = {
    "ريحة": "water-quality",
    "ريحه": "water-quality",
    "بالريحة": "water-quality",
    "smell": "water-quality",
}


def classify_word(word: str) -> str | None:
    return WORD_CATEGORY.get(word)


def example(text: str, old: str | None, new: str | None, parsed: str | None, **more) -> Example:
    return Example(
        kind=more.pop("kind", CorrectionKind.CATEGORY),
        text=text,
        old_category=old,
        new_category=new,
        old_directorate=more.pop("old_directorate", "water"),
        new_directorate=more.pop("new_directorate", "environment"),
        parsed_category=parsed,
        parsed_directorate=more.pop("parsed_directorate", None),
    )


def test_a_category_correction_is_right_when_the_parser_now_finds_the_new_category():
    assert example("x", "water-quality", "air-pollution", "air-pollution").parser_right
    assert not example("x", "water-quality", "air-pollution", "water-quality").parser_right
    assert not example("x", None, "air-pollution", None).parser_right


def test_a_transfer_is_right_when_the_parsers_category_routes_to_the_new_directorate():
    moved = {"kind": CorrectionKind.TRANSFER, "new_directorate": "sewerage"}
    same = example("x", "water-leak", "water-leak", "water-leak", **moved)
    assert not same.parser_right  # water-leak still routes to water
    routed = example("x", "water-leak", "water-leak", "sewage-overflow", **moved,
                     parsed_directorate="sewerage")  # fmt: skip
    assert routed.parser_right
    assert same.wrong_category == "water-leak"  # it sent the ticket to the wrong directorate


def test_the_report_counts_accuracy_by_change_and_the_words_that_mislead():
    examples = [
        example("ريحة المجزرة قوية بالعشار", "water-quality", "air-pollution", "water-quality"),
        example("ريحه المجزره، ريحة!", "water-quality", "air-pollution", "air-pollution"),
        example("Terrible smell from the slaughterhouse", "water-quality", "air-pollution", None),
        example("حفرة بالشارع", None, "road-damage", "road-damage"),
        example("بالريحة", "water-quality", "sewage-overflow", None),
        example(
            "بوري مكسور",
            "water-leak",
            "water-leak",
            "water-leak",
            kind=CorrectionKind.TRANSFER,
            new_directorate="sewerage",
            parsed_directorate="water",
        ),  # fmt: skip
    ]
    found = report(examples, classify_word)
    assert (found.corrections, found.right) == (6, 2)
    assert found.accuracy == pytest.approx(1 / 3)
    assert found.categories == [
        Tally("water-quality", "air-pollution", 3, 1),
        Tally("water-quality", "sewage-overflow", 1, 0),
        Tally(None, "road-damage", 1, 1),
    ]
    assert found.directorates == [Tally("water", "sewerage", 1, 0)]
    # Counted once a text, however spelt; shown as most often written, less the article.
    assert found.misleading == [
        Misleading("ريحة", 3, "water-quality"),
        Misleading("smell", 1, "water-quality"),
    ]


def test_an_empty_report_has_no_accuracy():
    found = report([], classify_word)
    assert (found.corrections, found.accuracy, found.misleading) == (0, None, [])


def test_the_report_keeps_the_top_misleading_words():
    words = [f"word{n}" for n in range(12)]
    examples = [example(" ".join(words[: n + 1]), "a", "b", None) for n in range(12)]
    found = report(examples, lambda word: "a", top=3)
    assert found.misleading == [
        Misleading("word0", 12, "a"),
        Misleading("word1", 11, "a"),
        Misleading("word2", 10, "a"),
    ]


def test_words_are_taken_as_written_without_diacritics_and_an_article_for_the_keyword():
    found = {(w.written, w.stem) for w in spelled_words("بالمَجْزَرةـة، The Slaughterhouse")}
    assert found == {
        ("بالمجزرةة", "مجزرةة"),
        ("the", "the"),
        ("slaughterhouse", "slaughterhouse"),
    }
    # A word that merely starts like an article keeps its letters.
    assert [w.stem for w in spelled_words("الله البيت")] == ["الله", "بيت"]


def no_place(_word: str) -> bool:
    return False


def test_suggestions_are_words_of_several_corrections_not_yet_a_keyword():
    texts = [
        "ريحة المجزرة قوية يم بيوتنا بالعشار",
        "ريحه المجزره بالعشار ما تنطاق",
        "Terrible smell from the slaughterhouse next to our houses",
        "The slaughterhouse smell is unbearable 2026",
        "slaughterhouse",
    ]
    is_place = {"بالعشار", "العشار"}.__contains__
    found = suggest_keywords(texts, ["ريحة", "smell"], is_place, stop_words())
    assert found == [Suggestion("slaughterhouse", 3), Suggestion("مجزرة", 2)]


def test_a_word_of_one_correction_is_not_suggested():
    found = suggest_keywords(["قنفذ بالشارع", "قنفذ قنفذ"], [], no_place, [], minimum=3)
    assert found == []
    assert suggest_keywords(["قنفذ", "قنفذ"], [], no_place, []) == [Suggestion("قنفذ", 2)]
    assert MIN_SUGGESTION_COUNT == 2


@pytest.mark.parametrize(
    ("word", "keywords", "stop"),
    [
        ("الحفرة", ["حفره"], []),  # a keyword already, spelt otherwise
        ("بالماي", ["ماي"], []),  # a keyword under a clitic
        ("Potholes", ["potholes"], []),  # capitals
        ("في", [], []),  # too short
        ("٢٠٢٦", [], []),  # a number, in Arabic digits
        ("كلش", [], ["كلش"]),  # a stop word
        ("هسة", [], ["هسه"]),  # a stop word spelt otherwise
        ("street", [], ["street"]),
    ],
)
def test_keywords_stop_words_short_words_and_numbers_are_never_suggested(word, keywords, stop):
    assert suggest_keywords([word, word], keywords, no_place, stop) == []


def test_place_names_are_never_suggested():
    assert suggest_keywords(["التنومة", "التنومة"], [], lambda word: True, []) == []


def test_the_stop_words_are_words():
    listed = stop_words()
    assert len(listed) > 100 and all(isinstance(word, str) and word for word in listed)
    assert {"من", "the", "no", "on"} <= set(listed)
