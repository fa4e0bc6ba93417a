"""The limits on what one phone number may cost us, as plain rules."""

from datetime import timedelta

from feedback.domain.limits import FloodLimit
from feedback.domain.phone import addresses, bare_number
from feedback.domain.segments import segments
from feedback.sms.replies import reply_text


def test_a_sender_is_over_the_flood_limit_only_past_it():
    limit = FloodLimit(messages=10, window=timedelta(minutes=10))
    assert not limit.is_exceeded(1)
    assert not limit.is_exceeded(10)
    assert limit.is_exceeded(11)


def test_the_answer_to_a_flood_costs_one_segment_in_either_language():
    for language in ("ar", "en"):
        text = reply_text("flood", language, ref="B7K2Q")
        assert segments(text) == 1 and text.count("B7K2Q") == 2, text


def test_one_number_on_sms_and_whatsapp_is_one_person():
    assert bare_number("whatsapp:+9647801234567") == "+9647801234567"
    assert bare_number("+9647801234567") == "+9647801234567"
    assert addresses("whatsapp:+9647801234567") == ("+9647801234567", "whatsapp:+9647801234567")
