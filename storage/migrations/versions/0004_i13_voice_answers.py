"""voice answers: the audio table

Revision ID: 0004_i13
Revises: 0003_i8c
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004_i13'
down_revision: str | None = '0003_i8c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('answer_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('file_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('file_unique_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('mime_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=True),
    sa.Column('transcribed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audio', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audio_participant_id'), ['participant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audio', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audio_participant_id'))
    op.drop_table('audio')
