"""Scorecard rollups (issue 11): per ticket the scorecards' facts (durations in seconds and
in ordered buckets, flags, directorate/category/district), per group and day the counts, per
group, month or week and bucket the number of durations, and the overdue backlog, all
refreshed by `flask rollups-refresh`, so /stats reads thousands of rows instead of every
ticket; ticket.updated_at indexed, for the refresh to find what changed. Derived data only:
empty after the upgrade, filled by the first refresh

Revision ID: d22c2599e778
Revises: d4b8e2f1a6c3
Create Date: 2026-11-27 12:05:27.533300

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d22c2599e778"
down_revision = "d4b8e2f1a6c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_ticket_id", sa.Integer(), nullable=False),
        sa.Column("reference_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_state")),
    )
    op.create_table(
        "scorecard_day",
        sa.Column("grouping", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("ack_24h", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("within_sla", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("disputed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grouping", "day", "group_id", name=op.f("pk_scorecard_day")),
    )
    op.create_table(
        "scorecard_histogram",
        sa.Column("grouping", sa.String(length=12), nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("span", sa.String(length=5), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "grouping",
            "measure",
            "span",
            "start",
            "group_id",
            "bucket",
            name=op.f("pk_scorecard_histogram"),
        ),
    )
    op.create_table(
        "scorecard_overdue",
        sa.Column("grouping", sa.String(length=12), nullable=False),
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("grouping", "group_id", name=op.f("pk_scorecard_overdue")),
    )
    op.create_table(
        "scorecard_ticket",
        sa.Column("ticket_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("directorate_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("ack_seconds", sa.BigInteger(), nullable=True),
        sa.Column("resolve_seconds", sa.BigInteger(), nullable=True),
        sa.Column("ack_bucket", sa.Integer(), nullable=True),
        sa.Column("resolve_bucket", sa.Integer(), nullable=True),
        sa.Column("ack_24h", sa.SmallInteger(), nullable=False),
        sa.Column("resolved", sa.SmallInteger(), nullable=False),
        sa.Column("within_sla", sa.SmallInteger(), nullable=False),
        sa.Column("reopened", sa.SmallInteger(), nullable=False),
        sa.Column("disputed", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_scorecard_ticket")),
    )
    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scorecard_ticket_ack_all", ["ack_bucket", "ack_seconds", "day"], unique=False
        )
        batch_op.create_index(
            "ix_scorecard_ticket_ack_category",
            ["category_id", "ack_bucket", "ack_seconds", "day"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scorecard_ticket_ack_directorate",
            ["directorate_id", "ack_bucket", "ack_seconds", "day"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scorecard_ticket_ack_district",
            ["district_id", "ack_bucket", "ack_seconds", "day"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scorecard_ticket_day",
            ["day", "directorate_id", "category_id", "district_id", "ack_bucket", "resolve_bucket"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scorecard_ticket_resolve_all",
            ["resolve_bucket", "resolve_seconds", "day"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scorecard_ticket_resolve_category",
            ["category_id", "resolve_bucket", "resolve_seconds", "day"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scorecard_ticket_resolve_directorate",
            ["directorate_id", "resolve_bucket", "resolve_seconds", "day"],
            unique=False,
        )
        batch_op.create_index(
            "ix_scorecard_ticket_resolve_district",
            ["district_id", "resolve_bucket", "resolve_seconds", "day"],
            unique=False,
        )

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_updated_at"), ["updated_at"], unique=False)


def downgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_updated_at"))

    with op.batch_alter_table("scorecard_ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_scorecard_ticket_resolve_district")
        batch_op.drop_index("ix_scorecard_ticket_resolve_directorate")
        batch_op.drop_index("ix_scorecard_ticket_resolve_category")
        batch_op.drop_index("ix_scorecard_ticket_resolve_all")
        batch_op.drop_index("ix_scorecard_ticket_day")
        batch_op.drop_index("ix_scorecard_ticket_ack_district")
        batch_op.drop_index("ix_scorecard_ticket_ack_directorate")
        batch_op.drop_index("ix_scorecard_ticket_ack_category")
        batch_op.drop_index("ix_scorecard_ticket_ack_all")

    op.drop_table("scorecard_ticket")
    op.drop_table("scorecard_overdue")
    op.drop_table("scorecard_histogram")
    op.drop_table("scorecard_day")
    op.drop_table("rollup_state")
