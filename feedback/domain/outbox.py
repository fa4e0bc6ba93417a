"""The states of an SMS in the Outbox; feedback.services.outbox moves them."""

from enum import StrEnum


class SmsState(StrEnum):
    PENDING = "pending"  # due at next_attempt_at: now, after a failure, or a held SMS's day
    SENDING = "sending"  # claimed by one worker, under a lease
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"  # retries spent
    DROPPED = "dropped"  # never sent: Outbox.withheld says why
