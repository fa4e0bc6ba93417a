"""The limits on what one phone number may cost us, as plain rules."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from feedback.domain.limits import FloodLimit, SmsKind, Withheld, day_bounds, decide_sms
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


def test_past_the_daily_allowance_a_notice_waits_a_day_and_a_reply_is_dropped():
    assert decide_sms(SmsKind.REPLY, 19, 0, per_day=20).withheld is None
    assert decide_sms(SmsKind.NOTICE, 19, 20, per_day=20).withheld is None
    held = decide_sms(SmsKind.NOTICE, 20, 19, per_day=20)
    assert (held.withheld, held.next_day, held.dropped) == (Withheld.DAILY_CAP, True, False)
    reply = decide_sms(SmsKind.REPLY, 20, 0, per_day=20)
    assert (reply.withheld, reply.next_day, reply.dropped) == (Withheld.DAILY_CAP, False, True)
    assert decide_sms(SmsKind.NOTICE, 20, 20, per_day=20).dropped  # never a backlog of days


def test_a_recipients_day_is_basras_calendar_day():
    late_evening_utc = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)  # 01:30 on the 27th in Basra
    today, tomorrow, after = day_bounds(late_evening_utc, ZoneInfo("Asia/Baghdad"))
    assert today == datetime(2026, 11, 26, 21, 0, tzinfo=UTC)
    assert tomorrow - today == after - tomorrow == timedelta(days=1)
