"""Fix confirmation by SMS (issue 15, point 1): a ticket remembers since when the citizen's
answer to "is it fixed?" is awaited (fix_asked_at) and whether a "not fixed" put it first in
its officers' queue (priority); the scorecards' rollups count the tickets asked, confirmed
fixed and said not fixed. The rollups are derived data: they are emptied here (NOT NULL
columns need no made-up value) and the next `flask rollups-refresh` rebuilds them whole;
until then the scorecards are computed from the tickets.

Revision ID: df092ea96dbd
Revises: 661ed1e2744e
Create Date: 2026-11-27 22:36:22.370481

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "df092ea96dbd"
down_revision = "661ed1e2744e"
branch_labels = None
depends_on = None

ROLLUP_TABLES = (
    "rollup_state",
    "scorecard_ticket",
    "scorecard_day",
    "scorecard_histogram",
    "scorecard_overdue",
    "map_cell",
)
COUNTS = ("fix_asked", "confirmed_fixed", "not_fixed")


def _empty_rollups():
    for table in ROLLUP_TABLES:
        op.execute(sa.text(f"DELETE FROM {table}"))


def upgrade():
    _empty_rollups()
    with op.batch_alter_table("scorecard_day", schema=None) as batch_op:
        for name in COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False))

    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        for name in COUNTS:
            batch_op.add_column(sa.Column(name, sa.SmallInteger(), nullable=False))

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fix_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("priority", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_ticket_fix_asked_at"), ["fix_asked_at"], unique=False)


def downgrade():
    _empty_rollups()
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_fix_asked_at"))
        batch_op.drop_column("priority")
        batch_op.drop_column("fix_asked_at")

    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        for name in reversed(COUNTS):
            batch_op.drop_column(name)

    with op.batch_alter_table("scorecard_day", schema=None) as batch_op:
        for name in reversed(COUNTS):
            batch_op.drop_column(name)
