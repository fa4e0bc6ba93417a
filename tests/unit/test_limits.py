"""The limits on what one phone number may cost us, as plain rules."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from feedback.domain.limits import (
    Allowance,
    FloodLimit,
    Recipient,
    SmsKind,
    Withheld,
    day_bounds,
    decide_sms,
)
from feedback.domain.phone import addresses, bare_number
from feedback.domain.replies import reply_text
from feedback.domain.segments import segments


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


ALLOWANCE = Allowance(per_day=20, per_day_unconfirmed=3)


def test_past_the_daily_allowance_a_notice_waits_a_day_and_a_reply_is_dropped():
    assert decide_sms(SmsKind.REPLY, Recipient(19, 0), ALLOWANCE).withheld is None
    assert decide_sms(SmsKind.NOTICE, Recipient(19, 20), ALLOWANCE).withheld is None
    held = decide_sms(SmsKind.NOTICE, Recipient(20, 19), ALLOWANCE)
    assert (held.withheld, held.next_day, held.dropped) == (Withheld.DAILY_CAP, True, False)
    reply = decide_sms(SmsKind.REPLY, Recipient(20, 0), ALLOWANCE)
    assert (reply.withheld, reply.next_day, reply.dropped) == (Withheld.DAILY_CAP, False, True)
    assert decide_sms(SmsKind.NOTICE, Recipient(20, 20), ALLOWANCE).dropped  # never a backlog


def test_a_number_that_never_texted_us_gets_a_few_a_day():
    unconfirmed = Recipient(2, 0, confirmed=False)
    assert decide_sms(SmsKind.REPLY, unconfirmed, ALLOWANCE).withheld is None
    reply = decide_sms(SmsKind.REPLY, Recipient(3, 0, confirmed=False), ALLOWANCE)
    assert (reply.withheld, reply.dropped) == (Withheld.UNCONFIRMED_CAP, True)
    notice = decide_sms(SmsKind.NOTICE, Recipient(3, 2, confirmed=False), ALLOWANCE)
    assert (notice.withheld, notice.next_day) == (Withheld.UNCONFIRMED_CAP, True)
    assert decide_sms(SmsKind.REPLY, Recipient(3, 0), ALLOWANCE).withheld is None


def test_a_recipients_day_is_basras_calendar_day():
    late_evening_utc = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)  # 01:30 on the 27th in Basra
    today, tomorrow, after = day_bounds(late_evening_utc, ZoneInfo("Asia/Baghdad"))
    assert today == datetime(2026, 11, 26, 21, 0, tzinfo=UTC)
    assert tomorrow - today == after - tomorrow == timedelta(days=1)


def test_nothing_goes_to_a_blocked_number():
    blocked = decide_sms(SmsKind.NOTICE, Recipient(0, 0, blocked=True), ALLOWANCE)
    assert (blocked.withheld, blocked.dropped) == (Withheld.BLOCKED, True)


def test_after_stop_only_answers_to_the_numbers_own_messages_go_out():
    stopped = Recipient(0, 0, notices_off=True)
    assert decide_sms(SmsKind.REPLY, stopped, ALLOWANCE).withheld is None
    for kind in (SmsKind.NOTICE, SmsKind.RECEIPT):
        decision = decide_sms(kind, stopped, ALLOWANCE)
        assert (decision.withheld, decision.dropped) == (Withheld.NOTICES_OFF, True)


def test_a_receipt_past_the_allowance_is_dropped_not_kept_for_tomorrow():
    receipt = decide_sms(SmsKind.RECEIPT, Recipient(3, 0, confirmed=False), ALLOWANCE)
    assert (receipt.withheld, receipt.dropped) == (Withheld.UNCONFIRMED_CAP, True)
