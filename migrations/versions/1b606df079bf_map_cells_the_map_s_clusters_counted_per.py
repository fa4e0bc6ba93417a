"""Map cells (issue 11): the map's clusters counted per cell of its finest grid and status at
each rollup refresh (map_cell), and each ticket's status and public point in its facts
(scorecard_ticket), so a cluster request reads the cells it shows and the tickets changed
since. The rollups are emptied (derived data): the next `flask rollups-refresh` rebuilds them

Revision ID: 1b606df079bf
Revises: 8fd590274178
Create Date: 2026-11-27 12:18:24.515585

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "1b606df079bf"
down_revision = "8fd590274178"
branch_labels = None
depends_on = None

ROLLUPS = (
    "rollup_state",
    "scorecard_ticket",
    "scorecard_day",
    "scorecard_histogram",
    "scorecard_overdue",
)


def upgrade():
    for table in ROLLUPS:
        op.execute(f"DELETE FROM {table}")
    op.create_table(
        "map_cell",
        sa.Column("row", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("col", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("lat_e3_sum", sa.BigInteger(), nullable=False),
        sa.Column("lon_e3_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("row", "col", "status", name=op.f("pk_map_cell")),
    )
    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False))
        batch_op.add_column(sa.Column("lat_e3", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("lon_e3", sa.Integer(), nullable=True))


def downgrade():
    for table in ROLLUPS:
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        batch_op.drop_column("lon_e3")
        batch_op.drop_column("lat_e3")
        batch_op.drop_column("status")

    op.drop_table("map_cell")
