"""Citizens' SMS keywords, as plain rules."""

from feedback.domain.commands import Command, parse_command


def test_stop_and_start_are_whole_messages_in_either_language():
    for text in ("STOP", " stop. ", "توقف", "توقف!"):
        assert parse_command(text).command == Command.STOP, text
    for text in ("START", "ابدأ", "ابدا", "إبدأ"):
        assert parse_command(text).command == Command.START, text
    assert parse_command("توقف الماي بحي الحسين") is None  # the water stopped: a complaint
    assert parse_command("stop the sewage please") is None
