"""Citizens' phone numbers, stored in E.164 so one person is one key whatever they typed."""

import phonenumbers

from feedback.domain.text import to_ascii_digits


def normalise_phone(text: str, region: str = "IQ") -> str | None:
    """E.164 for a valid number (07801234567, +964 780 123 4567, ٠٧٨٠...), else None."""
    try:
        number = phonenumbers.parse(to_ascii_digits(text), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
