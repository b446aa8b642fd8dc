"""The plan-operations service (issue 15): plans published, units report, the planner watches,
the statistics are audited.

This package is built in steps. It holds now the store (:mod:`autarky.service.store`): a
relational database (SQLite by default, PostgreSQL by URL) reached through SQLAlchemy 2 with
Alembic migrations, keeping immutable scenario versions, published plans and their targets,
reporting units with their scopes and hashed tokens, and every revision of every report (never
updated, never deleted: the database refuses it). The web application (FastAPI, pages, the JSON
API) comes next.
"""
