"""Corrections against the real database: an officer's change of category (which may move the
ticket to the directorate the rules name), a transfer and an admin's triage each keep one
labelled example in their own transaction; a refused change keeps none. The report and the
suggested keywords read them; only an admin's acceptance changes the parser."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.domain import sla
from feedback.domain.corrections import Suggestion
from feedback.domain.lifecycle import InvalidTransition, MissingMessage
from feedback.extensions import db
from feedback.models import Category, Correction, Outbox, Ticket, utcnow
from feedback.services import casework, corrections, reference_changes, triage
from feedback.services.errors import NotFound, Refused
from feedback.services.parser_cache import load_knowledge
from feedback.services.reference_changes import KEYWORD_LISTS
from tests.factories import demo_user, sms_ticket

SALTY = "الماي مالح بحي الحسين"  # water-quality, in Basra city: the water directorate's
# A slaughterhouse's blood in a pipe, read as a leaking water pipe (water-leak, the water
# directorate's); the municipality answers for such dumping (illegal-dumping).
SLAUGHTERHOUSE = ("المجزرة تذب الدم بالبوري يم بيوتنا بالعشار", "دم المجزرة يطلع من البوري بالعشار")


def count(model) -> int:
    """Counted in the test's own session: a second one would wait on SQLite's write lock."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def ticket(reference: str) -> Ticket:
    db.session.expire_all()
    return db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))


def only_correction() -> Correction:
    rows = db.session.scalars(sa.select(Correction)).all()
    assert len(rows) == 1
    return rows[0]


def test_a_new_category_of_the_same_directorate_keeps_the_ticket_and_a_correction(app, twilio):
    reference = sms_ticket(twilio, SALTY)
    with app.app_context():
        officer = demo_user("officer.water")
        changed = casework.change_category(officer, reference, "water-leak", "بوري مكسور")
        leak = db.session.scalar(sa.select(Category).where(Category.code == "water-leak"))
        assert changed.category.code == "water-leak" and changed.category_confidence == 1.0
        assert changed.due_at == sla.due_at(changed.created_at, leak.sla_hours)
        assert (changed.directorate.code, changed.status) == ("water", "new")
        event = changed.events[-1]
        assert (event.kind, event.actor.username) == ("category_changed", "officer.water")
        assert event.details == {"from": "water-quality", "to": "water-leak"}
        assert event.public_message == "بوري مكسور"
        assert count(Outbox) == 0  # nothing to tell the citizen
        correction = only_correction()
        assert (correction.ticket_id, correction.text, correction.kind) == (
            changed.id,
            SALTY,
            "category",
        )
        assert (correction.old_category, correction.new_category) == ("water-quality", "water-leak")
        assert (correction.old_directorate, correction.new_directorate) == ("water", "water")
        assert correction.user.username == "officer.water"


def test_a_category_another_directorate_answers_for_moves_the_ticket_there(app, twilio):
    reference = sms_ticket(twilio, SLAUGHTERHOUSE[0])
    with app.app_context():
        officer = demo_user("officer.water")
        moved = casework.change_category(officer, reference, "illegal-dumping", "دم المجزرة")
        assert (moved.category.code, moved.directorate.code) == ("illegal-dumping", "municipality")
        assert [e.kind for e in moved.events][-2:] == ["category_changed", "transfer"]
        assert moved.events[-2].public_message is None  # said once: with the transfer
        assert moved.events[-1].public_message == "دم المجزرة"
        assert moved.events[-1].details == {"from": "water", "to": "municipality"}
        notice = db.session.scalar(sa.select(Outbox.body))
        assert "دم المجزرة" in notice
        correction = only_correction()
        assert (correction.old_directorate, correction.new_directorate) == ("water", "municipality")
        with pytest.raises(NotFound):  # it is the municipality's now
            casework.ticket_for(officer, reference)


