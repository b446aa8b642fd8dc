"""Alembic's environment for the service's migrations (run by :func:`autarky.service.db.migrate`
with a connection in ``config.attributes``)."""

from __future__ import annotations

from alembic import context

from autarky.service.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always run programmatically
    raise RuntimeError("run the migrations with autarky.service.db.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
