"""The plan-operations service (issue 15): plans published, units report, the planner watches,
the statistics are audited (``autarky serve``; see the documentation's page on the service).

Modules
-------
:mod:`~autarky.service.models`, :mod:`~autarky.service.db`
    The tables (SQLAlchemy 2) and the database: SQLite in WAL mode by default, PostgreSQL by
    URL, the schema made by Alembic migrations.
:mod:`~autarky.service.store`
    What is kept and who may write it: scenario versions, plans, units with hashed tokens,
    every revision of every report (the database refuses to rewrite them).
:mod:`~autarky.service.watch`
    A plan's monitoring, flags, alerts and their escalation.
:mod:`~autarky.service.jobs`
    Heavy runs off the request path, in a local worker or on Dask.
:mod:`~autarky.service.app`, :mod:`~autarky.service.api`, :mod:`~autarky.service.pages`
    The FastAPI application, its JSON API and its server-rendered pages.
:mod:`~autarky.service.testing`
    A throw-away PostgreSQL server for tests and benchmarks.
"""
