"""transcript translations: machine translations of automatic transcripts, kept on the recording

Revision ID: 0008_i13b
Revises: 0007_i8
Create Date: 2026-11-30 16:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008_i13b'
down_revision: str | None = '0007_i8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audio', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transcript_translations', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audio', schema=None) as batch_op:
        batch_op.drop_column('transcript_translations')
