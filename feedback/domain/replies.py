"""Every text the platform sends a citizen, in Arabic and English.

Arabic SMS travel as UCS-2 (70 characters a segment, 67 when split): keep each to two segments."""

from datetime import datetime, timedelta

from feedback.domain.segments import MAX_SEGMENTS, fit

REPLIES: dict[str, dict[str, str]] = {
    "received_routed": {
        "ar": "سجلنا شكواك برقم {ref} وأحلناها الى {directorate}. للمتابعة ارسل: حالة {ref}",
        "en": "Your complaint is registered as {ref} and sent to {directorate}. "
        "To follow up, text: STATUS {ref}",
    },
    # A report that joined an incident: the problem is known; {message} is the incident's
    # latest public message, shortened to fit two segments.
    "received_incident": {
        "ar": "سجلنا شكواك برقم {ref}. المشكلة معروفة عدنا، عدد المبلغين: {count}. "
        "للمتابعة ارسل: حالة {ref}. {message}",
        "en": "Your complaint is registered as {ref}. This problem is already known: {count} "
        "people reported it. To follow up, text: STATUS {ref}. {message}",
    },
    # A report that joined an outage the directorate declared: when it should end ({end},
    # clock_text) and the outage's latest public message.
    "received_outage": {
        "ar": "انقطاع معروف، متوقع يرجع {end}. سجلنا شكواك برقم {ref}. {message}",
        "en": "Known outage, expected to end {end}. Your complaint is registered as {ref}. "
        "{message}",
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
    "ask_choice": {
        "ar": "سجلنا شكواك برقم {ref}. {first} لو {second}؟ رد 1 او 2",
        "en": "Your complaint is registered as {ref}. {first} or {second}? Reply 1 or 2",
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
    # Thanks with no problem named: no ticket, nothing asked.
    "thanks": {
        "ar": "شكرا لرسالتك. اذا عندك شكوى اكتب شنو المشكلة ووين (مثال: ماكو ماي بحي الحسين)",
        "en": "Thank you for your message. To report a problem, text what is wrong and where "
        "(e.g. no water in Hay Al-Hussein).",
    },
    # Past the flood limit, once a window: one segment each, since a flood is what it answers.
    "flood": {
        "ar": "وصلتنا رسائلك وضفناها لشكواك {ref}، لا تكررها. للمتابعة: حالة {ref}",
        "en": "We have your messages and added them to complaint {ref}. No need to send them "
        "again. To follow up, text: STATUS {ref}",
    },
    # STOP / START: the one confirmation each gets (carriers expect STOP to be confirmed).
    "stopped": {
        "ar": "لن نرسل لك اشعارات بعد الآن. لاعادتها ارسل: ابدأ",
        "en": "You will get no more notices from us. To get them again, text START",
    },
    "started": {
        "ar": "ستصلك اشعارات شكاواك مرة ثانية. لايقافها ارسل: توقف",
        "en": "You will get notices about your complaints again. To stop them, text STOP",
    },
    # +1 <ref> / انا هم <ref>: the citizen counted among those affected, with the new count.
    "supported": {
        "ar": "شكرا، انحسبت ويا المتضررين من نفس مشكلة {ref}. عدد المبلغين لحد الان: {count}",
        "en": "Thank you: you are counted as affected by the same problem as {ref}. "
        "{count} people have reported it so far.",
    },
    "already_supported": {
        "ar": "انت محسوب ويا المتضررين من مشكلة {ref}. عدد المبلغين: {count}",
        "en": "You are already counted for the problem of {ref}: {count} people reported it.",
    },
    "support_closed": {
        "ar": "مشكلة {ref} انحلت او انغلقت. اذا رجعت ارسل شكوى جديدة: شنو المشكلة ووين",
        "en": "The problem of {ref} is resolved or closed. If it is back, text a new "
        "complaint: what is wrong and where.",
    },
    "support_unknown": {
        "ar": "الرقم {ref} مو ضمن مشكلة مشتركة نعرفها، او الرقم غلط. للشكوى اكتب شنو المشكلة ووين",
        "en": "{ref} is not part of a shared problem we know of, or the reference is wrong. "
        "To report a problem, text what is wrong and where.",
    },
    # FOLLOW <area> / تابع <area> and UNFOLLOW: news of the incidents in an area.
    "following": {
        "ar": "تتابع الان {area}: نبلغك بانقطاعاتها ومشاكلها المعلنة. للالغاء: الغاء متابعة {area}",
        "en": "You now follow {area}: we will text you its outages and shared problems. "
        "To stop, text UNFOLLOW {area}",
    },
    "already_following": {
        "ar": "انت تتابع {area} من قبل. للالغاء ارسل: الغاء متابعة {area}",
        "en": "You already follow {area}. To stop, text UNFOLLOW {area}",
    },
    "follow_limit": {
        "ar": "تتابع {limit} مناطق وهذا الحد. الغ وحدة اول، مثال: الغاء متابعة {area}",
        "en": "You follow {limit} areas, the most allowed. Unfollow one first, "
        "e.g. UNFOLLOW {area}",
    },
    "follow_unknown": {
        "ar": "ما عرفنا المنطقة. ارسل تابع واسم المنطقة، مثال: تابع الجمهورية",
        "en": "We did not recognise the area. Text FOLLOW and its name, e.g. FOLLOW Al-Jumhuriya",
    },
    "unfollow_unknown": {
        "ar": "ما عرفنا المنطقة. ارسل الغاء متابعة واسم المنطقة، او الغاء متابعة وحدها لكل المناطق",
        "en": "We did not recognise the area. Text UNFOLLOW and its name, or UNFOLLOW alone "
        "to stop following every area.",
    },
    "unfollowed": {
        "ar": "الغينا متابعتك لـ {area}، ما راح نبلغك باخبارها",
        "en": "You no longer follow {area}.",
    },
    "not_following": {
        "ar": "انت ما تتابع {area}. للمتابعة ارسل: تابع {area}",
        "en": "You do not follow {area}. To follow it, text FOLLOW {area}",
    },
    "unfollowed_all": {
        "ar": "ما تتابع اي منطقة هسه. للمتابعة ارسل تابع واسم المنطقة",
        "en": "You follow no area now. To follow one, text FOLLOW and its name.",
    },
    # Answers to "is it fixed?": a 2 reopens the complaint with priority.
    "confirmed_fixed": {
        "ar": "شكرا، سجلنا ان شكواك {ref} انحلت فعلا",
        "en": "Thank you: complaint {ref} is recorded as fixed.",
    },
    "not_fixed": {
        "ar": "فتحنا شكواك {ref} مرة ثانية وبلغنا {directorate} بأولوية",
        "en": "Complaint {ref} is reopened and {directorate} has been told, with priority.",
    },
    # A bare 1 or 2 (yes, no) with no question of ours waiting for it.
    "no_fix_question": {
        "ar": "ما عدنا سؤال ينتظر ردك. للشكوى اكتب شنو المشكلة ووين. "
        "لاعادة فتح شكوى ارسل: اعادة ورقمها",
        "en": "We have no question waiting for your answer. To report a problem, text what is "
        "wrong and where. To reopen a complaint, text REOPEN and its reference.",
    },
    "too_long": {
        "ar": "رسالتك طويلة ({length} حرف) والحد {limit}. رجاء ارسل شكوى مختصرة",
        "en": "Your message is too long ({length} characters; the limit is {limit}). "
        "Please send a shorter one.",
    },
}


# How a choice between two categories names each: a few words a citizen says, not the
# directorate's title. A category added later is named by its title.
CHOICE_NAMES: dict[str, dict[str, str]] = {
    "water-supply": {"ar": "ماكو ماي", "en": "No water"},
    "water-quality": {"ar": "ماي وصخ او مالح", "en": "Dirty or salty water"},
    "water-leak": {"ar": "بوري مكسور", "en": "Leaking pipe"},
    "waterways": {"ar": "نهر او جدول", "en": "River or canal"},
    "electricity-outage": {"ar": "انقطاع كهرباء", "en": "Power cut"},
    "electricity-wires": {"ar": "وايرات او محولة خطرة", "en": "Dangerous wires"},
    "street-lighting": {"ar": "اضوية الشارع", "en": "Street lights"},
    "sewage-overflow": {"ar": "مجاري", "en": "Sewage"},
    "drainage-flooding": {"ar": "ماي مطر", "en": "Rain flooding"},
    "waste-collection": {"ar": "ازبال", "en": "Rubbish"},
    "road-damage": {"ar": "شارع مكسر او ترابي", "en": "Damaged street"},
    "bridges-highways": {"ar": "جسر او طريق سريع", "en": "Bridge or highway"},
    "traffic-signals": {"ar": "اشارة مرور", "en": "Traffic lights"},
    "health-facility": {"ar": "مستشفى او مركز صحي", "en": "Clinic or hospital"},
    "school-building": {"ar": "مدرسة", "en": "School"},
    "stray-animals": {"ar": "كلاب او حيوانات", "en": "Stray animals"},
    "public-parks": {"ar": "حديقة", "en": "Park"},
    "illegal-dumping": {"ar": "رمي انقاض", "en": "Dumped rubble"},
    "air-pollution": {"ar": "دخان او تلوث هوا", "en": "Smoke or air pollution"},
    "noise-pollution": {"ar": "ازعاج وصوت عالي", "en": "Noise"},
    "agricultural-pests": {"ar": "نخيل او زراعة", "en": "Palms or crops"},
}


# What officers' actions and citizens' commands tell the citizen; {message} is the officer's
# public answer, shortened to keep the whole text within two segments.
NOTICES: dict[str, dict[str, str]] = {
    "acknowledged": {
        "ar": "شكواك {ref} استلمتها {directorate}. {message}",
        "en": "Your complaint {ref} was received by {directorate}. {message}",
    },
    "in_progress": {
        "ar": "بدأ العمل على شكواك {ref}. {message}",
        "en": "Work has started on your complaint {ref}. {message}",
    },
    # Asks whether it is fixed (feedback.domain.confirmation): the answer is a bare 1 or 2.
    "resolved": {
        "ar": "شكواك {ref} انحلت: {message}\nانحلت فعلا؟ رد 1 اذا انحلت، 2 اذا ما انحلت",
        "en": "Complaint {ref} resolved: {message}\nIs it fixed? Reply 1 if fixed, 2 if not",
    },
    "rejected": {
        "ar": "شكواك {ref} مرفوضة: {message}",
        "en": "Complaint {ref} was rejected: {message}",
    },
    # News of the incident the complaint is in, once to each reporting phone.
    "incident_update": {
        "ar": "خبر عن شكواك {ref}: {message}",
        "en": "News about your complaint {ref}: {message}",
    },
    "transferred": {
        "ar": "شكواك {ref} تحولت الى {directorate}. {message}",
        "en": "Complaint {ref} was passed to {directorate}. {message}",
    },
    "reopened": {
        "ar": "فتحنا شكواك {ref} مرة ثانية وبلغنا {directorate}. {message}",
        "en": "Complaint {ref} is reopened and {directorate} has been told. {message}",
    },
    "status": {
        "ar": "شكواك {ref}: {status}. {message}",
        "en": "Complaint {ref}: {status}. {message}",
    },
    "not_found": {
        "ar": "ما لكينا شكوى بهذا الرقم مرسلة من رقمك. تأكد من الرقم. {message}",
        "en": "No complaint with that reference was sent from your number. {message}",
    },
    "reopen_too_late": {
        "ar": "مرت اكثر من 14 يوم على حل الشكوى {ref}. ارسل شكوى جديدة رجاء. {message}",
        "en": "Complaint {ref} was resolved over 14 days ago; please send a new one. {message}",
    },
    "reopen_not_closed": {
        "ar": "الشكوى {ref} بعدها قيد المتابعة، ما تحتاج اعادة فتح. {message}",
        "en": "Complaint {ref} is still being worked on; no need to reopen it. {message}",
    },
}

# News of an incident in an area the number follows: {area} as it followed it, {link} the
# incident's public page; {message} the incident's public message, cut to fit two segments.
FOLLOW_NOTICES: dict[str, dict[str, str]] = {
    "follow_declared": {
        "ar": "انقطاع معلن في {area}: {category}. {message} {link}",
        "en": "Outage announced in {area}: {category}. {message} {link}",
    },
    "follow_update": {
        "ar": "خبر عن {category} في {area}: {message} {link}",
        "en": "News of {category} in {area}: {message} {link}",
    },
    "follow_resolved": {
        "ar": "انحلت مشكلة {category} في {area}. {message} {link}",
        "en": "{category} in {area} resolved. {message} {link}",
    },
}

STATUS_WORDS = {
    "new": {"ar": "جديدة", "en": "new"},
    "acknowledged": {"ar": "مستلمة", "en": "received"},
    "in_progress": {"ar": "قيد العمل", "en": "in progress"},
    "resolved": {"ar": "محلولة", "en": "resolved"},
    "rejected": {"ar": "مرفوضة", "en": "rejected"},
    "reopened": {"ar": "معاد فتحها", "en": "reopened"},
    "closed": {"ar": "مغلقة", "en": "closed"},
}


def _language(language: str) -> str:
    return "ar" if language == "ar" else "en"


def reply_text(key: str, language: str, **values: object) -> str:
    """The reply `key` in the citizen's language (English for anything but Arabic)."""
    return REPLIES[key][_language(language)].format(**values)


def reply_with_message(key: str, language: str, message: str, **values: str) -> str:
    """The reply `key` with `message` cut to keep the whole within two segments."""
    return _fitted(REPLIES[key][_language(language)], message, values)


def choice_name(code: str, language: str, title: str) -> str:
    """A category as the choice question names it; `title` when it has no short name."""
    return CHOICE_NAMES.get(code, {}).get(_language(language), title)


def notice_text(key: str, language: str, message: str = "", **values: str) -> str:
    """A notice in the citizen's language, the officer's `message` cut to fit two segments."""
    return _fitted(NOTICES[key][_language(language)], message, values)


def follow_notice_text(key: str, language: str, message: str, **values: str) -> str:
    """News for a follower of an area, the incident's `message` cut to fit two segments."""
    return _fitted(FOLLOW_NOTICES[key][_language(language)], message, values)


def _fitted(template: str, message: str, values: dict[str, str]) -> str:
    return fit(template, message.strip(), MAX_SEGMENTS, **values).strip()


def status_word(status: str, language: str) -> str:
    return STATUS_WORDS[status][_language(language)]


ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
CLOCK_WORDS = {
    "ar": {"am": "ص", "pm": "م", "at": "الساعة", "tomorrow": "باجر", "on": "يوم"},
    "en": {"am": "am", "pm": "pm", "at": "at", "tomorrow": "tomorrow", "on": "on"},
}


def clock_text(when: datetime, now: datetime, language: str) -> str:
    """A time as a citizen's SMS says it, both in local time: "الساعة ٦ م" / "at 6 pm" today,
    "باجر الساعة ٦ م" tomorrow, "يوم ١٢/٣ الساعة ٦ م" on another day; Arabic digits in Arabic,
    as Basra's phones write them."""
    words = CLOCK_WORDS[_language(language)]
    hour = when.hour % 12 or 12
    clock = f"{hour}" if when.minute == 0 else f"{hour}:{when.minute:02d}"
    text = f"{words['at']} {clock} {words['pm' if when.hour >= 12 else 'am']}"
    if when.date() == (now + timedelta(days=1)).date():
        text = f"{words['tomorrow']} {text}"
    elif when.date() != now.date():
        text = f"{words['on']} {when.day}/{when.month} {text}"
    return text.translate(ARABIC_DIGITS) if _language(language) == "ar" else text
