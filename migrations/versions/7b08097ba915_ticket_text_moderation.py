"""ticket.text_moderation, text_moderated_at, text_moderated_by_id (issue 16, point 3): a
moderator may redact or hide a ticket's public text; the ticket says so, so that the public
pages can say "edited by a moderator" and a later change to the original (a citizen's answer
appended) keeps the redaction. The index serves the moderation queue's texts moderated lately
and the admin overview's count of the last 7 days.

Revision ID: 7b08097ba915
Revises: 5e8a341e1ace
Create Date: 2026-11-28 01:59:18.579932

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7b08097ba915"
down_revision = "5e8a341e1ace"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_moderation", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("text_moderated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("text_moderated_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_ticket_text_moderated_at", ["text_moderated_at", "id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_ticket_text_moderated_by_id_user"),
            "user",
            ["text_moderated_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_ticket_text_moderated_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_index("ix_ticket_text_moderated_at")
        batch_op.drop_column("text_moderated_by_id")
        batch_op.drop_column("text_moderated_at")
        batch_op.drop_column("text_moderation")
