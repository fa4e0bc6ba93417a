"""Citizen-facing texts: every SMS fits two segments; every page string is translated."""

import csv
from datetime import datetime
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

from feedback.domain.replies import (
    CHOICE_NAMES,
    REPLIES,
    clock_text,
    reply_text,
    reply_with_message,
)

ROOT = Path(__file__).resolve().parents[2]
UCS2_TWO_SEGMENTS = 134
GSM_TWO_SEGMENTS = 306


def longest_directorate_names():
    directorates = yaml.safe_load((ROOT / "feedback/data/directorates.yaml").read_text("utf-8"))
    return (
        max((d["name_ar"] for d in directorates), key=len),
        max((d["name_en"] for d in directorates), key=len),
    )


def longest_names(path: str, but_kind: str = "") -> tuple[str, str]:
    """The longest Arabic and English names in a reference-data file (YAML or the places CSV),
    leaving out the rows of `but_kind`."""
    text = (ROOT / "feedback/data" / path).read_text("utf-8")
    rows = (
        yaml.safe_load(text) if path.endswith(".yaml") else list(csv.DictReader(text.splitlines()))
    )
    rows = [row for row in rows if not but_kind or row.get("kind") != but_kind]
    return (
        max((row["name_ar"] for row in rows), key=len),
        max((row["name_en"] for row in rows), key=len),
    )


# The longest way an SMS says when an outage ends.
LONGEST_END, NOW = datetime(2026, 12, 28, 12, 30), datetime(2026, 7, 14, 9, 0)
LATEST_END_AR, LATEST_END_EN = (clock_text(LONGEST_END, NOW, lang) for lang in ("ar", "en"))


def test_every_reply_fits_two_sms_segments_in_both_languages():
    name_ar, name_en = longest_directorate_names()
    values = {"ref": "B7K2Q", "length": 1601, "limit": 1600, "count": 1200, "message": ""}
    area_ar, area_en = longest_names("basra_places.csv")
    arabic, english = (
        max((names[language] for names in CHOICE_NAMES.values()), key=len)
        for language in ("ar", "en")
    )
    for key in REPLIES:
        text_ar = reply_text(
            key,
            "ar",
            directorate=name_ar,
            first=arabic,
            second=arabic,
            end=LATEST_END_AR,
            area=area_ar,
            **values,
        )
        text_en = reply_text(
            key,
            "en",
            directorate=name_en,
            first=english,
            second=english,
            end=LATEST_END_EN,
            area=area_en,
            **values,
        )
        assert len(text_ar) <= UCS2_TWO_SEGMENTS, key
        assert len(text_en) <= GSM_TWO_SEGMENTS, key


def test_the_reply_of_a_known_problem_cuts_the_incident_s_message_to_two_segments():
    long_ar = "الفرق تبدل كيبل المغذي وترجع الكهرباء الساعة ٦ مساء " * 3
    short_en = "Crews are replacing the feeder cable; power back by 6 pm"
    text_ar = reply_with_message("received_incident", "ar", long_ar, ref="B7K2Q", count="1200")
    text_en = reply_with_message("received_incident", "en", short_en, ref="B7K2Q", count="1200")
    assert len(text_ar) <= UCS2_TWO_SEGMENTS and "1200" in text_ar
    assert len(text_en) <= GSM_TWO_SEGMENTS and text_en.endswith(short_en)


def test_the_reply_of_a_declared_outage_keeps_its_end_and_cuts_its_message():
    long_ar = "الفرق تبدل كيبل المغذي بالجمهورية والعمل مستمر " * 3
    text_ar = reply_with_message("received_outage", "ar", long_ar, ref="B7K2Q", end=LATEST_END_AR)
    text_en = reply_with_message(
        "received_outage", "en", "Feeder cable being replaced", ref="B7K2Q", end=LATEST_END_EN
    )
    assert len(text_ar) <= UCS2_TWO_SEGMENTS and LATEST_END_AR in text_ar and "B7K2Q" in text_ar
    assert text_en.endswith("Feeder cable being replaced") and LATEST_END_EN in text_en


def test_every_reply_exists_in_arabic_and_english():
    for key, texts in REPLIES.items():
        assert set(texts) == {"ar", "en"}, key


def test_arabic_catalogue_translates_every_page_string():
    with open(ROOT / "feedback/translations/ar/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="ar")
    forms = lambda m: m.string if isinstance(m.string, tuple) else (m.string,)  # noqa: E731
    untranslated = [m.id for m in catalogue if m.id and not all(forms(m))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_every_notice_fits_two_segments_even_with_a_long_officer_answer():
    from feedback.domain.replies import NOTICES, notice_text
    from feedback.domain.segments import segments

    name_ar, name_en = longest_directorate_names()
    long_ar = "تم إصلاح الخط الناقل الرئيسي واستبدال الصمام التالف وعادت المياه " * 4
    long_en = "We replaced the damaged valve on the main line and pumping is back " * 4
    for key in NOTICES:
        for language, name, answer in (("ar", name_ar, long_ar), ("en", name_en, long_en)):
            text = notice_text(key, language, answer, ref="B7K2Q", directorate=name, status="x")
            assert segments(text) <= 2, (key, language, text)
            assert "B7K2Q" in text or key == "not_found"


def test_a_follower_s_news_fits_two_segments_and_keeps_the_incident_s_link():
    from feedback.domain.replies import FOLLOW_NOTICES, follow_notice_text
    from feedback.domain.segments import segments

    # A landmark is followed as the area it lies in (feedback.domain.follow.followed_area).
    areas = longest_names("basra_places.csv", but_kind="landmark")
    categories = longest_names("categories.yaml")
    link = "https://shakawa.basra.gov.iq/incidents/2147483647"
    long_ar = "تم إصلاح الخط الناقل الرئيسي واستبدال الصمام التالف وعادت المياه " * 4
    long_en = "We replaced the damaged valve on the main line and pumping is back " * 4
    for key in FOLLOW_NOTICES:
        for n, (language, answer) in enumerate((("ar", long_ar), ("en", long_en))):
            text = follow_notice_text(
                key, language, answer, area=areas[n], category=categories[n], link=link
            )
            assert segments(text) <= 2, (key, language, text)
            assert text.endswith(link) and areas[n] in text, (key, language)
