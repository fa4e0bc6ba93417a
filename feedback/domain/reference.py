"""Public ticket references: short, unambiguous, easy to type on a phone keypad."""

import secrets

from feedback.domain.text import to_ascii_digits

# No 0/O, 1/I/L or U/V look-alikes: 29 symbols, 5 of them, about 20 million references.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LENGTH = 5


def new_reference() -> str:
    """A random reference; uniqueness is the database's job (unique constraint + retry)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(text: str) -> str | None:
    """The reference a citizen meant, or None: case, spaces, dashes and Arabic digits forgiven."""
    cleaned = "".join(ch for ch in to_ascii_digits(text).upper() if ch.isalnum())
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
