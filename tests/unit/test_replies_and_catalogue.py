"""Citizen-facing texts: every SMS fits two segments; every page string is translated."""

from pathlib import Path

import yaml
from babel.messages.pofile import read_po

from feedback.sms.replies import REPLIES, reply_text

ROOT = Path(__file__).resolve().parents[2]
UCS2_TWO_SEGMENTS = 134
GSM_TWO_SEGMENTS = 306


def longest_directorate_names():
    directorates = yaml.safe_load((ROOT / "feedback/data/directorates.yaml").read_text("utf-8"))
    return (
        max((d["name_ar"] for d in directorates), key=len),
        max((d["name_en"] for d in directorates), key=len),
    )


def test_every_reply_fits_two_sms_segments_in_both_languages():
    name_ar, name_en = longest_directorate_names()
    values = {"ref": "B7K2Q", "length": 1601, "limit": 1600}
    for key in REPLIES:
        assert len(reply_text(key, "ar", directorate=name_ar, **values)) <= UCS2_TWO_SEGMENTS, key
        assert len(reply_text(key, "en", directorate=name_en, **values)) <= GSM_TWO_SEGMENTS, key


def test_every_reply_exists_in_arabic_and_english():
    for key, texts in REPLIES.items():
        assert set(texts) == {"ar", "en"}, key


def test_arabic_catalogue_translates_every_page_string():
    with open(ROOT / "feedback/translations/ar/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="ar")
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