def test_the_rules_of_the_tickets_area_decide_where_it_goes(app, twilio):
    reference = sms_ticket(twilio, "الماي مالح بالزبير")
    with app.app_context():
        moved = casework.change_category(demo_user("admin"), reference, "road-damage", "طريق")
        assert moved.directorate.code == "municipalities"  # Zubair's, not Basra city's


def test_a_category_no_rule_routes_leaves_the_ticket_where_it_is(app, twilio):
    reference = sms_ticket(twilio, SALTY)
    with app.app_context():
        changed = casework.change_category(
            demo_user("officer.water"), reference, "noise-pollution", "ضجيج المولدة"
        )
        assert (changed.category.code, changed.directorate.code) == ("noise-pollution", "water")
        assert only_correction().new_directorate == "water"


@pytest.mark.parametrize(
    ("username", "category", "reason", "error"),
    [
        ("officer.electricity", "water-leak", "سبب", NotFound),
        ("monitor", "water-leak", "سبب", NotFound),
        ("officer.water", "water-quality", "سبب", casework.UnknownCategory),  # its own
        ("officer.water", "no-such", "سبب", casework.UnknownCategory),
        ("officer.water", "water-leak", "  ", MissingMessage),
    ],
)
def test_a_refused_change_changes_nothing_and_teaches_nothing(
    app, twilio, username, category, reason, error
):
    reference = sms_ticket(twilio, SALTY)
    with app.app_context():
        with pytest.raises(error):
            casework.change_category(demo_user(username), reference, category, reason)
        found = ticket(reference)
        assert (found.category.code, len(found.events)) == ("water-quality", 2)
        assert count(Correction) == 0


def test_an_inactive_category_or_a_closed_ticket_is_refused(app, twilio):
    reference = sms_ticket(twilio, SALTY)
    with app.app_context():
        officer = demo_user("officer.water")
        leak = db.session.scalar(sa.select(Category).where(Category.code == "water-leak"))
        leak.active = False
        db.session.commit()
        try:
            with pytest.raises(casework.UnknownCategory):
                casework.change_category(officer, reference, "water-leak", "سبب")
        finally:
            leak = db.session.scalar(sa.select(Category).where(Category.code == "water-leak"))
            leak.active = True
            db.session.commit()
        casework.act(officer, reference, "reject", "ليست شكوى")
        casework.act(officer, reference, "close")
        with pytest.raises(InvalidTransition):
            casework.change_category(officer, reference, "water-leak", "سبب")
        assert count(Correction) == 0


def test_a_transfer_is_kept_as_a_correction_of_the_directorate(app, twilio):
    reference = sms_ticket(twilio, SALTY)
    with app.app_context():
        casework.transfer(demo_user("officer.water"), reference, "sewerage", "مجاري")
        correction = only_correction()
        assert correction.kind == "transfer"
        assert (correction.old_category, correction.new_category) == (
            "water-quality",
            "water-quality",
        )
        assert (correction.old_directorate, correction.new_directorate) == ("water", "sewerage")


def test_triage_with_another_category_is_a_correction_and_without_one_is_not(app, twilio):
    first = sms_ticket(twilio, "قنفذ بالعشار", sender="+9647801111111")
    second = sms_ticket(twilio, "قنفذ بالعشار", sender="+9647802222222")
    with app.app_context():
        # Unanswered: as once the answer window has closed.
        db.session.execute(sa.update(Ticket).values(awaiting=None, awaiting_until=None))
        db.session.commit()
        admin = demo_user("admin")
        triage.assign_from_triage(admin, first, "municipality", "stray-animals")
        triage.assign_from_triage(admin, second, "municipality")
        correction = only_correction()
        assert correction.ticket.reference == first
        assert (correction.old_category, correction.new_category) == (None, "stray-animals")
        assert (correction.old_directorate, correction.new_directorate) == (None, "municipality")
        assert correction.user.username == "admin"


