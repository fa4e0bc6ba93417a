"""Scorecard rollups by channel (issue 16, point 4): each ticket's facts keep the channel it
came by (SMS, WhatsApp, the web form, in person, by phone, ...), and the per-day counts, the
histograms and the overdue backlog are counted per channel too (channel in their primary
key), so /stats can filter by a channel and split each group by channel from the rollups.
The day and histogram rows of every channel together stay, under the channel "*", and the
channel comes before the day or the month in their keys, so the scorecards of every channel
read the rows they read before; the indexes the percentiles and the loose days read carry
the channel last, so a channel's figures are read from them alone. The rollups are derived
data: they are emptied here (NOT NULL columns need no made-up value) and the next `flask
rollups-refresh` rebuilds them whole; until then the scorecards are computed from the
tickets.

Revision ID: 8bd61e7178df
Revises: 7b08097ba915
Create Date: 2026-11-28 02:20:11.180314

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8bd61e7178df"
down_revision = "7b08097ba915"
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
# Each counting table's primary key before this revision, and after.
KEYS = {
    "scorecard_day": (
        ("grouping", "day", "group_id"),
        ("grouping", "channel", "day", "group_id"),
    ),
    "scorecard_histogram": (
        ("grouping", "measure", "span", "start", "group_id", "bucket"),
        ("grouping", "measure", "channel", "span", "start", "group_id", "bucket"),
    ),
    "scorecard_overdue": (("grouping", "group_id"), ("grouping", "group_id", "channel")),
}
GROUPS = ("directorate", "category", "district")


def _fact_indexes() -> dict[str, list[str]]:
    """scorecard_ticket's indexes before this revision (feedback.models.rollups)."""
    indexes = {
        "ix_scorecard_ticket_day": [
            "day",
            *(f"{group}_id" for group in GROUPS),
            "ack_bucket",
            "resolve_bucket",
        ]
    }
    for measure in ("ack", "resolve"):
        for group in (*GROUPS, None):
            columns = [f"{group}_id"] if group else []
            columns += [f"{measure}_bucket", f"{measure}_seconds", "day"]
            indexes[f"ix_scorecard_ticket_{measure}_{group or 'all'}"] = columns
    return indexes


def _empty_rollups():
    for table in ROLLUP_TABLES:
        op.execute(sa.text(f"DELETE FROM {table}"))


def upgrade():
    _empty_rollups()
    for table, (_, key) in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=False))
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.create_primary_key(f"pk_{table}", list(key))

    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=False))
        for name, columns in _fact_indexes().items():
            batch_op.drop_index(name)
            batch_op.create_index(name, [*columns, "channel"], unique=False)


def downgrade():
    _empty_rollups()
    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        for name, columns in _fact_indexes().items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)
        batch_op.drop_column("channel")

    for table, (key, _) in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"pk_{table}", type_="primary")
            batch_op.create_primary_key(f"pk_{table}", list(key))
            batch_op.drop_column("channel")
