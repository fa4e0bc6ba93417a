"""Citizens' phone numbers, stored in E.164 so one person is one key whatever they typed."""

import re

import phonenumbers

from feedback.domain.text import to_ascii_digits

WHATSAPP = "whatsapp:"

# What people type around the digits of a number; anything else (letters) makes it invalid,
# since phonenumbers would read letters as keypad digits.
_PHONE_CHARACTERS = re.compile(r"[\d\s+()\-.]+")


def normalise_phone(text: str, region: str = "IQ") -> str | None:
    """E.164 for a valid number (07801234567, +964 780 123 4567, ٠٧٨٠...), else None."""
    if not _PHONE_CHARACTERS.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(to_ascii_digits(text), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def bare_number(address: str) -> str:
    """The number behind a channel address: one phone is one person on SMS and WhatsApp."""
    return address.removeprefix(WHATSAPP)


def addresses(number: str) -> tuple[str, str]:
    """Every address a number is reached at: SMS and WhatsApp."""
    number = bare_number(number)
    return number, WHATSAPP + number
