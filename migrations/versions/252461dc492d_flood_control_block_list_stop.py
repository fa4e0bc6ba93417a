"""Flood control (issue 10, defect 5): a message past its sender's limit is kept and marked
(message.handling) instead of opening a ticket, the sender's recent messages counted by
(from_number, created_at); an SMS past its recipient's daily allowance is held for the next
day (outbox.held_until) or dropped, and why is kept for admins (outbox.withheld); admins'
blocks on numbers, kept with who, when and why after they are lifted (number_block); the
numbers that texted STOP, sent no notices until START (notice_stop)

Revision ID: 252461dc492d
Revises: c3a9d1e0f7b2
Create Date: 2026-11-27 11:05:29.140132

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "252461dc492d"
down_revision = "c3a9d1e0f7b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handling", sa.String(length=20), nullable=True))
        batch_op.create_index(
            "ix_message_from_number_created_at", ["from_number", "created_at"], unique=False
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withheld", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_withheld"), ["withheld"], unique=False)

    op.create_table(
        "number_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("blocked_by_id", sa.Integer(), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unblocked_by_id", sa.Integer(), nullable=True),
        sa.Column("unblocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["blocked_by_id"], ["user.id"], name=op.f("fk_number_block_blocked_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["unblocked_by_id"], ["user.id"], name=op.f("fk_number_block_unblocked_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_block")),
    )
    with op.batch_alter_table("number_block", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_number_block_number"), ["number"], unique=False)

    op.create_table(
        "notice_stop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_stop")),
        sa.UniqueConstraint("number", name=op.f("uq_notice_stop_number")),
    )


def downgrade():
    op.drop_table("notice_stop")
    with op.batch_alter_table("number_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_number_block_number"))

    op.drop_table("number_block")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_withheld"))
        batch_op.drop_column("held_until")
        batch_op.drop_column("withheld")

    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_from_number_created_at")
        batch_op.drop_column("handling")
