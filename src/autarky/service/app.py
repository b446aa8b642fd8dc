"""The web application: :func:`create_app` builds it (FastAPI), ``autarky serve`` runs it.

Who is asking
    The JSON API (``/api/...``) takes a bearer token (``Authorization: Bearer ID.SECRET``);
    the pages take a session cookie set by signing in with a token, and every form they post
    carries the session's CSRF token. A verified token is remembered for
    :data:`TOKEN_CACHE_SECONDS` by a SHA-256 of its secret, so that argon2 (slow on purpose) runs
    once per token, not once per request.
Errors
    A missing or wrong token is 401; a write the unit may not make is 403, and nothing is
    written; a malformed input is 422 with ``detail[].loc`` naming the field; an unknown plan,
    alert or job is 404.
Reports arriving
    Each accepted report wakes the watcher thread, which recomputes the plan's monitoring and
    raises its alerts, at most once per :attr:`ServiceConfig.watch_interval` for a burst of
    reports; what the planner reads is recomputed on the spot when a report came in since.
Threads and connections
    A request's own database work runs in one thread, from its first query to its commit:
    the unit of a token is remembered once verified, and the session connects at its first
    query, so no request holds a connection (on SQLite the write lock) while it waits for a
    thread.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from autarky.errors import AutarkyError, ForbiddenError, ScenarioError, UnknownIdError
from autarky.service.models import Principal

__all__ = ["TOKEN_CACHE_SECONDS", "ServiceConfig", "create_app"]

#: How long a verified token is remembered (seconds).
TOKEN_CACHE_SECONDS = 600.0
HERE = Path(__file__).parent


@dataclass(frozen=True)
class ServiceConfig:
    """How the service runs.

    Attributes
    ----------
    url
        The database URL (default: the SQLite file under the user's data directory).
    dask
        A Dask scheduler address for background runs; ``None``: a local worker process.
    workers
        Local worker processes for background runs.
    session_hours
        How long a page session lasts.
    threads
        Threads that run requests' database work at once (each with a connection of its own
        while it runs).
    watch_interval
        The watcher recomputes a plan's monitoring at most once per this many seconds however
        fast reports arrive (what the planner reads is recomputed on the spot when stale).
    secure_cookies
        Mark the session cookie ``Secure`` (behind HTTPS).
    processes
        How many processes serve the same database and socket (:mod:`autarky.service.serving`);
        their watchers then coordinate through the stored snapshots.
    primary
        This process resubmits the background runs a stopped server left (one of the
        processes does).
    """

    url: str | None = None
    dask: str | None = None
    workers: int = 1
    session_hours: float = 12.0
    threads: int = 16
    watch_interval: float = 1.0
    secure_cookies: bool = False
    processes: int = 1
    primary: bool = True


class _Tokens:
    """Verified tokens: token id -> (SHA-256 of the secret, the unit as a principal, expiry)."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[bytes, Principal, float]] = {}
        self.lock = threading.Lock()

    @staticmethod
    def _split(token: str) -> tuple[str, bytes]:
        token_id, _, secret = token.partition(".")
        return token_id, hashlib.sha256(secret.encode()).digest()

    def cached(self, token: str) -> Principal | None:
        """The unit of a token verified in the last :data:`TOKEN_CACHE_SECONDS` (no query)."""
        token_id, digest = self._split(token)
        with self.lock:
            hit = self.seen.get(token_id)
        if hit is not None and hit[2] > time.monotonic() and hmac.compare_digest(hit[0], digest):
            return hit[1]
        return None

    def verify(self, factory: Callable[[], Session], token: str) -> Principal:
        """The unit of a token, checked against its argon2 hash in a session of its own
        (:class:`~autarky.errors.ForbiddenError` for a wrong one) and remembered."""
        from autarky.service.db import committed
        from autarky.service.store import authenticate

        got = self.cached(token)
        if got is not None:
            return got
        with committed(factory) as session:
            who = Principal.of(authenticate(session, token))
        token_id, digest = self._split(token)
        with self.lock:
            if len(self.seen) > 10_000:
                self.seen.clear()
            self.seen[token_id] = (digest, who, time.monotonic() + TOKEN_CACHE_SECONDS)
        return who


def _errors(app: FastAPI) -> None:
    def unprocessable(field: str, message: str) -> JSONResponse:
        loc = ["body", *[p for p in field.split(".") if p]] if field else ["body"]
        return JSONResponse({"detail": [{"loc": loc, "msg": message, "type": "value_error"}]},
                            status_code=422)

    @app.exception_handler(ScenarioError)
    async def _scenario(request: Request, exc: ScenarioError) -> Any:
        if request.url.path.startswith("/api"):
            return unprocessable(getattr(exc, "field", "") or "", exc.message)
        from autarky.service.pages import error_page

        return error_page(request, 422, exc.message, getattr(exc, "field", "") or "")

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, exc: ForbiddenError) -> Any:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": str(exc)}, status_code=403)
        from autarky.service.pages import error_page

        return error_page(request, 403, str(exc))

    @app.exception_handler(UnknownIdError)
    async def _unknown(request: Request, exc: UnknownIdError) -> Any:
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        from autarky.service.pages import error_page

        return error_page(request, 404, str(exc))

    @app.exception_handler(AutarkyError)
    async def _other(request: Request, exc: AutarkyError) -> Any:
        if request.url.path.startswith("/api"):
            return unprocessable("", str(exc))
        from autarky.service.pages import error_page

        return error_page(request, 422, str(exc))


