"""Operations: page sessions, alerts, monitoring snapshots, background jobs, and each plan's
monitoring settings; each revision keeps its figure as written (for the last-digit test).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    # plain ADD COLUMN (no table rebuild, so the append-only triggers stay as they are)
    op.add_column("plans", sa.Column("settings", sa.Text, nullable=False, server_default="{}"))
    op.add_column("report_revisions", sa.Column("written", sa.String(40), nullable=False,
                                                server_default=""))
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("expires_at", _NOW, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("branch", sa.String(200), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("raised_at", _NOW, nullable=False),
        sa.Column("acknowledged_at", _NOW, nullable=True),
        sa.Column("acknowledged_by", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("plan_id", "kind", "branch", "period"),
    )
    op.create_table(
        "monitor_snapshots",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("last_revision", sa.Integer, nullable=False),
        sa.Column("computed_at", _NOW, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenario_versions.id"),
                  nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("runner", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("started_at", _NOW, nullable=True),
        sa.Column("finished_at", _NOW, nullable=True),
        sa.CheckConstraint("status in ('queued', 'running', 'done', 'failed')",
                           name="job_status"),
    )


def downgrade() -> None:
    for t in ("jobs", "monitor_snapshots", "alerts", "sessions"):
        op.drop_table(t)
    op.drop_column("report_revisions", "written")
    op.drop_column("plans", "settings")
