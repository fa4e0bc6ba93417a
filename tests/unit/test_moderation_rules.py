"""A moderator's redaction only cuts the citizen's words, and the public copy of a moderated
text survives the citizen adding to the original."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedback.domain.moderation import (
    CUT,
    HIDDEN_TEXT,
    BadRedaction,
    TextModeration,
    public_text_after,
    redacted,
)

ORIGINAL = "الماي مقطوع من اسبوع، المقاول علي حسين الكعبي ساكن بالعشار شارع الكورنيش ما يرد"


def test_a_cut_marked_with_an_ellipsis_is_taken():
    proposed = "الماي مقطوع من اسبوع، المقاول … ما يرد"
    assert redacted(ORIGINAL, proposed) == proposed


def test_three_full_stops_and_repeated_cuts_read_as_one_cut():
    proposed = "الماي مقطوع من اسبوع، ... ...… ما يرد"
    assert redacted(ORIGINAL, proposed) == f"الماي مقطوع من اسبوع، {CUT} ما يرد"


def test_spacing_and_windows_line_ends_do_not_count_as_changes():
    original = "Water cut for a week.\nAli Hassan the contractor never answers"
    proposed = "Water  cut for a week.\r\n… the contractor never answers"
    assert redacted(original, proposed) == "Water  cut for a week.\n… the contractor never answers"


def test_part_of_a_word_may_be_cut():
    assert redacted("Ali's house floods", "…'s house floods") == "…'s house floods"


@pytest.mark.parametrize(
    "proposed, reason",
    [
        ("", "empty"),
        ("  …  ", "empty"),
        ("...", "empty"),
        (ORIGINAL, "unchanged"),
        (ORIGINAL.replace(" ", "  "), "unchanged"),
        # A word added, a word changed, words reordered, a word dropped without a mark.
        ("الماي مقطوع من اسبوع، المقاول حرامي … ما يرد", "not_a_cut"),
        ("الماي مقطوع من شهر، المقاول … ما يرد", "not_a_cut"),
        ("ما يرد … الماي مقطوع", "not_a_cut"),
        ("الماي مقطوع من اسبوع، المقاول ما يرد", "not_a_cut"),
        ("<script>alert(1)</script> …", "not_a_cut"),
    ],
)
def test_a_redaction_that_adds_reorders_or_changes_nothing_is_refused(proposed, reason):
    with pytest.raises(BadRedaction) as refused:
        redacted(ORIGINAL, proposed)
    assert refused.value.reason == reason


WORDS = st.lists(st.sampled_from(["ماكو", "ماي", "علي", "حسين", "بالعشار", "not", "…", "..."]))


@given(original=WORDS, proposed=WORDS)
def test_an_accepted_redaction_says_nothing_the_citizen_did_not(original, proposed):
    """Whatever a moderator types, what is taken reads, between its cuts, as pieces of the
    original in their order: never a word added, moved or changed."""
    original_text, proposed_text = " ".join(original), " ".join(proposed)
    try:
        public = redacted(original_text, proposed_text)
    except BadRedaction:
        return
    plain = " ".join(original_text.replace("...", CUT).split())
    start = 0
    for piece in (" ".join(part.split()) for part in public.split(CUT)):
        if piece:
            start = plain.index(piece, start) + len(piece)  # ValueError: not in order


def test_phone_numbers_stay_masked_in_a_redaction():
    original = "No water, call me 0780 123 4567, Ali Hassan"
    # The moderator started from the original as staff see it, number and all.
    public = redacted(original, "No water, call me 0780 123 4567, …")
    assert "4567" not in public and public.endswith(", …")


def test_an_unmoderated_public_text_follows_the_original_masked():
    after = public_text_after("ماكو ماي", "ماكو ماي\n07801234567", "ماكو ماي", None)
    assert after == "ماكو ماي\n[•••]"


def test_a_hidden_text_stays_hidden_whatever_is_added():
    after = public_text_after("old", "old\nAli Hassan again", HIDDEN_TEXT, TextModeration.HIDDEN)
    assert after == HIDDEN_TEXT


def test_a_redacted_text_keeps_its_cuts_and_takes_what_is_added_masked():
    after = public_text_after(
        "Ali Hassan cut our water",
        "Ali Hassan cut our water\nstill cut, 07801234567",
        "… cut our water",
        TextModeration.REDACTED,
    )
    assert after == "… cut our water\nstill cut, [•••]"


def test_a_redacted_text_replaced_by_another_original_keeps_the_redaction():
    after = public_text_after("Ali cut it", "something else", "… cut it", TextModeration.REDACTED)
    assert after == "… cut it"