def test_the_report_reruns_the_parser_on_the_corrections_of_the_last_days(app, twilio):
    slaughterhouse = sms_ticket(twilio, SLAUGHTERHOUSE[0])
    leak = sms_ticket(twilio, "بوري الماي مكسور بحي الحسين", sender="+9647803333333")
    old = sms_ticket(twilio, SALTY, sender="+9647804444444")
    with app.app_context():
        officer = demo_user("officer.water")
        casework.change_category(officer, slaughterhouse, "illegal-dumping", "مجزرة")
        casework.transfer(officer, leak, "sewerage", "مجاري")
        casework.change_category(officer, old, "water-leak", "قديم")
        stale = db.session.scalar(
            sa.select(Correction).where(Correction.ticket_id == ticket(old).id)
        )
        stale.at = utcnow() - timedelta(days=40)
        db.session.commit()

        found = corrections.understanding_report(days=30)
        assert (found.corrections, found.right) == (2, 0)
        assert [(t.before, t.after, t.corrections) for t in found.categories] == [
            ("water-leak", "illegal-dumping", 1)
        ]
        assert [(t.before, t.after) for t in found.directorates] == [("water", "sewerage")]
        # "بالبوري" and "بوري": one word, in both texts.
        assert ("بوري", 2) in {(m.word, m.corrections) for m in found.misleading}
        assert {m.category for m in found.misleading} == {"water-leak"}
        assert corrections.understanding_report(days=60).corrections == 3


@pytest.mark.usefixtures("restore_reference_data")
def test_suggested_keywords_come_from_corrections_to_the_category(app, twilio):
    references = [
        sms_ticket(twilio, text, sender=f"+96478055555{n}") for n, text in enumerate(SLAUGHTERHOUSE)
    ]
    with app.app_context():
        officer = demo_user("officer.water")
        assert corrections.suggested_keywords("illegal-dumping") == []
        casework.change_category(officer, references[0], "illegal-dumping", "مجزرة")
        assert corrections.suggested_keywords("illegal-dumping") == []  # one is not enough
        casework.change_category(officer, references[1], "illegal-dumping", "مجزرة")
        # Not "بوري" (a keyword), "بالعشار" (a place) or "دم" (too short).
        assert corrections.suggested_keywords("illegal-dumping") == [Suggestion("مجزرة", 2)]
        assert corrections.suggested_keywords("water-leak") == []
        classifier = load_knowledge().classifier
        assert classifier.classify("المجزرة").code is None  # nothing changed until accepted

        # A word of any category's lists is no suggestion, a shared generic word included.
        smoke = db.session.scalar(sa.select(Category).where(Category.code == "air-pollution"))
        keywords = {name: list(smoke.keywords.get(name, ())) for name in KEYWORD_LISTS}
        keywords["generic"].append("مجزره")
        change = reference_changes.CategoryChange(
            smoke.name_ar, smoke.name_en, smoke.sla_hours, smoke.active, keywords
        )
        reference_changes.update_category("air-pollution", change)
        assert corrections.suggested_keywords("illegal-dumping") == []


@pytest.mark.usefixtures("restore_reference_data")
def test_an_accepted_keyword_joins_its_language_and_rebuilds_the_parser(app):
    with app.app_context():
        reference_changes.add_keyword("air-pollution", "مجزرة")
        reference_changes.add_keyword("air-pollution", "slaughterhouse")
        keywords = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "air-pollution")
        )
        assert keywords["ar"][-1] == "مجزرة" and keywords["en"][-1] == "slaughterhouse"
        classifier = load_knowledge().classifier
        assert classifier.classify("المجزرة").code == "air-pollution"
        assert classifier.classify("the slaughterhouse").code == "air-pollution"
        with pytest.raises(Refused) as refused:
            reference_changes.add_keyword("water-supply", "مجزرة")
        assert refused.value.reason == "keyword_taken"
        with pytest.raises(NotFound):
            reference_changes.add_keyword("no-such", "مجزرة")
