"""privacy: retention, closing, invite revocation, the pack-name choice; no facilitator name

Revision ID: 0009_i11
Revises: 0008_i13b
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_i11"
down_revision: str | None = "0008_i13b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("facilitator_name")  # a Telegram full name nothing used
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), nullable=False, server_default="30"))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retention_warned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("left_count", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pack_named", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("pack_named")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("left_count")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("retention_warned_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("retention_days")
        batch_op.add_column(sa.Column("facilitator_name", sa.String(length=200), nullable=True))
