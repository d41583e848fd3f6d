"""answer translations: machine translations of typed answers, kept with the answer

Revision ID: 0006_i10b
Revises: 0005_i9
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006_i10b'
down_revision: str | None = '0005_i9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('answer_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('answer_id', 'language')
    )
    with op.batch_alter_table('answer_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_translations_answer_id'), ['answer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('answer_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_translations_answer_id'))
    op.drop_table('answer_translations')
