"""Revision 0001: the first schema of the fleet history (runs, targets, target runs, functions, findings).

Written out in full rather than derived from `schema.py`: a migration must keep creating the schema of ITS
time, whatever the models become later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fleet_file", sa.String(1024), nullable=False),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(512), nullable=False, unique=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("location", sa.String(2048), nullable=False),
    )
    op.create_table(
        "target_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("errors", sa.Text, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("revision", sa.String(64), nullable=True),
        sa.Column("scanned_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("run_id", "target_id", name="uq_target_runs_run_target"),
    )
    op.create_index("ix_target_runs_target_run", "target_runs", ["target_id", "run_id"])
    op.create_table(
        "functions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target_run_id", sa.Integer, sa.ForeignKey("target_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("app", sa.String(2048), nullable=False),
        sa.Column("risk", sa.Float, nullable=False),
        sa.Column("blast_radius", sa.Float, nullable=False),
        sa.Column("runtime", sa.String(64), nullable=True),
        sa.Column("public", sa.Boolean, nullable=False),
    )
    op.create_index("ix_functions_target_run_id", "functions", ["target_run_id"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("fingerprint", sa.String(128), nullable=False),
        sa.Column("first_seen_run", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("last_seen_run", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("fixed_in_run", sa.Integer, sa.ForeignKey("runs.id"), nullable=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("function", sa.String(512), nullable=True),
        sa.Column("path", sa.String(2048), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.UniqueConstraint("target_id", "fingerprint", name="uq_findings_target_fingerprint"),
    )
    op.create_index("ix_findings_fixed_in_run", "findings", ["fixed_in_run"])
    op.create_index("ix_findings_first_seen_run", "findings", ["first_seen_run"])
    op.create_table(
        "sightings",
        sa.Column("target_run_id", sa.Integer, sa.ForeignKey("target_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_sightings_finding", "sightings", ["finding_id"])


def downgrade() -> None:
    for table in ("sightings", "findings", "functions", "target_runs", "targets", "runs"):
        op.drop_table(table)
