"""Corrections (issue 13): an officer's or admin's change of a ticket's category or
directorate, kept as a labelled example (the citizen's text, before and after, who, when) for
`flask understanding report` and the keywords suggested on the admin's category page; indexed
by time (the report's last N days) and by new category and time (the suggestions)

Revision ID: 245bcbc819ef
Revises: 7c1e5a9d3b20
Create Date: 2026-11-27 16:29:21.304537

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "245bcbc819ef"
down_revision = "7c1e5a9d3b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("old_category", sa.String(length=40), nullable=True),
        sa.Column("new_category", sa.String(length=40), nullable=True),
        sa.Column("old_directorate", sa.String(length=40), nullable=True),
        sa.Column("new_directorate", sa.String(length=40), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_corrections_ticket_id_ticket")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_corrections_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrections_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_corrections_new_category_at", ["new_category", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_corrections_ticket_id"), ["ticket_id"], unique=False)


def downgrade():
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrections_ticket_id"))
        batch_op.drop_index("ix_corrections_new_category_at")
        batch_op.drop_index(batch_op.f("ix_corrections_at"))

    op.drop_table("corrections")
