"""Learning from officers: every change a person makes to a ticket's category or directorate
is kept as a labelled example (the one place one is recorded), and read back for
`flask understanding report` and for the keywords suggested to admins. Reading changes
nothing: a suggestion reaches the parser only through an admin (reference_changes.add_keyword)."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from feedback.domain.corrections import (
    CorrectionKind,
    Example,
    Report,
    Suggestion,
    report,
    suggest_keywords,
)
from feedback.domain.routing import route
from feedback.domain.understand import understand
from feedback.extensions import db
from feedback.models import Category, Ticket, User, utcnow
from feedback.models.corrections import Correction
from feedback.reference_data import stop_words
from feedback.services.parser_cache import load_knowledge
from feedback.services.reference_changes import DISMISSED, KEYWORD_LISTS

# The newest corrections to a category that its suggestions are drawn from.
SUGGESTION_SAMPLE = 500


def codes_of(ticket: Ticket) -> tuple[str | None, str | None]:
    """The ticket's category and directorate codes, as a correction records them."""
    return (
        ticket.category.code if ticket.category else None,
        ticket.directorate.code if ticket.directorate else None,
    )


def record_correction(
    ticket: Ticket,
    kind: CorrectionKind,
    user: User,
    before: tuple[str | None, str | None],
    at: datetime,
) -> Correction:
    """Keep what `user` changed, in the caller's transaction: the ticket's category and
    directorate `before` (codes_of, read before the change) and after (as it is now)."""
    old_category, old_directorate = before
    new_category, new_directorate = codes_of(ticket)
    correction = Correction(
        ticket=ticket,
        text=ticket.original_text,
        kind=kind.value,
        old_category=old_category,
        new_category=new_category,
        old_directorate=old_directorate,
        new_directorate=new_directorate,
        user=user,
        at=at,
    )
    db.session.add(correction)
    return correction


def understanding_report(days: int, now: datetime | None = None) -> Report:
    """The parser as it is now against the corrections of the last `days` days: how often it
    agrees with the people, and the words that most often mislead it."""
    since = (now or utcnow()) - timedelta(days=days)
    rows = db.session.execute(
        sa.select(Correction, Ticket.area_id)
        .join(Ticket, Correction.ticket_id == Ticket.id)
        .where(Correction.at >= since)
        .order_by(Correction.id)
    ).all()
    knowledge = load_knowledge()
    examples = []
    for correction, area_id in rows:
        classification, _ = understand(correction.text, knowledge.classifier, knowledge.gazetteer)
        lineage = knowledge.lineage(knowledge.area_code(area_id))
        examples.append(
            Example(
                kind=CorrectionKind(correction.kind),
                text=correction.text,
                old_category=correction.old_category,
                new_category=correction.new_category,
                old_directorate=correction.old_directorate,
                new_directorate=correction.new_directorate,
                parsed_category=classification.code,
                parsed_directorate=route(classification.code, lineage, knowledge.rules).directorate,
            )
        )
    return report(examples, lambda word: knowledge.classifier.classify(word).code)


def suggested_keywords(category_code: str) -> list[Suggestion]:
    """Words the texts of corrections to this category keep containing that no category has
    yet and an admin has not dismissed for it, for an admin to accept or dismiss."""
    rows = db.session.execute(
        sa.select(Correction.ticket_id, Correction.text)
        .where(Correction.new_category == category_code, Correction.kind == CorrectionKind.CATEGORY)
        .order_by(Correction.at.desc())
        .limit(SUGGESTION_SAMPLE)
    )
    texts = {ticket_id: text for ticket_id, text in rows}  # a ticket counts once
    keywords = [
        word
        for category in db.session.scalars(sa.select(Category))
        for word in (
            category.name_ar,
            category.name_en,
            *(w for name in KEYWORD_LISTS for w in (category.keywords or {}).get(name, ())),
        )
    ]
    category = db.session.scalar(sa.select(Category).where(Category.code == category_code))
    dismissed = (category.keywords or {}).get(DISMISSED, ()) if category else ()
    gazetteer = load_knowledge().gazetteer
    return suggest_keywords(
        texts.values(),
        keywords,
        is_place=lambda word: gazetteer.find_in_text(word).place_code is not None,
        stop_words=[*stop_words(), *dismissed],
    )
