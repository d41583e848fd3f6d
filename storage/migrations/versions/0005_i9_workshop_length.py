"""workshop length (short or full preparation); where to return after changing one answer

Revision ID: 0005_i9
Revises: 0004_i13
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_i9"
down_revision: str | None = "0004_i13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        # Existing workshops keep the whole hand-out they were created with; new ones default to short.
        batch_op.add_column(
            sa.Column("length", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="full")
        )
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.alter_column("length", server_default="short")
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_to", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column("choosing", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("positions", schema=None) as batch_op:
        batch_op.drop_column("choosing")
        batch_op.drop_column("return_to")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("length")
