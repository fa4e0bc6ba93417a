"""Moderating public texts against the real database: each action one event with who and why,
a refused one changing nothing; a redaction outliving the citizen's later words; the queue's
pages and the figures the queue and the admin overview show."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from feedback.domain.attachments import AttachmentKind, Fetch, Review
from feedback.domain.moderation import HIDDEN_TEXT
from feedback.extensions import db
from feedback.models import Ticket, TicketEvent, User, utcnow
from feedback.models.attachments import Attachment
from feedback.services import accounts, moderation
from feedback.services.errors import NotFound, Refused
from tests.factories import demo_user, resolved_ticket, sms_ticket, ticket_row

NAMED = "ماكو ماي بحي الحسين، المقاول علي حسين الكعبي سرق البوري"
CUT_NAME = "ماكو ماي بحي الحسين، المقاول … سرق البوري"


def ticket_of(reference: str) -> Ticket:
    db.session.expire_all()
    return db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))


def moderation_events(reference: str) -> list[TicketEvent]:
    return [event for event in ticket_of(reference).events if event.kind == "moderated"]


def test_redact_hide_and_restore_each_record_who_and_why(app, twilio):
    reference = sms_ticket(twilio, NAMED)
    with app.app_context():
        admin = demo_user("admin")
        moderation.redact_text(admin, reference, CUT_NAME, "اسم شخص واتهام")
        ticket = ticket_of(reference)
        assert (ticket.public_text, ticket.text_moderation) == (CUT_NAME, "redacted")
        assert ticket.original_text == NAMED  # kept as sent
        assert ticket.text_moderated_by_id == admin.id

        moderation.hide_text(admin, reference, "the whole text accuses someone")
        ticket = ticket_of(reference)
        assert (ticket.public_text, ticket.text_moderation) == (HIDDEN_TEXT, "hidden")

        moderation.restore_text(admin, reference, "checked: the person asked for it")
        ticket = ticket_of(reference)
        assert (ticket.public_text, ticket.text_moderation) == (NAMED, None)
        assert ticket.text_moderated_at is not None  # the queue's "moderated lately" keeps it

        steps = [
            (e.details["action"], e.actor_id, e.actor_label, e.internal_note, e.public_message)
            for e in moderation_events(reference)
        ]
        assert steps == [
            ("redact", admin.id, "admin", "اسم شخص واتهام", None),
            ("hide", admin.id, "admin", "the whole text accuses someone", None),
            ("restore", admin.id, "admin", "checked: the person asked for it", None),
        ]
        assert moderation_events(reference)[0].details["public_text"] == CUT_NAME


@pytest.mark.parametrize(
    "act, field, reason",
    [
        (lambda u, r: moderation.redact_text(u, r, CUT_NAME, "  "), "reason", "reason_required"),
        (lambda u, r: moderation.redact_text(u, r, CUT_NAME, "x" * 1001), "reason",
         "reason_too_long"),
        (lambda u, r: moderation.redact_text(u, r, NAMED, "why"), "text", "unchanged"),
        (lambda u, r: moderation.redact_text(u, r, "…", "why"), "text", "empty"),
        (lambda u, r: moderation.redact_text(u, r, "كذب " + CUT_NAME, "why"), "text",
         "not_a_cut"),
        (lambda u, r: moderation.hide_text(u, r, ""), "reason", "reason_required"),
        (lambda u, r: moderation.restore_text(u, r, "why"), None, "nothing_to_restore"),
    ],
)  # fmt: skip
def test_a_refused_action_changes_nothing(app, twilio, act, field, reason):
    reference = sms_ticket(twilio, NAMED)
    with app.app_context():
        with pytest.raises(Refused) as refused:
            act(demo_user("admin"), reference)
        assert (refused.value.field, refused.value.reason) == (field, reason)
        ticket = ticket_of(reference)
        assert (ticket.public_text, ticket.text_moderation, ticket.text_moderated_at) == (
            NAMED,
            None,
            None,
        )
        assert moderation_events(reference) == []


def test_hiding_twice_is_refused(app, twilio):
    reference = sms_ticket(twilio, NAMED)
    with app.app_context():
        moderation.hide_text(demo_user("admin"), reference, "accuses a person")
        with pytest.raises(Refused, match="already_hidden"):
            moderation.hide_text(demo_user("admin"), reference, "again")
        assert len(moderation_events(reference)) == 1


def test_only_admins_and_moderators_moderate(app, twilio, moderator):
    reference = sms_ticket(twilio, NAMED)
    flagged_id = moderator("officer").id  # of the water directorate
    with app.app_context():
        for username in ("officer.water", "manager.water", "governorate", "monitor"):
            with pytest.raises(moderation.NotAModerator):
                moderation.hide_text(demo_user(username), reference, "no")
        assert moderation_events(reference) == []
        flagged = db.session.get(User, flagged_id)
        moderation.hide_text(flagged, reference, "a CSO asked")
        assert [e.actor_id for e in moderation_events(reference)] == [flagged.id]


def test_an_unknown_reference_is_not_found(app):
    with app.app_context(), pytest.raises(NotFound):
        moderation.hide_text(demo_user("admin"), "ZZZZZ", "why")


def test_the_citizens_later_words_keep_the_redaction(app, twilio):
    """REOPEN with words appends them to the original: the cut stays cut, the new words
    are public (masked), as an unmoderated text's would be."""
    reference = resolved_ticket(twilio)
    with app.app_context():
        original = ticket_of(reference).original_text
        moderation.redact_text(demo_user("admin"), reference, "… بحي الحسين", "a name")
    twilio.send(f"REOPEN {reference} رجع انقطع، اتصلوا 07801234567")
    with app.app_context():
        ticket = ticket_of(reference)
        assert ticket.status == "reopened"
        assert ticket.original_text.startswith(original) and "07801234567" in ticket.original_text
        assert ticket.public_text == "… بحي الحسين\nرجع انقطع، اتصلوا [•••]"
        assert ticket.text_moderation == "redacted"


