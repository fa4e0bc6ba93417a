"""Words of this release (issue 13): holes on a named bridge are the bridge's (the
bridges-and-highways category's generic list gains the words for holes and sinking road, so
that "الجسر كله حفر" goes to the roads directorate's bridges and not to the municipality's
streets), and "ماكو وطنية" (the grid, without its article) is a power cut. Words already
there, and words an admin added, stay. A fresh database is seeded with them already.

Revision ID: 3f6b1c8d2a47
Revises: 245bcbc819ef
Create Date: 2026-11-27 20:20:00

"""

import json

import sqlalchemy as sa
from alembic import op

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
    connection = op.get_bind()
    categories = sa.table(
        "category", sa.column("id"), sa.column("code"), sa.column("keywords", sa.JSON)
    )
    changed = False
    for row in connection.execute(
        sa.select(categories.c.id, categories.c.code, categories.c.keywords).where(
            categories.c.code.in_(sorted(ADDED))
        )
    ):
        stored = (
            row.keywords if isinstance(row.keywords, dict) else json.loads(row.keywords or "{}")
        )
        merged = dict(stored)
        for name, words in ADDED[row.code].items():
            listed = list(stored.get(name, ()))
            merged[name] = listed + [word for word in words if word not in listed]
        if merged != stored:
            connection.execute(
                categories.update().where(categories.c.id == row.id).values(keywords=merged)
            )
            changed = True
    if changed:
        version = sa.table("reference_data_version", sa.column("id"), sa.column("version"))
        connection.execute(version.update().values(version=version.c.version + 1))


def downgrade():
    """The words stay: they only ever count for a bridge the message names."""