def _pool(url: str, threads: int, *, writes: bool) -> dict[str, Any]:
    """The connection pool of an engine: one connection per request thread, kept open, and a
    few more for what runs beside the requests (the watcher, ending a transaction). SQLite,
    which has one writer at a time, writes through one connection (writers queue for it in
    the process rather than poll the file's lock); a SQLite database in memory keeps
    SQLAlchemy's own pool."""
    from autarky.service.db import in_memory

    if url.startswith("sqlite"):
        if in_memory(url):
            return {}
        if writes:
            return {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
    return {"pool_size": threads, "max_overflow": 8, "pool_timeout": 60}


def create_app(config: ServiceConfig | None = None, *, runner: Any = None) -> FastAPI:
    """The service as an ASGI application.

    Parameters
    ----------
    config
        Where the database is, where background runs go (:class:`ServiceConfig`).
    runner
        A job runner to use instead of the one ``config`` names (tests).

    Examples
    --------
    >>> from fastapi.testclient import TestClient
    >>> import tempfile, pathlib
    >>> db = pathlib.Path(tempfile.mkdtemp()) / "ops.db"
    >>> with TestClient(create_app(ServiceConfig(url=f"sqlite:///{db}"))) as client:
    ...     client.get("/api/health").json()["database"]
    'sqlite'
    """
    from autarky.service.db import default_url, make_engine, migrate
    from autarky.service.store import PlanShapes

    cfg = config or ServiceConfig()
    url = cfg.url or default_url()
    read = make_engine(url, **_pool(url, cfg.threads, writes=False))
    write = make_engine(url, immediate=True, **_pool(url, cfg.threads, writes=True))
    migrate(write)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        import anyio.to_thread

        from autarky.service.db import session_scope
        from autarky.service.jobs import DaskRunner, LocalRunner, recover
        from autarky.service.watcher import Watcher

        # the requests' threads: as many as the pools' connections (a thread never waits
        # for a connection)
        anyio.to_thread.current_default_thread_limiter().total_tokens = cfg.threads
        app.state.watcher = Watcher(url, write, read, cfg.watch_interval,
                                    shared=cfg.processes > 1)
        if runner is not None:
            app.state.runner = runner
        elif cfg.dask:
            app.state.runner = DaskRunner(url, cfg.dask)
        else:
            app.state.runner = LocalRunner(url, cfg.workers)
        if cfg.primary:
            with session_scope(write) as s:
                recover(s, app.state.runner)
        try:
            yield
        finally:
            app.state.watcher.stop()
            if runner is None:
                app.state.runner.close()
            read.dispose()
            write.dispose()

    app = FastAPI(title="autarky plan operations", version="1",
                  description="Plans published as targets, reports with every revision kept, "
                              "monitoring with forecasts, flags and alerts, and heavy runs in "
                              "the background.", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # their pages load scripts from a CDN
    app.state.config = cfg
    app.state.url = url
    shapes = PlanShapes()  # published plans never change: their shapes are kept
    app.state.read = sessionmaker(read, expire_on_commit=False, info={"plans": shapes})
    app.state.write = sessionmaker(write, expire_on_commit=False, info={"plans": shapes})
    app.state.tokens = _Tokens()
    _errors(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    from autarky.service import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    return app


# ---------------------------------------------------------------------------- dependencies
async def _session(request: Request, which: str) -> AsyncIterator[Session]:
    # A session takes its connection at its first query, that is inside the route's thread,
    # and gives it back at the commit below; authentication needs none (:func:`caller`). No
    # request holds a connection (on SQLite: the write lock) while it waits for a thread.
    session: Session = getattr(request.app.state, which)()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await _in_thread(session.rollback)
        session.close()
        raise
    if session.in_transaction():
        await _in_thread(session.commit)
    session.close()


async def _in_thread(fn: Callable[[], Any]) -> Any:
    # a limiter of its own: ending a transaction never waits behind the requests' threads
    import anyio.to_thread

    return await anyio.to_thread.run_sync(fn, limiter=anyio.CapacityLimiter(1))


async def read_session(request: Request) -> AsyncIterator[Session]:
    """A session for a request that only reads."""
    async for session in _session(request, "read"):
        yield session


async def write_session(request: Request) -> AsyncIterator[Session]:
    """A session for a request that writes (SQLite: the write lock taken first)."""
    async for session in _session(request, "write"):
        yield session


#: A request's session that only reads, and one that writes (dependencies).
#: Both end (commit) before the response is sent: what a 2xx acknowledges is stored.
ReadSession = Annotated[Session, Depends(read_session, scope="function")]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def caller(request: Request) -> Principal:
    """The unit of the request's bearer token (401 without a valid one): remembered when
    verified lately, else checked in a thread with a session of its own."""
    from starlette.concurrency import run_in_threadpool

    token = _bearer(request)
    if token is None:
        raise HTTPException(401, "a bearer token is needed (Authorization: Bearer ID.SECRET)",
                            headers={"WWW-Authenticate": "Bearer"})
    tokens: _Tokens = request.app.state.tokens
    who = tokens.cached(token)
    if who is not None:
        return who
    try:
        return await run_in_threadpool(tokens.verify, request.app.state.read, token)
    except ForbiddenError:
        raise HTTPException(401, "not a valid token",
                            headers={"WWW-Authenticate": "Bearer"}) from None


#: The unit of an API request (a dependency).
Caller = Annotated[Principal, Depends(caller)]
