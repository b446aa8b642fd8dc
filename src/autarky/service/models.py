"""The tables of the plan-operations store (SQLAlchemy 2 declarative models).

A scenario version is immutable and named by its content token; a plan is computed from one
version and published as targets per branch and period; a reporting unit has a role
(``planner`` or ``reporter``), the branches it may report and a hashed token; a report is a
figure (plan, branch, period) with every revision kept in ``report_revisions``, which the
database itself refuses to update or delete (triggers made by the migration).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "JOB_STATUSES",
    "ROLES",
    "Alert",
    "Base",
    "Job",
    "LoginSession",
    "MonitorSnapshot",
    "Principal",
    "PublishedPlan",
    "PublishedTarget",
    "ReportRevision",
    "ReportedFigure",
    "ScenarioVersion",
    "Unit",
    "UnitBranch",
]

#: The roles a unit may have.
ROLES = ("planner", "reporter")
#: The states of a background job, in the order it passes them.
JOB_STATUSES = ("queued", "running", "done", "failed")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """The declarative base of every table."""

    #: The tables, as the migrations build them.
    metadata = MetaData()


class ScenarioVersion(Base):
    """One immutable version of a scenario: its mapping (the scenario format) and token."""

    __tablename__ = "scenario_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)  # the scenario format, as YAML
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)


class Unit(Base):
    """A planning office or a reporting unit (enterprise, ministry), with its role."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    token_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    branches: Mapped[list[UnitBranch]] = relationship(back_populates="unit")

    @property
    def scope(self) -> tuple[str, ...]:
        """The branches the unit may report, sorted."""
        return tuple(sorted(b.branch for b in self.branches))


@dataclass(frozen=True)
class Principal:
    """Who is asking: a unit as a request sees it (detached from any database session, so a
    request needs no query to know its unit once the token is verified).

    The store's checks take a :class:`Principal` or a :class:`Unit` alike (``id``, ``name``,
    ``role``, ``scope``).
    """

    id: int
    name: str
    role: str
    scope: tuple[str, ...]

    @classmethod
    def of(cls, unit: Unit) -> Principal:
        """The principal of a stored unit."""
        return cls(unit.id, unit.name, unit.role, unit.scope)


class UnitBranch(Base):
    """A branch a reporting unit may report (its scope)."""

    __tablename__ = "unit_branches"
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    branch: Mapped[str] = mapped_column(String(200), primary_key=True)
    unit: Mapped[Unit] = relationship(back_populates="branches")


class PublishedPlan(Base):
    """A plan computed from a scenario version, published as targets."""

    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    method: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    published_by: Mapped[int] = mapped_column(ForeignKey("units.id"))
    #: The monitoring settings (JSON: interval, revision_threshold, miss_run, escalate_after,
    #: model), fixed at publication.
    settings: Mapped[str] = mapped_column(Text, default="{}")
    targets: Mapped[list[PublishedTarget]] = relationship(back_populates="plan")


class PublishedTarget(Base):
    """One published target: the level planned for a branch in a period."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("plan_id", "branch", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    branch: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(100))
    plan: Mapped[PublishedPlan] = relationship(back_populates="targets")


class ReportedFigure(Base):
    """A reported figure: a branch's level in a period under a plan (its values are the
    revisions)."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("plan_id", "branch", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    branch: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(100))
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report", order_by="ReportRevision.seq")


class ReportRevision(Base):
    """One revision of a report: who, when, the value and the value it replaced. Append only."""

    __tablename__ = "report_revisions"
    __table_args__ = (UniqueConstraint("report_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    seq: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    written: Mapped[str] = mapped_column(String(40), default="")  # the figure as written
    previous_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    reported_at: Mapped[str] = mapped_column(String(10))  # ISO date of the report
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    source: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[ReportedFigure] = relationship(back_populates="revisions")


class LoginSession(Base):
    """A signed-in page session: the hash of its cookie, its unit and its CSRF token."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    """An alert raised by a significant deviation: kept until a planner acknowledges it."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("plan_id", "kind", "branch", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    kind: Mapped[str] = mapped_column(String(40))
    branch: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                                nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class MonitorSnapshot(Base):
    """The monitoring of a plan as last computed, and the newest revision it saw."""

    __tablename__ = "monitor_snapshots"
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    last_revision: Mapped[int] = mapped_column(Integer)  # the newest revision id it saw, or 0
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    body: Mapped[str] = mapped_column(Text)  # JSON


class Job(Base):
    """A heavy run off the request path (an optimal plan, a stress test, a sweep, a
    multi-year plan to publish): its state, progress and result."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text)  # JSON
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    runner: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
