"""Citizens following an area by SMS: FOLLOW and UNFOLLOW answered, and the news of an incident
queued to those who follow its areas, in the caller's transaction, one SMS each through the
outbox. A number that texted STOP hears nothing, and reporters of the incident are told of it
with their own reference already, so they get no second SMS. A follower is kept by the address
it texted from; its caps count its SMS and WhatsApp addresses alike."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from feedback.domain import follow as rule
from feedback.domain.limits import day_bounds
from feedback.domain.phone import addresses, bare_number
from feedback.domain.replies import follow_notice_text, reply_text
from feedback.extensions import db
from feedback.models import Area, NoticeStop, Ticket, utcnow
from feedback.models.follows import AreaFollow, FollowNotice
from feedback.models.incidents import Incident, IncidentEvent
from feedback.services.notify import queue_to
from feedback.services.parser_cache import Knowledge, load_knowledge
from feedback.services.phones import lock_recipient
from feedback.services.settings import settings


def follow(sender: str, area_text: str, language: str) -> str:
    """FOLLOW <area>: the reply. Following an area again says so in the new language."""
    area = _area_named(load_knowledge(), area_text)
    if area is None:
        return reply_text("follow_unknown", language)
    follows = _follows_of(sender)
    same = next((f for f in follows if f.area_id == area.id), None)
    if same is not None:
        same.language = language
        return reply_text("already_following", language, area=area.name(language))
    if len(follows) >= rule.MAX_AREAS:
        oldest = follows[0].area.name(language)
        return reply_text("follow_limit", language, limit=rule.MAX_AREAS, area=oldest)
    db.session.add(AreaFollow(number=sender, area=area, language=language, created_at=utcnow()))
    return reply_text("following", language, area=area.name(language))


def unfollow(sender: str, area_text: str, language: str) -> str:
    """UNFOLLOW <area>: that area; UNFOLLOW alone: every one."""
    follows = _follows_of(sender)
    if not area_text:
        for each in follows:
            db.session.delete(each)
        return reply_text("unfollowed_all", language)
    area = _area_named(load_knowledge(), area_text)
    if area is None:
        return reply_text("unfollow_unknown", language)
    same = [f for f in follows if f.area_id == area.id]
    if not same:
        return reply_text("not_following", language, area=area.name(language))
    for each in same:
        db.session.delete(each)
    return reply_text("unfollowed", language, area=area.name(language))


def tell_followers(
    knowledge: Knowledge,
    incident: Incident,
    news: rule.FollowNews,
    step: IncidentEvent,
    now: datetime,
) -> int:
    """One SMS of `news` to each number following an area of the incident (or one enclosing
    or inside it), in the language it followed in, with the step's public message and the
    incident's public page, while the number's daily cap has room. How many were queued."""
    codes = rule.areas_concerned([area.code for area in incident.areas], knowledge.gazetteer)
    area_ids = [knowledge.area_ids[code] for code in sorted(codes) if code in knowledge.area_ids]
    follows = db.session.scalars(
        sa.select(AreaFollow)
        .options(joinedload(AreaFollow.area))
        .where(AreaFollow.area_id.in_(area_ids))
        .order_by(AreaFollow.id)
    ).all()
    first: dict[str, AreaFollow] = {}
    for each in follows:
        first.setdefault(bare_number(each.number), each)
    told = _reporters(incident) | _stopped(list(first))
    start, end, _ = day_bounds(now, settings().timezone)
    queued = 0
    for number, each in first.items():
        if number in told:
            continue
        lock_recipient(number)  # the day's count stays exact under concurrent incidents
        if _told_between(number, start, end) >= rule.NOTICES_PER_DAY:
            continue
        outbox = queue_to(each.number, _news(incident, news, step, each), each.language)
        db.session.add(
            FollowNotice(number=number, incident=incident, outbox=outbox, created_at=now)
        )
        queued += 1
    return queued


def _news(incident: Incident, news: rule.FollowNews, step: IncidentEvent, each: AreaFollow) -> str:
    language = each.language
    link = f"{settings().public_base_url}/incidents/{incident.id}"
    return follow_notice_text(
        news.value,
        language,
        step.public_message(language) or "",
        area=each.area.name(language),
        category=incident.category.name(language),
        link=link,
    )


def _area_named(knowledge: Knowledge, text: str) -> Area | None:
    """The area a FOLLOW names. The words after FOLLOW are a place by construction, so they
    are read as after "in": "تابع المدينة" is Al-Midaina, not "the city"."""
    if not text:
        return None
    code = knowledge.gazetteer.find_in_text(f"في {text}").place_code
    if code is None:
        return None
    return db.session.get(Area, knowledge.area_ids[rule.followed_area(code, knowledge.gazetteer)])


def _follows_of(sender: str) -> list[AreaFollow]:
    """The number's follows, on SMS and WhatsApp alike, oldest first."""
    return list(
        db.session.scalars(
            sa.select(AreaFollow)
            .options(joinedload(AreaFollow.area))
            .where(AreaFollow.number.in_(addresses(sender)))
            .order_by(AreaFollow.id)
        )
    )


def _reporters(incident: Incident) -> set[str]:
    """The bare numbers of the incident's reporters: told of each change about their ticket."""
    phones = db.session.scalars(
        sa.select(Ticket.citizen_phone).where(
            Ticket.incident_id == incident.id, Ticket.citizen_phone.is_not(None)
        )
    )
    return {bare_number(phone) for phone in phones if phone}


def _stopped(numbers: list[str]) -> set[str]:
    """Those of `numbers` (bare) that texted STOP."""
    if not numbers:
        return set()
    query = sa.select(NoticeStop.number).where(NoticeStop.number.in_(numbers))
    return set(db.session.scalars(query))


def _told_between(number: str, start: datetime, end: datetime) -> int:
    query = sa.select(sa.func.count(FollowNotice.id)).where(
        FollowNotice.number == number,
        FollowNotice.created_at >= start,
        FollowNotice.created_at < end,
    )
    return db.session.scalar(query) or 0