def test_the_citizens_later_words_do_not_show_a_hidden_text(app, twilio):
    reference = resolved_ticket(twilio)
    with app.app_context():
        moderation.hide_text(demo_user("admin"), reference, "accuses a person")
    twilio.send(f"REOPEN {reference} علي حسين ما صلحه")
    with app.app_context():
        assert ticket_of(reference).public_text == HIDDEN_TEXT


def test_the_queue_pages_newest_first_and_its_moderated_list(app):
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            ticket_row(f"Q{n:03d}", created_at=now - timedelta(minutes=n)) for n in range(7)
        )
        db.session.commit()
        first = moderation.texts_to_review(limit=3)
        assert [t.reference for t in first.texts] == ["Q000", "Q001", "Q002"]
        second = moderation.texts_to_review(before=first.older, limit=3)
        assert [t.reference for t in second.texts] == ["Q003", "Q004", "Q005"]
        last = moderation.texts_to_review(before=second.older, limit=3)
        assert ([t.reference for t in last.texts], last.older) == (["Q006"], None)

        admin = demo_user("admin")
        moderation.hide_text(admin, "Q005", "one")
        moderation.redact_text(admin, "Q001", "ماكو …", "two")
        moderated = moderation.texts_to_review(moderated_only=True)
        assert [(t.reference, t.moderation) for t in moderated.texts] == [
            ("Q001", "redacted"),
            ("Q005", "hidden"),
        ]
        assert moderated.texts[0].moderated_by == admin.name
        assert moderated.texts[0].draft == "ماكو …"  # a second redaction starts from the first
        assert moderated.texts[1].draft == "ماكو ماي"  # a hidden text's from what was sent


def test_a_moderator_reads_the_text_sent_with_phone_numbers_masked(app):
    with app.app_context():
        db.session.add(ticket_row("P0001", original_text="ماكو ماي 07801234567 علي"))
        db.session.commit()
        moderation.redact_text(demo_user("admin"), "P0001", "ماكو ماي [•••] …", "a name")
        found = moderation.text_to_review("p0001")
        assert found.sent_text == "ماكو ماي [•••] علي"
        assert [(s.action, s.moderator, s.reason) for s in found.steps] == [
            ("redact", demo_user("admin").name, "a name")
        ]
        assert moderation.text_to_review("ZZZZZ") is None


def photo(ticket: Ticket, age: timedelta, **columns) -> Attachment:
    return Attachment(
        ticket=ticket,
        kind=AttachmentKind.PHOTO,
        content_type="image/jpeg",
        created_at=utcnow() - age,
        **columns,
    )


def test_figures_count_photos_waiting_their_oldest_wait_and_texts_moderated_lately(app):
    now = utcnow()
    with app.app_context():
        assert moderation.figures(now) == moderation.ModerationFigures(0, None, 0)
        tickets = [ticket_row(f"F{n:04d}") for n in range(4)]
        db.session.add_all(tickets)
        db.session.add_all(
            [
                photo(tickets[0], timedelta(hours=3)),
                photo(tickets[1], timedelta(minutes=20)),
                # Not waiting: decided, not yet fetched, a voice note.
                photo(tickets[2], timedelta(days=2), review=Review.APPROVED),
                photo(tickets[2], timedelta(days=3), review=Review.REJECTED),
                photo(tickets[3], timedelta(days=4), fetch=Fetch.WAITING),
                Attachment(ticket=tickets[3], kind=AttachmentKind.AUDIO,
                           content_type="audio/ogg", created_at=now - timedelta(days=5)),
            ]
        )  # fmt: skip
        db.session.commit()
        admin = demo_user("admin")
        for ticket in tickets[:3]:
            moderation.hide_text(admin, ticket.reference, "why")
        ticket = ticket_of(tickets[2].reference)
        ticket.text_moderated_at = now - timedelta(days=8)
        db.session.commit()
        found = moderation.figures(now)
        assert found.photos_waiting == 2
        assert abs(found.oldest_photo_since - (now - timedelta(hours=3))) < timedelta(seconds=5)
        assert found.texts_moderated == 2


def test_an_admin_makes_and_unmakes_moderators(app, staff_user):
    monitor, officer_id = staff_user("monitor"), staff_user("officer").id
    with app.app_context():
        admin = demo_user("admin")
        assert accounts.set_moderator(admin, monitor.id, True).moderator is True
        assert accounts.set_moderator(admin, monitor.id, False).moderator is False
        with pytest.raises(Refused, match="admin_moderates"):
            accounts.set_moderator(admin, admin.id, True)
        officer = db.session.get(User, officer_id)
        accounts.set_user_active(admin, officer.id, False)
        with pytest.raises(Refused, match="moderator_inactive"):
            accounts.set_moderator(admin, officer.id, True)
        assert db.session.get(User, officer.id).moderator is False
        with pytest.raises(NotFound):
            accounts.set_moderator(admin, 999_999, True)
