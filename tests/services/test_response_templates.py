"""Response templates: admins' changes are kept whole or refused; an officer is offered only the
active templates of the ticket's directorate, in the language the citizen wrote in."""

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Directorate, Ticket
from feedback.models.responses import ResponseTemplate
from feedback.services import response_templates as templates
from feedback.services.errors import NotFound, Refused

NEW = templates.TemplateChange(
    "water", "انقطاع مبرمج · Planned cut", "قطع مبرمج للصيانة", "A planned cut"
)


def directorate_id(code: str) -> int:
    return db.session.scalar(sa.select(Directorate.id).where(Directorate.code == code))


def test_the_seed_gives_the_demo_directorates_templates_in_both_languages(app):
    with app.app_context():
        for code in ("water", "electricity"):
            offered = templates.templates_for(directorate_id(code))
            assert len(offered) >= 2
            assert all(t.body_ar and t.body_en and t.body_ar != t.body_en for t in offered)


def test_create_edit_and_retire(app, restore_response_templates):
    with app.app_context():
        made = templates.create_template(NEW)
        assert made in templates.templates_for(directorate_id("water"))
        changed = templates.update_template(
            made.id, templates.TemplateChange("electricity", " T ", " ع ", " e ")
        )
        assert (changed.directorate.code, changed.title, changed.body_ar) == (
            "electricity",
            "T",
            "ع",
        )
        templates.set_template_active(made.id, False)
        assert made not in templates.templates_for(directorate_id("electricity"))
        assert made in templates.list_templates()  # kept for the record


def test_an_unknown_directorate_is_refused_and_nothing_is_kept(app, restore_response_templates):
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(ResponseTemplate.id)))
        with pytest.raises(Refused) as refused:
            templates.create_template(templates.TemplateChange("nowhere", "t", "ع", "e"))
        assert refused.value.field == "directorate"
        assert db.session.scalar(sa.select(sa.func.count(ResponseTemplate.id))) == before
        with pytest.raises(NotFound):
            templates.set_template_active(999_999, False)


def test_a_ticket_may_use_only_an_active_template_of_its_directorate(
    app, twilio, restore_response_templates
):
    twilio.send("ماكو ماي بحي الحسين")
    with app.app_context():
        ticket = db.session.scalar(sa.select(Ticket))
        water = templates.templates_for(directorate_id("water"))[0]
        power = templates.templates_for(directorate_id("electricity"))[0]
        assert templates.template_for(ticket, water.id).body("ar") == water.body_ar
        with pytest.raises(NotFound):
            templates.template_for(ticket, power.id)
        templates.set_template_active(water.id, False)
        with pytest.raises(NotFound):
            templates.template_for(ticket, water.id)
