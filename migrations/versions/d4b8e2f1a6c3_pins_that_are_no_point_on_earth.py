"""Pins stored before intake refused points off the Earth (a WhatsApp Latitude of 1e308
broke every map view and export on PostgreSQL): such a ticket keeps its text and area and
loses only the impossible point, as a new one would

Revision ID: d4b8e2f1a6c3
Revises: 252461dc492d
Create Date: 2026-11-27 12:20:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "d4b8e2f1a6c3"
down_revision = "252461dc492d"
branch_labels = None
depends_on = None


def upgrade():
    ticket = sa.table(
        "ticket",
        sa.column("lat", sa.Float),
        sa.column("lon", sa.Float),
        sa.column("location_method", sa.String),
        sa.column("location_confidence", sa.Float),
    )
    # NOT BETWEEN catches infinities, and NaN, which PostgreSQL orders above every number.
    off_earth = sa.or_(
        ticket.c.lat.is_(None) != ticket.c.lon.is_(None),
        sa.not_(ticket.c.lat.between(-90, 90)),
        sa.not_(ticket.c.lon.between(-180, 180)),
    )
    op.execute(
        sa.update(ticket)
        .where(sa.or_(ticket.c.lat.is_not(None), ticket.c.lon.is_not(None)), off_earth)
        .values(lat=None, lon=None, location_method="none", location_confidence=None)
    )


def downgrade():
    pass  # the impossible points are not kept
