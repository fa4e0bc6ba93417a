"""Holes on a named bridge are the bridge's (issue 13): the bridges-and-highways category's
generic list gains the words for holes and sinking road, so that "الجسر كله حفر" goes to
the roads directorate's bridges and not to the municipality's streets. Words already there,
and words an admin added, stay. A fresh database is seeded with them already.

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

HOLES = [
    "حفر", "حفره", "حفرة", "طسات", "طسة", "تخسف", "تخسفات", "التخسفات", "هبوط", "هبوطات",
    "pothole", "potholes", "holes", "sinkhole", "6asat", "6assat", "tasat", "7ufar", "hufar",
]  # fmt: skip


def upgrade():
    connection = op.get_bind()
    categories = sa.table(
        "category", sa.column("id"), sa.column("code"), sa.column("keywords", sa.JSON)
    )
    row = connection.execute(
        sa.select(categories.c.id, categories.c.keywords).where(
            categories.c.code == "bridges-highways"
        )
    ).first()
    if row is None:
        return
    stored = row.keywords if isinstance(row.keywords, dict) else json.loads(row.keywords or "{}")
    generic = list(stored.get("generic", ()))
    missing = [word for word in HOLES if word not in generic]
    if not missing:
        return
    connection.execute(
        categories.update()
        .where(categories.c.id == row.id)
        .values(keywords={**stored, "generic": generic + missing})
    )
    version = sa.table("reference_data_version", sa.column("id"), sa.column("version"))
    connection.execute(version.update().values(version=version.c.version + 1))


def downgrade():
    """The words stay: they only ever count for a bridge the message names."""
