"""Moderating what the public reads of a complaint (issue 16): a moderator may cut a name, an
accusation or an address out of a ticket's public text, or hide the text whole, and undo either.
The citizen's original is never changed; only its public copy is, and it stays so when the
citizen adds to the original later."""

import re
from enum import StrEnum

from feedback.domain.text import mask_phone_numbers


class TextModeration(StrEnum):
    """What a moderator did to a ticket's public text; None on the ticket: nothing."""

    REDACTED = "redacted"  # parts cut out, each cut shown as CUT
    HIDDEN = "hidden"  # HIDDEN_TEXT in its place


class ModerationAction(StrEnum):
    """A moderator's step, as a ticket event records it (details "action")."""

    REDACT = "redact"
    HIDE = "hide"
    RESTORE = "restore"


# Where a redaction cut something; three full stops typed by the moderator count as one.
CUT = "…"
# The public text of a hidden complaint, wherever it is read (pages say it in their language;
# exports, Open311 and the map carry this line as the text).
HIDDEN_TEXT = "أخفى مشرف نص هذه الشكوى · Text hidden by a moderator"
MAX_REASON = 1000

_TYPED_CUT = re.compile(r"\.{3,}|…")
_CUTS_IN_A_ROW = re.compile(rf"{CUT}(?:\s*{CUT})+")
_SPACES = re.compile(r"\s+")


class BadRedaction(ValueError):
    """A redaction that cannot be taken; `reason` is empty | unchanged | not_a_cut."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _plain(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _with_cuts(text: str) -> str:
    """Phone numbers masked, and "..." or "……" read as one CUT, in a moderator's text and in
    the citizen's alike (Iraqi texts often trail off in full stops)."""
    text = mask_phone_numbers(text.replace("\r\n", "\n")).strip()
    return _CUTS_IN_A_ROW.sub(CUT, _TYPED_CUT.sub(CUT, text))


def redacted(original: str, proposed: str) -> str:
    """The public text a moderator's `proposed` redaction of the citizen's `original` makes:
    phone numbers masked, cuts marked with CUT. It may only cut: what is left between its
    cuts must read, in order, as it does in the original (spacing aside), so a moderator
    can take words out of a complaint but never put any in."""
    text = _with_cuts(proposed)
    kept = [_plain(part) for part in text.split(CUT)]
    if not any(kept):
        raise BadRedaction("empty")
    public = _plain(_with_cuts(original))
    if _plain(text) == public:
        raise BadRedaction("unchanged")
    start = 0
    for part in filter(None, kept):
        found = public.find(part, start)
        if found < 0:
            raise BadRedaction("not_a_cut")
        start = found + len(part)
    return text


def public_text_after(
    old_original: str | None, new_original: str, old_public: str | None, moderation: str | None
) -> str:
    """The public copy of a ticket's text once its original is set to `new_original`: the
    original with phone numbers masked, unless a moderator changed it. A hidden text stays
    hidden; a redacted one keeps its cuts, and what the citizen adds to the end of the
    original (an answer to a question) is added to it, masked, as it would be unmoderated."""
    if moderation is None or old_public is None:
        return mask_phone_numbers(new_original)
    if moderation == TextModeration.HIDDEN:
        return HIDDEN_TEXT
    if old_original is not None and new_original.startswith(old_original):
        return old_public + mask_phone_numbers(new_original[len(old_original) :])
    return old_public
