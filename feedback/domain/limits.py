"""How much one phone number may cost us. A sender past its flood limit still has every
message kept, but they make no new tickets and get one answer a window: 200 texts in a few
seconds must not become 200 tickets and 200 billed replies. A recipient gets a daily
allowance of SMS, whatever causes them, so nobody can use us to bomb a phone."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class MessageHandling(StrEnum):
    """Why an inbound message was not handled as usual (None on the row: it was)."""

    OVER_LIMIT = "over_limit"  # past its sender's flood limit: a follow-up, answered once a window
    BLOCKED = "blocked"  # from a number an admin blocked: kept, nothing else


@dataclass(frozen=True)
class FloodLimit:
    """At most `messages` from one sender on one channel within `window` are handled as usual."""

    messages: int
    window: timedelta

    def is_exceeded(self, received: int) -> bool:
        """`received`: the sender's messages within the window, this one included."""
        return received > self.messages


class SmsKind(StrEnum):
    """What an SMS is to its recipient: whether the number itself asked for it (STOP does not
    silence that), and whether it is still worth sending tomorrow."""

    REPLY = "reply"  # answers what the number itself just sent: now or never
    RECEIPT = "receipt"  # the reference of a web report giving the number: now or never
    NOTICE = "notice"  # news of a ticket: still news tomorrow


class Withheld(StrEnum):
    """Why an SMS was held back to a later day, or dropped (shown to admins)."""

    DAILY_CAP = "daily_cap"  # the recipient has had its day's allowance
    UNCONFIRMED_CAP = "unconfirmed_cap"  # a number that never texted us has had its few a day
    BLOCKED = "blocked"  # an admin blocked the number
    NOTICES_OFF = "notices_off"  # the number texted STOP


@dataclass(frozen=True)
class Allowance:
    """SMS a day to one recipient: any number, and a number that has never texted us (one
    typed into /report, perhaps by a stranger, so it gets only a few)."""

    per_day: int
    per_day_unconfirmed: int


@dataclass(frozen=True)
class Recipient:
    """What we know of a number when an SMS to it is queued."""

    sent_today: int  # SMS to it that count on today, whatever caused them
    due_tomorrow: int  # held ones that count on tomorrow
    confirmed: bool = True  # it has texted us itself
    blocked: bool = False
    notices_off: bool = False  # it texted STOP


@dataclass(frozen=True)
class SmsDecision:
    withheld: Withheld | None = None
    next_day: bool = False  # held: sent when the recipient's next day begins

    @property
    def dropped(self) -> bool:
        return self.withheld is not None and not self.next_day


SEND = SmsDecision()


def decide_sms(kind: SmsKind, recipient: Recipient, allowance: Allowance) -> SmsDecision:
    """Send now while the recipient's day has room; past it a notice waits for the next day
    if that has room (so a flood never builds a backlog of more than a day), else it and any
    reply are dropped. Nothing goes to a blocked number, and after STOP only the answers to
    the number's own messages."""
    if recipient.blocked:
        return SmsDecision(Withheld.BLOCKED)
    if recipient.notices_off and kind != SmsKind.REPLY:
        return SmsDecision(Withheld.NOTICES_OFF)
    if recipient.confirmed:
        per_day, reason = allowance.per_day, Withheld.DAILY_CAP
    else:
        per_day = min(allowance.per_day, allowance.per_day_unconfirmed)
        reason = Withheld.UNCONFIRMED_CAP
    if recipient.sent_today < per_day:
        return SEND
    if kind == SmsKind.NOTICE and recipient.due_tomorrow < per_day:
        return SmsDecision(reason, next_day=True)
    return SmsDecision(reason)


def day_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    """The starts of `moment`'s local day, the next and the one after, in UTC: a recipient's
    day is Basra's calendar day, not the server's."""
    today = moment.astimezone(zone).date()
    starts = [
        datetime.combine(today + timedelta(days=n), time.min, zone).astimezone(UTC)
        for n in range(3)
    ]
    return starts[0], starts[1], starts[2]
