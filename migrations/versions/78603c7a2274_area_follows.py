"""area_follow and follow_notice (issue 16, point 5): numbers following an area by SMS
(FOLLOW <area>), and each piece of incident news queued to one, which its daily cap counts

Revision ID: 78603c7a2274
Revises: df092ea96dbd
Create Date: 2026-11-27 23:58:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "78603c7a2274"
down_revision = "df092ea96dbd"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "area_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_area_follow_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_follow")),
        sa.UniqueConstraint("number", "area_id", name=op.f("uq_area_follow_number_area_id")),
    )
    op.create_index(op.f("ix_area_follow_area_id"), "area_follow", ["area_id"], unique=False)
    op.create_index(op.f("ix_area_follow_number"), "area_follow", ["number"], unique=False)
    op.create_table(
        "follow_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_follow_notice_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_follow_notice_outbox_id_outbox")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_notice")),
    )
    op.create_index(
        "ix_follow_notice_number_created_at",
        "follow_notice",
        ["number", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_follow_notice_incident_id"), "follow_notice", ["incident_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_follow_notice_incident_id"), table_name="follow_notice")
    op.drop_index("ix_follow_notice_number_created_at", table_name="follow_notice")
    op.drop_table("follow_notice")
    op.drop_index(op.f("ix_area_follow_number"), table_name="area_follow")
    op.drop_index(op.f("ix_area_follow_area_id"), table_name="area_follow")
    op.drop_table("area_follow")
