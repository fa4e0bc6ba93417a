"""Officer queue indexes (issue 11): each status of a directorate's queue (or of all of them,
for admins) read in deadline order, (directorate_id, status, due_at, id) and (status, due_at,
id), instead of (directorate_id, status), (directorate_id, due_at, id) and (status), so a page
reads about a page of tickets and the overdue count reads the index alone; on PostgreSQL a
trigram index (pg_trgm) on the reference and the text for the queue's search

Revision ID: 8fd590274178
Revises: d22c2599e778
Create Date: 2026-11-27 12:13:50.519399

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "8fd590274178"
down_revision = "d22c2599e778"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_directorate_due_at"))
        batch_op.drop_index(batch_op.f("ix_ticket_directorate_status"))
        batch_op.drop_index(batch_op.f("ix_ticket_status"))
        batch_op.create_index(
            "ix_ticket_directorate_status_due_at",
            ["directorate_id", "status", "due_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_ticket_status_due_at", ["status", "due_at", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # A trusted extension: the database's owner may create it (docs/deploy.md).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_ticket_search_trgm",
            "ticket",
            ["reference", "original_text"],
            postgresql_using="gin",
            postgresql_ops={"reference": "gin_trgm_ops", "original_text": "gin_trgm_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_ticket_search_trgm", table_name="ticket")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_status_due_at")
        batch_op.drop_index("ix_ticket_directorate_status_due_at")
        batch_op.create_index(batch_op.f("ix_ticket_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ticket_directorate_status"), ["directorate_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ticket_directorate_due_at"),
            ["directorate_id", "due_at", "id"],
            unique=False,
        )
