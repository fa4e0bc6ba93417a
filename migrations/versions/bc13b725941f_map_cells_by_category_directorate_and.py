"""Map cells by category, directorate and district too (issue 11): the map's clusters under
those filters come from the rollups as well, instead of from every ticket the filter picks.
map_cell is made again with them in its primary key, and the rollups are emptied (derived
data): the next `flask rollups-refresh` rebuilds them

Revision ID: bc13b725941f
Revises: 58a95ece6de5
Create Date: 2026-11-27 12:38:35.462595

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "bc13b725941f"
down_revision = "58a95ece6de5"
branch_labels = None
depends_on = None

ROLLUPS = (
    "rollup_state",
    "scorecard_ticket",
    "scorecard_day",
    "scorecard_histogram",
    "scorecard_overdue",
)


def _map_cell(*dimensions):
    op.create_table(
        "map_cell",
        sa.Column("row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("col", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *(
            sa.Column(name, sa.Integer(), autoincrement=False, nullable=False)
            for name in dimensions
        ),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("lat_e3_sum", sa.BigInteger(), nullable=False),
        sa.Column("lon_e3_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("row", "col", "status", *dimensions, name=op.f("pk_map_cell")),
    )


def upgrade():
    for table in ROLLUPS:
        op.execute(f"DELETE FROM {table}")
    op.drop_table("map_cell")
    _map_cell("category_id", "directorate_id", "district_id")


def downgrade():
    for table in ROLLUPS:
        op.execute(f"DELETE FROM {table}")
    op.drop_table("map_cell")
    _map_cell()
