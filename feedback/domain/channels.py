"""Which channel carries an SMS to a citizen: WhatsApp numbers go by WhatsApp (Twilio);
Iraqi mobiles by a local route when one is set up (the operator short code through Kannel,
else the Android phone with a local SIM), since Twilio cannot deliver two-way SMS in Iraq;
anything else by Twilio (or the console in development)."""

IRAQI_MOBILE_PREFIX = "+9647"
LOCAL_ROUTES = ("kannel", "android")  # in order of preference


def outbound_channel(to_number: str, enabled: frozenset[str]) -> str:
    if to_number.startswith("whatsapp:"):
        return "whatsapp"
    if to_number.startswith(IRAQI_MOBILE_PREFIX):
        for route in LOCAL_ROUTES:
            if route in enabled:
                return route
    return "sms"
