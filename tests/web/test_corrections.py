"""Learning from officers, end to end in Arabic and English: complaints come in through the
signed Twilio webhook and the parser files them under the wrong category (a water leak); the
water officer corrects them on the ticket page (illegal dumping), which moves them to the
municipality;
`flask understanding report` counts the corrections, the parser's accuracy on them and the word
that misled it; the admin sees the word officers' texts share on the category page, and only
once it is accepted does the next such message reach the right category."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Category, Correction, Ticket
from feedback.services import reference_changes
from tests.conftest import AuthActions, csrf_from
from tests.factories import sms_ticket


@dataclass(frozen=True)
class Journey:
    language: str
    texts: tuple[str, str]  # a slaughterhouse's blood in a pipe: read as a water leak
    reason: str
    misleading: str  # the word that sent them to water-leak
    suggestion: str  # the word the two texts share
    next_text: str  # the next complaint about it, with only the new keyword
    officer_heading: str
    admin_heading: str


JOURNEYS = [
    Journey(
        language="ar",
        texts=("المجزرة تذب الدم بالبوري يم بيوتنا بالعشار", "دم المجزرة يطلع من البوري بالعشار"),
        reason="الدم من المجزرة مو من بوري الماي",
        misleading="بوري",
        suggestion="مجزرة",
        next_text="المجزرة بالعشار رجعت",
        officer_heading="نوع المشكلة خطأ؟",
        admin_heading="كلمات مفتاحية مقترحة",
    ),
    Journey(
        language="en",
        texts=(
            "The slaughterhouse empties its blood into the broken pipe near our houses in Ashar",
            "Blood from the slaughterhouse in Ashar runs through the pipe by our door",
        ),
        reason="The blood comes from the slaughterhouse, not from a water pipe",
        misleading="pipe",
        suggestion="slaughterhouse",
        next_text="the slaughterhouse in Ashar again",
        officer_heading="Wrong category?",
        admin_heading="Suggested keywords",
    ),
]
SENDERS = ("+9647801111111", "+9647802222222", "+9647803333333")


def ticket(app, reference: str) -> tuple[str | None, str | None]:
    """The ticket's category and directorate codes."""
    with app.app_context():
        found = db.session.scalar(sa.select(Ticket).where(Ticket.reference == reference))
        return (
            found.category.code if found.category else None,
            found.directorate.code if found.directorate else None,
        )


