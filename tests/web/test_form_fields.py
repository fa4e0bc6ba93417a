"""templates/_forms.html: every form shows a field the same way, its input tied to its hint
and errors for screen readers."""

import re

from flask import render_template_string
from wtforms import BooleanField, Form, StringField

FIELD = (
    '{% from "_forms.html" import field %}'
    '{{ field(form.name, hint="Shown publicly.", dir="auto") }}'
)


class NameForm(Form):
    name = StringField("Name")
    public = BooleanField("Public")


def test_a_field_has_its_label_hint_and_errors_tied_to_the_input(app):
    form = NameForm()
    form.name.errors = ["Too long.", "Not a name."]
    with app.test_request_context():
        html = render_template_string(FIELD, form=form)
    assert '<label for="name">Name</label>' in html
    assert 'aria-describedby="name-hint name-error"' in html and 'aria-invalid="true"' in html
    assert 'dir="auto"' in html and '<p class="hint" id="name-hint">Shown publicly.</p>' in html
    assert re.search(r'id="name-error">(<p class="field-error">[^<]+</p>){2}</div>', html)
    assert 'class="field has-error"' in html


def test_a_valid_field_and_a_checkbox(app):
    source = '{% from "_forms.html" import field %}{{ field(form.name) }}{{ field(form.public) }}'
    with app.test_request_context():
        html = render_template_string(source, form=NameForm())
    assert "aria-" not in html and "field-error" not in html
    assert re.search(
        r'<div class="field check">\s*<label for="public"><input[^>]+> Public</label>', html
    )
