"""escalation_digest: up to when each manager and governorate account was sent the escalation
digest, so a run repeated tells nothing twice and a missed day is told at the next run

Revision ID: 5e8a341e1ace
Revises: a1f3c5e7b9d2
Create Date: 2026-11-28 02:02:28.997095

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5e8a341e1ace"
down_revision = "a1f3c5e7b9d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "escalation_digest",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_escalation_digest_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_escalation_digest")),
    )


def downgrade():
    op.drop_table("escalation_digest")
