"""Citizens' SMS commands: STATUS <ref> / حالة <ref>, REOPEN <ref> / اعادة <ref> and
+1 <ref> / انا هم <ref> (me too), in any case, with Arabic-Indic digits, and for REOPEN the
citizen's new words after the ref.
A command word not followed by a reference is a complaint ("حالة الكهرباء سيئة").
STOP / توقف and START / ابدأ, about the number itself, count only as the whole message:
"توقف الماي" (the water stopped) is a complaint.
FOLLOW <area> / تابع <area> and UNFOLLOW <area> / الغاء متابعة <area> take a place name, not
a reference: at most MAX_AREA_WORDS words, so "تابع شكواي الماي مقطوع بالجمهورية من يومين"
stays a complaint. UNFOLLOW alone leaves every area."""

from dataclasses import dataclass
from enum import StrEnum

from feedback.domain.reference import normalise_reference
from feedback.domain.text import detect_language, normalise_arabic, to_ascii_digits


class Command(StrEnum):
    STATUS = "status"
    REOPEN = "reopen"
    STOP = "stop"  # no more notices to this number
    START = "start"  # notices again
    ME_TOO = "me_too"  # a supporter of the incident the referenced ticket is in
    FOLLOW = "follow"  # news of the incidents in an area
    UNFOLLOW = "unfollow"  # no more of it: one area, or all of them


# Whole-message keywords, normalised; stray punctuation around them is forgiven.
NUMBER_WORDS = {
    "stop": Command.STOP,
    normalise_arabic("توقف"): Command.STOP,
    "start": Command.START,
    normalise_arabic("ابدأ"): Command.START,
}
NUMBER_COMMANDS = frozenset(NUMBER_WORDS.values())
_PUNCTUATION = ".!?؟،,;:"


# Normalised (normalise_arabic) command words; Arabizi 7ala is حالة.
COMMAND_WORDS = {
    "status": Command.STATUS,
    "حاله": Command.STATUS,
    "7ala": Command.STATUS,
    "7aleh": Command.STATUS,
    "reopen": Command.REOPEN,
    "اعاده": Command.REOPEN,
    "اعاده فتح": Command.REOPEN,
    "+1": Command.ME_TOO,
    normalise_arabic("انا هم"): Command.ME_TOO,
}

# Followed by an area's name (normalised); the Arabic variants people type for "stop following".
AREA_COMMAND_WORDS = {
    "follow": Command.FOLLOW,
    normalise_arabic("تابع"): Command.FOLLOW,
    "unfollow": Command.UNFOLLOW,
    **{
        normalise_arabic(words): Command.UNFOLLOW
        for words in (
            "الغاء متابعة", "الغاء المتابعة", "الغي متابعة", "الغي المتابعة",
            "ايقاف متابعة", "ايقاف المتابعة", "بطل متابعة", "بطل تابع",
        )
    },
}  # fmt: skip
# An area's name, with "حي" or "قضاء" before it: longer, the text is a complaint.
MAX_AREA_WORDS = 4


@dataclass(frozen=True)
class ParsedCommand:
    command: Command
    reference: str | None  # None: the command word alone, with no reference after it
    text: str  # what follows the reference; for FOLLOW and UNFOLLOW, the area's name
    language: str  # of the command word: a reference is Latin whatever the citizen speaks


def parse_command(text: str) -> ParsedCommand | None:
    """The command in an SMS, or None when it is not one (then it is a complaint)."""
    words = text.strip().split()
    if not words:
        return None
    whole = text.strip().strip(_PUNCTUATION).strip()
    if (number_command := NUMBER_WORDS.get(normalise_arabic(whole))) is not None:
        return ParsedCommand(number_command, None, "", detect_language(whole))
    return _area_command(words) or _ticket_command(words)


def _area_command(words: list[str]) -> ParsedCommand | None:
    """FOLLOW / UNFOLLOW and the area's name, if the rest is short enough to be one."""
    for length in (2, 1):
        command = AREA_COMMAND_WORDS.get(normalise_arabic(" ".join(words[:length])))
        rest = words[length:]
        if command is None or len(words) < length or len(rest) > MAX_AREA_WORDS:
            continue
        area = " ".join(rest).strip(_PUNCTUATION).strip()
        return ParsedCommand(command, None, area, _language_of(words[:length]))
    return None


def _ticket_command(words: list[str]) -> ParsedCommand | None:
    """STATUS, REOPEN and ME TOO with the reference they name."""
    for length in (2, 1):
        command = COMMAND_WORDS.get(normalise_arabic(" ".join(words[:length])))
        if command is None or len(words) < length:
            continue
        rest = words[length:]
        language = _language_of(words[:length])
        if not rest:
            return ParsedCommand(command, None, "", language)
        reference = normalise_reference(rest[0])
        if reference is None:
            return None  # "حالة الكهرباء سيئة" is a complaint about the electricity
        return ParsedCommand(command, reference, " ".join(rest[1:]), language)
    return None


def _language_of(keyword: list[str]) -> str:
    """The language of the command word as typed; +1, which has no letters, is Arabic when
    typed with Arabic-Indic digits (+١) and English otherwise."""
    typed = " ".join(keyword)
    if any(character.isalpha() for character in typed):
        return detect_language(typed)
    return "en" if to_ascii_digits(typed) == typed else "ar"
