"""The parsers built from the reference tables read a message the same whatever order the
database returns the rows in (PostgreSQL moves an updated row to the end of its table)."""

import pytest
import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Category
from feedback.services.parser_cache import load_knowledge, reference_data_changed

CLOSE_CALL = "انقطاع بالعشار من الصبح"  # a cut: of water or of power, equally


@pytest.mark.usefixtures("restore_reference_data")
def test_a_close_call_reads_the_same_after_a_category_is_updated(app):
    with app.app_context():
        before = load_knowledge().classifier.classify(CLOSE_CALL)
        water = db.session.scalar(sa.select(Category).where(Category.code == "water-supply"))
        water.sla_hours += 1
        reference_data_changed()
        db.session.commit()
        after = load_knowledge().classifier.classify(CLOSE_CALL)
    assert (before.code, before.runner_up) == ("water-supply", "electricity-outage")
    assert (after.code, after.runner_up) == (before.code, before.runner_up)
