"""Arabic/English text normalisation, so that citizens' many spellings compare equal."""

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

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
        "ق": "ك",  # ...and qaf is spoken as g, so people write مكطوعة for مقطوعة
        "ظ": "ض",  # the two are one sound in Iraqi speech and swapped in writing
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
_STRETCHED = re.compile(r"(\w)\1{2,}")  # مااااكو, nooooo: emphasis, not spelling


# Control characters (C0, DEL, C1) but tab and newline: PostgreSQL refuses NUL in text, and
# none of them is anything a citizen typed.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """Text as any channel or form may deliver it, made storable on every database: control
    characters dropped (a carriage return becomes a line break), a surrogate pair joined into
    its character and a lone surrogate, which no UTF-8 can carry, replaced by U+FFFD."""
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def to_ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits -> 0-9 (citizens type both)."""
    return text.translate(_DIGITS)


def normalise_arabic(text: str) -> str:
    """Fold the spelling variation that does not change meaning: diacritics, tatweel,
    alef/yeh/teh-marbuta/hamza forms, Iraqi qaf/gaf and dad/za, digits, case, stretched
    letters, spacing."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    text = text.translate(_FOLD).translate(_DIGITS).casefold()
    text = _STRETCHED.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def detect_language(text: str) -> str:
    """'ar' when the text has at least as many Arabic letters as Latin ones, else 'en'.

    An empty or digits-only message counts as Arabic: most citizens write Arabic."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    return "en" if latin > arabic else "ar"


# What people put between the digits of a phone number, one or many, mixed: spaces of any width,
# dashes, slashes, dots, Latin and Arabic commas, underscores, brackets, and characters that do
# not show at all (tatweel, soft hyphen, zero-width and direction marks, byte order mark).
_INVISIBLE = "\u00ad\u061c\u0640\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_SEPARATOR = rf"[\s{_INVISIBLE}\-\u2010-\u2015\u2212/\\.,_()\u060c\u066b\u066c]"
# Seven or more digits of any script joined only by separators: a mobile in any form, a landline
# with its area code. Letters may touch it: "و07801234567" (and ...) is still a phone number.
_PHONE_LIKE = re.compile(rf"\+?\d(?:{_SEPARATOR}*\d){{6,}}")
_INVISIBLE_CHARACTER = re.compile(f"[{_INVISIBLE}]")
# Kept as written: dates (2026-11-27, 27/11/2026, 27.11.2026) and amounts grouped in thousands
# (1,500,000). Both are at most nine digits, too few to hold a whole phone number.
_NOT_A_PHONE = re.compile(
    r"[0-9]{4}([-/.])[0-9]{1,2}\1[0-9]{1,2}"
    r"|[0-9]{1,2}([-/.])[0-9]{1,2}\2[0-9]{4}"
    r"|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,2}|[1-9][0-9]{0,2}(?:\u066c[0-9]{3}){1,2}"
)


def mask_phone_numbers(text: str, mask: str = "[•••]") -> str:
    """Hide anything shaped like a phone number before text is shown publicly, however its
    digits were written or spaced; the rest of the text, digits included, stays as written."""

    def replace(match: re.Match[str]) -> str:
        plain = _INVISIBLE_CHARACTER.sub("", to_ascii_digits(match.group()))
        return match.group() if _NOT_A_PHONE.fullmatch(plain) else mask

    return _PHONE_LIKE.sub(replace, text)


# Clitics glued to the front of Arabic words: و (and), ب (in/at), ل (to), ف, ك, and ال (the).
_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
_BEFORE_ARTICLE = ("وبال", "وال", "بال", "فال", "كال", "لل")  # ل+ال is written لل
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
            if prefix in _BEFORE_ARTICLE and len(word) - len(prefix) >= 3:
                forms.append("ال" + word[len(prefix) :])  # للطريق -> الطريق, بالشارع -> الشارع
    return forms


# Arabizi: Latin letters with digits for Arabic sounds (7 = ح, 3 = ع, 2 = ء, 5 = خ, 6 = ط, 9 = ق).
_ARABIZI = str.maketrans({"2": "a", "3": "a", "5": "kh", "6": "t", "7": "h", "8": "gh", "9": "q"})
_LATIN_WORD = re.compile(r"[a-z0-9']*[a-z][a-z0-9']*")
_LATIN_VOWELS = str.maketrans({"o": "u", "e": "i", "y": "i"})
_LATIN_ARTICLES = ("al", "el", "il")


def is_latin(word: str) -> bool:
    return bool(_LATIN_WORD.fullmatch(word))


def latin_key(word: str) -> str:
    """A spelling-tolerant key for a Latin or Arabizi word: 'Hussein', 'husain' and 'al7usain'
    minus its article share one. Vowels are folded, q is g, and letters doubled by accident
    collapse."""
    word = word.translate(_ARABIZI).replace("'", "")
    if word.endswith("h") and len(word) > 3 and word[-2] in "aeiou":
        word = word[:-1]  # Basrah -> Basra
    word = word.translate(_LATIN_VOWELS).replace("ou", "u").replace("ai", "i")
    word = word.replace("q", "g")  # Iraqi qaf is spoken g: Maqal, Ma3gal
    collapsed = [letter for i, letter in enumerate(word) if i == 0 or letter != word[i - 1]]
    return "".join(collapsed)


def latin_forms(word: str) -> list[str]:
    """Keys for a Latin word, with and without a glued article or Arabizi clitic (b7ay -> hay)."""
    key = latin_key(word)
    forms = [key]
    for article in _LATIN_ARTICLES:
        if word.startswith(article) and len(word) > len(article) + 2:
            forms.append(latin_key(word[len(article) :]))
    if any(ch.isdigit() for ch in word) and word[0] in "blwf" and len(word) > 3:
        forms.append(latin_key(word[1:]))
    return forms


# A Latin key shorter than this is too easily another word ("me" and Arabizi "mai"): exact only.
_MIN_LATIN_KEY = 4


@lru_cache(maxsize=100_000)
def match_forms(word: str) -> tuple[str, ...]:
    """Every form under which a word may be found in a keyword or place index (memoised:
    the same words recur in message after message)."""
    if word in _LATIN_ARTICLES:
        return (_LATIN_ARTICLES[0],)
    forms = []
    for form in word_forms(word) if not is_latin(word) else [word]:
        forms.append(form)
        if is_latin(form):  # also a Latin word behind an Arabic article: الpower
            forms.extend(key for key in latin_forms(form) if len(key) >= _MIN_LATIN_KEY)
    return tuple(forms)


@lru_cache(maxsize=100_000)
def index_word(word: str) -> str:
    """How one word of a keyword or place name is stored in an index."""
    if not is_latin(word):
        return word
    if word in _LATIN_ARTICLES:
        return _LATIN_ARTICLES[0]  # "Kut el Hajjaj" is "Kut al-Hajjaj"
    key = latin_key(word)
    return key if len(key) >= _MIN_LATIN_KEY else word


def normalised_words(listed: Iterable[str]) -> frozenset[str]:
    """A word list as the text it is compared with is normalised: written "قرب", it is "كرب"
    in a message."""
    return frozenset(normalise_arabic(word) for word in listed)


def keyword_key(keyword: str) -> str:
    """A keyword of one or more words as its index stores it: two spellings the parser cannot
    tell apart share a key (a keyword belongs to one category only, by key)."""
    return " ".join(index_word(w) for w in words(normalise_arabic(keyword)))
