"""The first schema: scenario versions, units and their branches, plans and targets, reports
and their revisions; the revisions append only (triggers refuse UPDATE and DELETE).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_id", sa.String(32), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(200), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.CheckConstraint("role in ('planner', 'reporter')", name="unit_role"),
    )
    op.create_table(
        "unit_branches",
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("branch", sa.String(200), primary_key=True),
    )
    op.create_table(
        "scenario_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("units.id"), nullable=True),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenario_versions.id"),
                  nullable=False),
        sa.Column("method", sa.String(200), nullable=False),
        sa.Column("published_at", _NOW, nullable=False),
        sa.Column("published_by", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("branch", sa.String(200), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.UniqueConstraint("plan_id", "branch", "period"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("branch", sa.String(200), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.UniqueConstraint("plan_id", "branch", "period"),
    )
    op.create_table(
        "report_revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("previous_value", sa.Float, nullable=True),
        sa.Column("reported_at", sa.String(10), nullable=False),
        sa.Column("received_at", _NOW, nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("report_id", "seq"),
    )
    op.create_index("report_revisions_report", "report_revisions", ["report_id"])
    _append_only(["report_revisions", "scenario_versions", "targets"])


def _append_only(tables: list[str]) -> None:
    """Triggers that refuse UPDATE and DELETE on ``tables`` (history is never rewritten)."""
    dialect = op.get_bind().dialect.name
    for t in tables:
        if dialect == "sqlite":
            for what in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {t}_no_{what.lower()} BEFORE {what} ON {t} "
                           f"BEGIN SELECT RAISE(ABORT, '{t} is append only'); END")
        elif dialect == "postgresql":
            op.execute(f"CREATE FUNCTION {t}_append_only() RETURNS trigger AS $$ BEGIN "
                       f"RAISE EXCEPTION '{t} is append only'; END $$ LANGUAGE plpgsql")
            op.execute(f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                       f"FOR EACH ROW EXECUTE FUNCTION {t}_append_only()")


def downgrade() -> None:
    for t in ("report_revisions", "reports", "targets", "plans", "scenario_versions",
              "unit_branches", "units"):
        op.drop_table(t)
