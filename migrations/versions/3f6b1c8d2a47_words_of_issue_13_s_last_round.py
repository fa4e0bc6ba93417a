"""Words of this release (issue 13): holes on a named bridge are the bridge's (the
bridges-and-highways category's generic list gains the words for holes and sinking road, so
that "الجسر كله حفر" goes to the roads directorate's bridges and not to the municipality's
streets), and "ماكو وطنية" (the grid, without its article) is a power cut. Words already
there, and words an admin added, stay. A fresh database is seeded with them already.

Revision ID: 3f6b1c8d2a47
Revises: 245bcbc819ef
Create Date: 2026-11-27 20:20:00

"""

from alembic import op

from feedback.migration_words import add_category_words

# revision identifiers, used by Alembic.
revision = "3f6b1c8d2a47"
down_revision = "245bcbc819ef"
branch_labels = None
depends_on = None

ADDED = {
    "bridges-highways": {
        "generic": [
            "حفر", "حفره", "حفرة", "طسات", "طسة", "تخسف", "تخسفات", "التخسفات", "هبوط",
            "هبوطات", "pothole", "potholes", "holes", "sinkhole", "6asat", "6assat", "tasat",
            "7ufar", "hufar",
        ]
    },
    "electricity-outage": {"ar": ["وطنيه"]},
}  # fmt: skip


def upgrade():
    add_category_words(op.get_bind(), ADDED)


def downgrade():
    """The words stay: they only ever count for a bridge the message names."""
