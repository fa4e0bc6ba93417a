"""Did the fix work? The SMS telling a citizen their complaint is resolved asks them to reply
1 (fixed) or 2 (not fixed); silence for CONFIRM_WINDOW counts as unconfirmed (DESIGN.md, "Fix
confirmation"). A bare 1 or 2 may also answer the understanding's close-call question: the
question asked last is the one the citizen is answering."""

from datetime import datetime, timedelta
from enum import StrEnum

from feedback.domain.text import normalise_arabic

CONFIRM_WINDOW = timedelta(days=7)


class FixAnswer(StrEnum):
    FIXED = "fixed"
    NOT_FIXED = "not_fixed"


# Whole-message answers, as normalise_arabic leaves them (ASCII digits, lower case): the digit,
# yes or no in either language and the dialect, or the state in words.
_ANSWERS = {
    FixAnswer.FIXED: ("1", "yes", "y", "fixed", "نعم", "اي", "ايه", "اي نعم", "انحلت", "تصلحت"),
    FixAnswer.NOT_FIXED: (
        "2",
        "no",
        "n",
        "not fixed",
        "لا",
        "كلا",
        "ما انحلت",
        "ماانحلت",
        "لا ما انحلت",
        "ما تصلحت",
    ),
}
FIX_WORDS = {normalise_arabic(word): answer for answer, words in _ANSWERS.items() for word in words}
_PUNCTUATION = " .,!?؟،;:-)(\"'«»"


def fix_answer(text: str) -> FixAnswer | None:
    """The answer a whole message gives to "is it fixed?" ("1", "١", "Yes!", "نعم."), or None
    when it is something else (then it may be a complaint or another answer)."""
    word = " ".join(normalise_arabic(text).strip(_PUNCTUATION).split())
    return FIX_WORDS.get(word)


def fix_question_wins(
    fix_asked_at: datetime | None, conversation_asked_at: datetime | None
) -> bool:
    """Whether a bare answer answers "is it fixed?" rather than the open question about a
    complaint being filed: the one asked last wins; with only one outstanding, that one."""
    if fix_asked_at is None:
        return False
    return conversation_asked_at is None or fix_asked_at >= conversation_asked_at
