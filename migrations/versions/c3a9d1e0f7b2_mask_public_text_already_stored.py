"""Mask the public text already stored: complaint copies were masked by a weaker rule and
officers' answers, transfer reasons and monitors' notes not at all (issue 9, defects 5-6);
new rows are masked when written, this brings old ones in line

Revision ID: c3a9d1e0f7b2
Revises: bf0114ba601e
Create Date: 2026-11-27 11:10:00

"""

from alembic import op
import sqlalchemy as sa

from feedback.domain.text import mask_phone_numbers

# revision identifiers, used by Alembic.
revision = "c3a9d1e0f7b2"
down_revision = "bf0114ba601e"
branch_labels = None
depends_on = None

BATCH = 1000


def _remask(table: str, source: str, target: str) -> None:
    """target = masked(source), a batch of rows at a time, only where it changes."""
    rows = sa.table(table, sa.column("id"), sa.column(source), sa.column(target))
    connection = op.get_bind()
    last = 0
    while True:
        batch = connection.execute(
            sa.select(rows.c.id, rows.c[source], rows.c[target])
            .where(rows.c.id > last, rows.c[source].is_not(None))
            .order_by(rows.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        for row_id, text, stored in batch:
            masked = mask_phone_numbers(text)
            if masked != stored:
                connection.execute(
                    sa.update(rows).where(rows.c.id == row_id).values({target: masked})
                )
        last = batch[-1][0]


def upgrade():
    _remask("ticket", "original_text", "public_text")
    _remask("ticket_event", "public_message", "public_message")


def downgrade():
    pass  # the unmasked text is not kept for public messages; nothing to restore