def staff_client(app, username: str, language: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert AuthActions(client).login(username).status_code == 302
    return client


@pytest.mark.usefixtures("restore_reference_data")
@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda journey: journey.language)
def test_an_officers_correction_is_kept_reported_and_teaches_the_parser_once_accepted(
    app, twilio, runner, journey
):
    references = [
        sms_ticket(twilio, text, sender=sender)
        for text, sender in zip(journey.texts, SENDERS, strict=False)
    ]
    assert [ticket(app, r) for r in references] == [("water-leak", "water")] * 2

    officer = staff_client(app, "officer.water", journey.language)
    for reference in references:
        page = officer.get(f"/officer/t/{reference}").get_data(as_text=True)
        assert journey.officer_heading in page
        response = officer.post(
            f"/officer/t/{reference}/category",
            data={
                "csrf_token": csrf_from(officer, f"/officer/t/{reference}"),
                "category": "illegal-dumping",
                "reason": journey.reason,
            },
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/officer/"  # the ticket left this queue
        assert officer.get(f"/officer/t/{reference}").status_code == 404
    assert [ticket(app, r) for r in references] == [("illegal-dumping", "municipality")] * 2

    with app.app_context():
        kept = [
            (c.ticket.reference, c.text, c.kind, c.old_category, c.new_category, c.user.username)
            for c in db.session.scalars(sa.select(Correction).order_by(Correction.id))
        ]
    assert kept == [
        (reference, text, "category", "water-leak", "illegal-dumping", "officer.water")
        for reference, text in zip(references, journey.texts, strict=True)
    ]
    public = app.test_client().get(f"/t/{references[0]}").get_data(as_text=True)
    assert "Zainab" not in public  # the category change is public, the officer's name is not

    result = runner.invoke(args=["understanding", "report", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Corrections in the last 30 days: 2" in result.output
    assert "The parser now agrees with 0 of 2 (0.0%)." in result.output
    assert "water-leak -> illegal-dumping: 2, parser right on 0" in result.output
    assert f"  {journey.misleading}: 2, water-leak" in result.output

    admin = staff_client(app, "admin", journey.language)
    page = admin.get("/admin/categories/illegal-dumping/edit").get_data(as_text=True)
    assert journey.admin_heading in page
    assert f'name="word" value="{journey.suggestion}"' in page
    # Nothing has changed the parser yet: the next such message is still not understood.
    waiting = sms_ticket(twilio, journey.next_text, sender=SENDERS[2])
    assert ticket(app, waiting)[0] != "illegal-dumping"

    response = admin.post(
        "/admin/categories/illegal-dumping/keywords",
        data={
            "csrf_token": csrf_from(admin, "/admin/categories/illegal-dumping/edit"),
            "word": journey.suggestion,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        keywords = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "illegal-dumping")
        )
    assert journey.suggestion in keywords[journey.language]
    page = admin.get("/admin/categories/illegal-dumping/edit").get_data(as_text=True)
    assert f'name="word" value="{journey.suggestion}"' not in page  # a keyword now

    understood = sms_ticket(twilio, journey.next_text, sender="+9647804444444")
    assert ticket(app, understood) == ("illegal-dumping", "municipality")


@pytest.mark.usefixtures("restore_reference_data")
def test_a_dismissed_suggestion_is_not_offered_again_and_reads_nothing(app, twilio):
    """An admin who judges a suggested word no keyword ("slaughterhouse" for dumping, say)
    says so once; the parser is not changed, and the word does not come back."""
    journey = JOURNEYS[1]
    officer = staff_client(app, "officer.water", "en")
    for text, sender in zip(journey.texts, SENDERS, strict=False):
        reference = sms_ticket(twilio, text, sender=sender)
        officer.post(
            f"/officer/t/{reference}/category",
            data={
                "csrf_token": csrf_from(officer, f"/officer/t/{reference}"),
                "category": "illegal-dumping",
                "reason": journey.reason,
            },
        )
    admin = staff_client(app, "admin", "en")
    edit = "/admin/categories/illegal-dumping/edit"
    offered = f'name="word" value="{journey.suggestion}"'
    assert offered in admin.get(edit).get_data(as_text=True)
    with app.app_context():
        before = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "illegal-dumping")
        )

    response = admin.post(
        "/admin/categories/illegal-dumping/keywords/dismiss",
        data={"csrf_token": csrf_from(admin, edit), "word": journey.suggestion},
    )
    assert response.status_code == 303
    page = admin.get(edit).get_data(as_text=True)
    assert offered not in page
    assert "will not be suggested again" in page
    with app.app_context():
        after = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "illegal-dumping")
        )
    assert after["dismissed"] == [journey.suggestion]
    assert {name: after[name] for name in before} == before  # no list the parser reads changed
    understood = sms_ticket(twilio, journey.next_text, sender=SENDERS[2])
    assert ticket(app, understood)[0] != "illegal-dumping"
    # Dismissed here is no keyword here: another category may still take the word.
    with app.app_context():
        reference_changes.add_keyword("health-facility", journey.suggestion)


def test_the_officer_page_offers_the_active_categories_but_the_tickets_own(
    app, twilio, auth, client
):
    reference = sms_ticket(twilio, "الماي مالح بحي الحسين")
    auth.login("officer.water")
    page = client.get(f"/officer/t/{reference}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    form = page[page.index(f"/officer/t/{reference}/category") :]
    form = form[: form.index("</form>")]
    assert 'value="water-leak"' in form and 'value="illegal-dumping"' in form
    assert 'value="water-quality"' not in form


def test_a_change_without_a_reason_is_refused_and_keeps_nothing(app, twilio, auth, client):
    reference = sms_ticket(twilio, "الماي مالح بحي الحسين")
    auth.login("officer.water")
    response = client.post(
        f"/officer/t/{reference}/category",
        data={"csrf_token": csrf_from(client, "/officer/"), "category": "water-leak"},
    )
    assert response.status_code == 303
    assert ticket(app, reference) == ("water-quality", "water")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Correction.id))) == 0


@pytest.mark.parametrize("username", ["officer.water", "officer.electricity", "monitor"])
def test_only_an_admin_may_accept_a_keyword(app, client, auth, username):
    auth.login(username)
    response = client.post(
        "/admin/categories/illegal-dumping/keywords",
        data={"csrf_token": csrf_from(client, "/account/password"), "word": "مجزرة"},
    )
    assert response.status_code == 403
    with app.app_context():
        keywords = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "illegal-dumping")
        )
    assert "مجزرة" not in keywords["ar"]


@pytest.mark.usefixtures("restore_reference_data")
def test_a_keyword_another_category_has_is_refused_on_the_page(app):
    admin = staff_client(app, "admin", "en")
    response = admin.post(
        "/admin/categories/illegal-dumping/keywords",
        data={"csrf_token": csrf_from(admin, "/admin/"), "word": "pipe"},
        follow_redirects=True,
    )
    assert "already a keyword of the category water-leak" in response.get_data(as_text=True)
    with app.app_context():
        keywords = db.session.scalar(
            sa.select(Category.keywords).where(Category.code == "illegal-dumping")
        )
    assert "pipe" not in keywords["en"]
