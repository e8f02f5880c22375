"""Revision 0002: keep the suppressed findings of every target run, and index findings by rule (`by_rule`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target_run_id", sa.Integer, sa.ForeignKey("target_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("path", sa.String(2048), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_suppressions_target_run_id", "suppressions", ["target_run_id"])
    op.create_index("ix_findings_rule_id", "findings", ["rule_id"])


def downgrade() -> None:
    op.drop_index("ix_findings_rule_id", table_name="findings")
    op.drop_table("suppressions")
