"""Words of this release (issue 13): the dialect's "منهولة" for a manhole, a brick kiln's
smoke ("كور الطابوق", "دخانها"), "mosquitos" as it is often spelt, and the Arabizi for rubble
and for dumping ("an8a9", "6amam"); "الطريق العام", the main road out of a town, names
the highways' service, so its holes are the roads directorate's. Words already there, and
words an admin added, stay. A fresh database is seeded with them already.

Revision ID: 8d2e4f6a1b3c
Revises: 306192146d85
Create Date: 2026-11-27 23:20:00

"""

from alembic import op

from feedback.migration_words import add_category_words

# revision identifiers, used by Alembic.
revision = "8d2e4f6a1b3c"
down_revision = "306192146d85"
branch_labels = None
depends_on = None

ADDED = {
    "sewage-overflow": {"ar": ["منهولة", "المنهولة"]},
    "air-pollution": {"ar": ["دخانها", "كور الطابوق", "كورة الطابوق"]},
    "stray-animals": {"en": ["mosquitos"]},
    "illegal-dumping": {"arabizi": ["an8a9", "6amam"]},
    "bridges-highways": {"subjects": ["الطريق العام"]},
}


def upgrade():
    add_category_words(op.get_bind(), ADDED)


def downgrade():
    """The words stay: each names only its own category's problem."""
