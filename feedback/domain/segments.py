"""How many SMS segments a text costs, and fitting officers' answers into two of them.

GSM-7 carries 160 characters (153 a part when split); anything outside its alphabet, Arabic
included, travels as UCS-2: 70 characters, 67 a part."""

GSM_7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_7_EXTENDED = set("^{}\\[~]|€")  # each costs two characters
MAX_SEGMENTS = 2
ELLIPSIS = "…"


def is_gsm(text: str) -> bool:
    return all(ch in GSM_7 or ch in GSM_7_EXTENDED for ch in text)


def segments(text: str) -> int:
    if is_gsm(text):
        length = sum(2 if ch in GSM_7_EXTENDED else 1 for ch in text)
        single, part = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    if length <= single:
        return 1
    return -(-length // part)


def fit(template: str, message: str, max_segments: int = MAX_SEGMENTS, **values: str) -> str:
    """`template` with `{message}` filled by as much of `message` as fits `max_segments`,
    cut at a word and marked with an ellipsis when shortened; left out when not even the
    ellipsis fits (in a Latin text it alone turns the SMS to UCS-2, 70 characters a part)."""
    whole = template.format(message=message, **values)
    if segments(whole) <= max_segments:
        return whole
    words = message.split()
    while words:
        words.pop()
        shortened = template.format(message=" ".join(words) + ELLIPSIS, **values)
        if segments(shortened) <= max_segments:
            return shortened
    cut = template.format(message=ELLIPSIS, **values)
    if segments(cut) <= max_segments:
        return cut
    return template.format(message="", **values)
