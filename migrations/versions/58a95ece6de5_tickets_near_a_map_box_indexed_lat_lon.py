"""Tickets near a map box (issue 11): ticket (lat, lon) indexed, so the map's single tickets
at street zoom, and its clusters under a filter, read the tickets near the box instead of
every ticket

Revision ID: 58a95ece6de5
Revises: 1b606df079bf
Create Date: 2026-11-27 12:31:22.345301

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "58a95ece6de5"
down_revision = "1b606df079bf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_lat_lon", ["lat", "lon"], unique=False)


def downgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_lat_lon")
