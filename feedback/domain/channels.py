"""Which channel carries an SMS to a citizen: WhatsApp numbers go by WhatsApp (Twilio);
Iraqi mobiles by a local route when one is set up (the operator short code through Kannel,
else the Android phone with a local SIM), since Twilio cannot deliver two-way SMS in Iraq;
anything else by Twilio (or the console in development)."""

from enum import StrEnum


class Channel(StrEnum):
    """How a message or report reached us, and how an SMS goes out."""

    SMS = "sms"  # Twilio (or the console in development)
    WHATSAPP = "whatsapp"  # Twilio
    KANNEL = "kannel"  # the operator short code
    ANDROID = "android"  # an Android phone with a local SIM
    WEB = "web"  # the report form
    API = "api"  # an Open311 client
    WALK_IN = "walk_in"  # told to staff in person, at a directorate's office
    PHONE_CALL = "phone_call"  # told to staff on the telephone


# How a complaint reaches staff, who record it for the citizen (feedback.services.intake).
STAFF_CHANNELS = (Channel.WALK_IN, Channel.PHONE_CALL)


IRAQI_MOBILE_PREFIX = "+9647"
LOCAL_ROUTES = (Channel.KANNEL, Channel.ANDROID)  # in order of preference


def outbound_channel(to_number: str, enabled: frozenset[str]) -> Channel:
    if to_number.startswith("whatsapp:"):
        return Channel.WHATSAPP
    if to_number.startswith(IRAQI_MOBILE_PREFIX):
        for route in LOCAL_ROUTES:
            if route in enabled:
                return route
    return Channel.SMS
