"""Arabic/English text normalisation, so that citizens' many spellings compare equal."""

import re
import unicodedata

# Harakat, tanween, shadda, sukun, superscript alef and Quranic marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ی": "ي",  # Persian yeh
        "ک": "ك",  # Persian kaf
        "گ": "ك",  # Iraqi gaf is spoken as g but written with kaf in most messages
        "چ": "ج",
        "پ": "ب",
        "ڤ": "ف",
        "،": ",",
        "؛": ";",
        "؟": "?",
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3]")
_LATIN_LETTER = re.compile("[A-Za-z]")
_SPACES = re.compile(r"\s+")


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits -> 0-9 (citizens type both)."""
    return text.translate(_DIGITS)


def normalise_arabic(text: str) -> str:
    """Fold the spelling variation that does not change meaning: diacritics, tatweel,
    alef/yeh/teh-marbuta/hamza forms, digits, case, spacing."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    text = text.translate(_FOLD).translate(_DIGITS).casefold()
    return _SPACES.sub(" ", text).strip()


def detect_language(text: str) -> str:
    """'ar' when the text has at least as many Arabic letters as Latin ones, else 'en'.

    An empty or digits-only message counts as Arabic: most citizens write Arabic."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "en" if latin > arabic else "ar"


# Seven or more digits (any script), allowing the spaces, dashes and dots people put in phone
# numbers. Letters may touch it: "و07801234567" (and ...) is still a phone number.
_PHONE_LIKE = re.compile(r"(?<!\d)\+?\d(?:[\s\-.]?\d){6,}(?!\d)")
# Dates are kept: 2026-03-15, 15/3/2026, 15.03.2026.
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")


def mask_phone_numbers(text: str, mask: str = "[•••]") -> str:
    """Hide anything shaped like a phone number before text is shown publicly; the rest of
    the text, digits included, stays as the citizen wrote it."""

    def replace(match: re.Match) -> str:
        return match.group() if _DATE.fullmatch(to_ascii_digits(match.group())) else mask

    return _PHONE_LIKE.sub(replace, text)


# Clitics glued to the front of Arabic words: و (and), ب (in/at), ل (to), ف, ك, and ال (the).
_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
_WORD = re.compile(r"[\w']+")


def words(normalised: str) -> list[str]:
    """Word tokens of already-normalised text; hyphens and punctuation separate words."""
    return _WORD.findall(normalised.replace("_", " "))


def word_forms(word: str) -> list[str]:
    """The word and the stems left after peeling one clitic prefix (بحي -> حي, والماي -> ماي)."""
    forms = [word]
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            forms.append(word[len(prefix) :])
    return forms
