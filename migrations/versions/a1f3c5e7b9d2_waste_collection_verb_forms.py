"""Words of this release (issue 13): the other forms of "not picked up", which the list had
only as "ما انشالت" and "ما تنشال": "ما انشال" (of rubbish, masculine), "ما ينشال",
"ماينشال", "ماتنشال", "ما انشالو". Words already there, and words an admin added, stay. A
fresh database is seeded with them already.

Revision ID: a1f3c5e7b9d2
Revises: 6a4c12eb2910
Create Date: 2026-11-28 02:30:00

"""

from alembic import op

from feedback.migration_words import add_category_words

# revision identifiers, used by Alembic.
revision = "a1f3c5e7b9d2"
down_revision = "6a4c12eb2910"
branch_labels = None
depends_on = None

ADDED = {
    "waste-collection": {"ar": ["ما انشال", "ما ينشال", "ماينشال", "ماتنشال", "ما انشالو"]},
}


def upgrade():
    add_category_words(op.get_bind(), ADDED)


def downgrade():
    """The words stay: each names only its own category's problem."""
