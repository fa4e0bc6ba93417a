"""Citizens' SMS keywords, as plain rules."""

from feedback.domain.commands import Command, parse_command


def test_stop_and_start_are_whole_messages_in_either_language():
    for text in ("STOP", " stop. ", "توقف", "توقف!"):
        assert parse_command(text).command == Command.STOP, text
    for text in ("START", "ابدأ", "ابدا", "إبدأ"):
        assert parse_command(text).command == Command.START, text
    assert parse_command("توقف الماي بحي الحسين") is None  # the water stopped: a complaint
    assert parse_command("stop the sewage please") is None


def test_me_too_takes_a_reference_in_either_language_with_arabic_digits():
    cases = {
        "+1 b7k2q": ("B7K2Q", "en"),
        "+1 B7K-2Q": ("B7K2Q", "en"),
        "＋1 B7K2Q": ("B7K2Q", "en"),
        "+١ B7K2Q": ("B7K2Q", "ar"),
        "انا هم B7K2Q": ("B7K2Q", "ar"),
        "أنا هم b7k2q": ("B7K2Q", "ar"),
        "انا هم ٢٣٤٥٦": ("23456", "ar"),
    }
    for text, expected in cases.items():
        parsed = parse_command(text)
        assert parsed.command == Command.ME_TOO, text
        assert (parsed.reference, parsed.language) == expected, text
    assert parse_command("انا هم ماكو ماي عدنا") is None  # "me too, no water here": a complaint
    assert parse_command("+1").reference is None  # the word alone: help


def test_follow_and_unfollow_take_an_area_name_in_either_language():
    cases = {
        "FOLLOW Al-Jumhuriya": (Command.FOLLOW, "Al-Jumhuriya", "en"),
        "follow hay al hussein.": (Command.FOLLOW, "hay al hussein", "en"),
        "تابع الجمهورية": (Command.FOLLOW, "الجمهورية", "ar"),
        "تابع حي الحسين": (Command.FOLLOW, "حي الحسين", "ar"),
        "unfollow Ashar": (Command.UNFOLLOW, "Ashar", "en"),
        "الغاء متابعة العشار": (Command.UNFOLLOW, "العشار", "ar"),
        "إلغاء المتابعة العشار": (Command.UNFOLLOW, "العشار", "ar"),
        "UNFOLLOW": (Command.UNFOLLOW, "", "en"),
        "الغاء متابعة": (Command.UNFOLLOW, "", "ar"),
        "تابع": (Command.FOLLOW, "", "ar"),
    }
    for text, expected in cases.items():
        parsed = parse_command(text)
        assert (parsed.command, parsed.text, parsed.language) == expected, text
        assert parsed.reference is None
    # More words than a place's name: a complaint that happens to start with the word.
    assert parse_command("تابع شكواي الماي مقطوع بالجمهورية من يومين") is None
    assert parse_command("follow up on the broken pipe in Ashar please") is None
