"""The database: its URL, the engine (SQLite in WAL mode with foreign keys on), and the
migrations (Alembic, run programmatically; the schema is only ever made by them).

The default database is a SQLite file under the user's data directory
(``$XDG_DATA_HOME/autarky/autarky.db``, else ``~/.local/share/autarky/autarky.db``); a
PostgreSQL server is reached by its URL (``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["committed", "default_url", "make_engine", "migrate", "session_scope"]

MIGRATIONS = Path(__file__).with_name("migrations")


def in_memory(url: str) -> bool:
    """Whether ``url`` is a SQLite database in memory (one process's, one pool's)."""
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


def default_url() -> str:
    """The SQLite file under the user's data directory (its folder made if missing)."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    folder = base / "autarky"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'autarky.db'}"


def make_engine(url: str | None = None, *, immediate: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default :func:`default_url`); SQLite gets WAL journaling,
    ``synchronous=FULL`` (an acknowledged write survives a crash), foreign keys and a 30 s
    busy timeout.

    ``immediate=True`` (SQLite) begins every transaction with ``BEGIN IMMEDIATE``, taking the
    write lock first: concurrent writers then wait their turn instead of failing when a
    transaction that has read tries to write (the engine for requests that write).
    """
    url = url or default_url()
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:  # pragma: no cover - driver callback
            conn.isolation_level = None  # transactions begun below, not by the driver
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:  # pragma: no cover - driver callback
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the package's Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@contextmanager
def committed(factory: Callable[[], Session]) -> Iterator[Session]:
    """A session from ``factory``, committed at the end of the block, rolled back on an
    error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def session_scope(engine: Engine) -> AbstractContextManager[Session]:
    """A session of ``engine`` committed at the end of the block, rolled back on an error."""
    return committed(sessionmaker(engine, expire_on_commit=False))
