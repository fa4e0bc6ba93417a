"""Who a staff account is: what each role may do is decided where it is done (the queues,
casework, verification) and by the blueprints' role_required."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # everything: routing, reference data, accounts, every directorate
    OFFICER = "officer"  # their directorate's tickets
    MONITOR = "monitor"  # a civil-society organisation: verifies fixes, follows tickets
