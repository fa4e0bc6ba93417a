"""Every text the platform sends a citizen, in Arabic and English.

Arabic SMS travel as UCS-2 (70 characters a segment, 67 when split): keep each to two segments."""

REPLIES: dict[str, dict[str, str]] = {
    "received_routed": {
        "ar": "سجلنا شكواك برقم {ref} وأحلناها الى {directorate}. للمتابعة ارسل: حالة {ref}",
        "en": "Your complaint is registered as {ref} and sent to {directorate}. "
        "To follow up, text: STATUS {ref}",
    },
    "received_triage": {
        "ar": "سجلنا شكواك برقم {ref}. سنحدد الجهة المسؤولة ونبلغك. للمتابعة ارسل: حالة {ref}",
        "en": "Your complaint is registered as {ref}. We will find the office responsible "
        "and tell you. To follow up, text: STATUS {ref}",
    },
    "ask_place": {
        "ar": "سجلنا شكواك برقم {ref}. وين المشكلة؟ اكتب اسم المنطقة او الحي",
        "en": "Your complaint is registered as {ref}. Where is the problem? "
        "Reply with the area or neighbourhood.",
    },
    "ask_category": {
        "ar": "سجلنا شكواك برقم {ref}. شنو المشكلة؟ ماي، كهرباء، مجاري، ازبال، شارع، لو غيرها",
        "en": "Your complaint is registered as {ref}. What is the problem? "
        "Water, power, sewage, rubbish, road, or something else?",
    },
    "ask_details": {
        "ar": "سجلنا رسالتك برقم {ref}. شنو المشكلة ووين؟ مثال: ماكو ماي بحي الحسين",
        "en": "Your message is registered as {ref}. What is the problem and where? "
        "E.g. no water in Hay Al-Hussein",
    },
    "help": {
        "ar": "اكتب شكواك: شنو المشكلة ووين (مثال: ماكو ماي بحي الحسين). "
        "للمتابعة: حالة ورقم الشكوى",
        "en": "Text your complaint: what is wrong and where (e.g. no water in Hay Al-Hussein). "
        "To follow up: STATUS and your reference.",
    },
    "too_long": {
        "ar": "رسالتك طويلة ({length} حرف) والحد {limit}. رجاء ارسل شكوى مختصرة",
        "en": "Your message is too long ({length} characters; the limit is {limit}). "
        "Please send a shorter one.",
    },
}


def reply_text(key: str, language: str, **values: object) -> str:
    """The reply `key` in the citizen's language (English for anything but Arabic)."""
    texts = REPLIES[key]
    return texts["ar" if language == "ar" else "en"].format(**values)
