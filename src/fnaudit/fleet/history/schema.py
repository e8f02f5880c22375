"""The history's tables (SQLAlchemy Core), as the newest migration leaves them.

The migrations under `migrations/versions/` are the source of truth for the database; this module mirrors
their result for the queries, and `tests/fleet/test_history.py` checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("fleet_file", sa.String(1024), nullable=False),
    sa.Column("tool_version", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # running | finished
    sa.Index("ix_runs_started_at", "started_at"),
)

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(512), nullable=False, unique=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("location", sa.String(2048), nullable=False),
)

target_runs = sa.Table(
    "target_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("errors", sa.Text, nullable=False),  # the scan's own errors, one per line
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("revision", sa.String(64), nullable=True),
    sa.Column("scanned_at", sa.String(40), nullable=False),
    sa.UniqueConstraint("run_id", "target_id", name="uq_target_runs_run_target"),
    sa.Index("ix_target_runs_target_run", "target_id", "run_id"),
)

functions = sa.Table(
    "functions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "target_run_id", sa.Integer, sa.ForeignKey("target_runs.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("app", sa.String(2048), nullable=False),
    sa.Column("risk", sa.Float, nullable=False),
    sa.Column("blast_radius", sa.Float, nullable=False),
    sa.Column("runtime", sa.String(64), nullable=True),
    sa.Column("public", sa.Boolean, nullable=False),
)

findings = sa.Table(
    "findings",
    metadata,
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
    sa.Index("ix_findings_fixed_in_run", "fixed_in_run"),
    sa.Index("ix_findings_first_seen_run", "first_seen_run"),
    sa.Index("ix_findings_rule_id", "rule_id"),  # added by revision 0002
)

# Which findings one target run saw (unsuppressed): the exact state of a target at any run, so that
# `new` / `fixed` between any two runs are exact even for a finding that was fixed and came back.
sightings = sa.Table(
    "sightings",
    metadata,
    sa.Column("target_run_id", sa.Integer, sa.ForeignKey("target_runs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("finding_id", sa.Integer, sa.ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_sightings_finding", "finding_id"),
)

# Revision 0002: the findings a target run suppressed (inline / config ignores), kept per run.
suppressions = sa.Table(
    "suppressions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "target_run_id", sa.Integer, sa.ForeignKey("target_runs.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("fingerprint", sa.String(128), nullable=False),
    sa.Column("rule_id", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("path", sa.String(2048), nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)
