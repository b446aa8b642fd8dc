"""``autarky serve`` and ``autarky add-unit``: the plan-operations service and its units."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from autarky.cli.app import app, err, examples, out

DbOpt = Annotated[str | None, typer.Option(
    "--db", help="Database URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB "
                 "(default: autarky.db under the user's data directory).")]


def _engine(url: str) -> Any:
    """The migrated database at ``url``, or a clear error naming ``--db`` (exit 2)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from autarky.errors import BadValueError
    from autarky.service.db import make_engine, migrate

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise BadValueError(f"--db {url!r}: not a database URL (sqlite:///FILE or "
                            "postgresql+psycopg://USER@HOST/DB)") from None
    try:
        engine = make_engine(url, immediate=True)
        migrate(engine)
    except NoSuchModuleError:
        raise BadValueError(f"--db {shown}: unknown database kind (sqlite:///FILE or "
                            "postgresql+psycopg://USER@HOST/DB)") from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        raise BadValueError(f"--db {shown}: cannot open the database ({reason})") from None
    return engine


def _bootstrap(url: str) -> str | None:
    """Migrate the database; on one without units, make the planning office and return its
    token (shown once)."""
    from sqlalchemy import func, select

    from autarky.service.db import session_scope
    from autarky.service.models import Unit
    from autarky.service.store import create_unit

    engine = _engine(url)
    try:
        with session_scope(engine) as s:
            if s.scalar(select(func.count()).select_from(Unit)):
                return None
            _, token = create_unit(s, "planning office", "planner")
            return token
    finally:
        engine.dispose()


@app.command(epilog=examples(
    "autarky serve --db sqlite:///ops.db",
    "autarky serve --db sqlite:///ops.db --port 8080",
    "autarky serve --db sqlite:///ops.db --processes 2",
    "autarky serve --db postgresql+psycopg://planner@localhost/ops --dask tcp://10.0.0.5:8786"))
def serve(
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    dask: Annotated[str | None, typer.Option(
        help="Dask scheduler address for background runs (default: a local worker).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64,
                                         help="Local worker processes for background runs.")
                       ] = 1,
    session_hours: Annotated[float, typer.Option(min=0.1, max=24 * 30,
                                                 help="How long a page session lasts.")] = 12.0,
    secure_cookies: Annotated[bool, typer.Option(
        "--secure-cookies", help="Mark the session cookie Secure (behind HTTPS).")] = False,
    threads: Annotated[int, typer.Option(
        min=1, max=256, help="Threads running requests' database work at once (each holds "
        "a database connection while it runs).")] = 16,
    watch_interval: Annotated[float, typer.Option(
        min=0.0, max=3600.0, help="Recompute a plan's monitoring at most once per this many "
        "seconds while reports arrive.")] = 1.0,
    processes: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes sharing the port (one uses about one CPU at "
        "most; a database in memory needs 1).")] = 1,
) -> None:
    """Run the plan-operations service: plans published, units report, the planner watches.

    On a database without units it makes the planner "planning office" and prints its token
    once: sign in with it at http://HOST:PORT/login, or pass it to the API as a bearer token.
    """
    import uvicorn

    from autarky.service.app import ServiceConfig, create_app
    from autarky.service.db import default_url, in_memory

    url = db or default_url()
    if processes > 1 and in_memory(url):
        from autarky.errors import BadValueError

        raise BadValueError(f"--processes {processes}: a SQLite database in memory lives in "
                            "one process; use --processes 1 or a database file "
                            "(--db sqlite:///ops.db)")
    token = _bootstrap(url)
    if token is not None:
        out.print(f"planner token (shown once, keep it): {token}", markup=False,
                  highlight=False)
    err.print(f"autarky serve: {url.split('@')[-1]} at http://{host}:{port}/", markup=False,
              highlight=False)
    cfg = ServiceConfig(url=url, dask=dask, workers=workers, session_hours=session_hours,
                        secure_cookies=secure_cookies, threads=threads,
                        watch_interval=watch_interval, processes=processes)
    if processes > 1:
        from autarky.service.serving import serve_processes

        raise typer.Exit(serve_processes(cfg, host, port, processes))
    uvicorn.run(create_app(cfg), host=host, port=port, log_level="warning")


@app.command("add-unit", epilog=examples(
    "autarky add-unit farms --role reporter --branch agriculture --db sqlite:///ops.db",
    "autarky add-unit ministry --role planner --db sqlite:///ops.db"))
def add_unit(
    name: Annotated[str, typer.Argument(help="The unit's name.")],
    role: Annotated[str, typer.Option(help="planner or reporter.")] = "reporter",
    branch: Annotated[list[str] | None, typer.Option(
        help="A branch the unit reports (repeat for several).")] = None,
    db: DbOpt = None,
) -> None:
    """Add a reporting unit (or another planner) to the service's database; prints its token
    once."""
    from autarky.service.db import default_url, session_scope
    from autarky.service.store import create_unit

    engine = _engine(db or default_url())
    try:
        with session_scope(engine) as s:
            unit, token = create_unit(s, name, role, tuple(branch or ()))
            branches = ", ".join(sorted(b.branch for b in unit.branches)) or "none"
    finally:
        engine.dispose()
    out.print(f"unit {name!r} ({role}; branches: {branches})", markup=False, highlight=False)
    out.print(f"token (shown once, keep it): {token}", markup=False, highlight=False)
