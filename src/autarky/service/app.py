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
    Each accepted report wakes the watcher thread, which recomputes the plan's monitoring (one
    recomputation for a burst of reports) and raises its alerts; what the planner reads is
    recomputed on the spot when a report came in since.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from autarky.errors import AutarkyError, ForbiddenError, ScenarioError, UnknownIdError
from autarky.service.models import Unit

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
    secure_cookies
        Mark the session cookie ``Secure`` (behind HTTPS).
    """

    url: str | None = None
    dask: str | None = None
    workers: int = 1
    session_hours: float = 12.0
    secure_cookies: bool = False


class _Tokens:
    """Verified tokens: token id -> (SHA-256 of the secret, unit id, expiry)."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[bytes, int, float]] = {}
        self.lock = threading.Lock()

    def unit(self, session: Session, token: str) -> Unit:
        from autarky.service.store import authenticate

        token_id, _, secret = token.partition(".")
        digest = hashlib.sha256(secret.encode()).digest()
        with self.lock:
            hit = self.seen.get(token_id)
        if hit is not None and hit[2] > time.monotonic() and hmac.compare_digest(hit[0], digest):
            unit = session.get(Unit, hit[1])
            if unit is not None:
                return unit
        unit = authenticate(session, token)
        with self.lock:
            if len(self.seen) > 10_000:
                self.seen.clear()
            self.seen[token_id] = (digest, unit.id, time.monotonic() + TOKEN_CACHE_SECONDS)
        return unit


class _Watcher:
    """A thread that recomputes a plan's monitoring after reports arrive (coalesced)."""

    def __init__(self, engine: Engine, read: Engine | None = None) -> None:
        self.engine = engine
        self.read = read or engine
        self.todo: queue.Queue[int | None] = queue.Queue()
        self.pending: set[int] = set()
        self.lock = threading.Lock()
        self.done = 0
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._run, name="autarky-watcher", daemon=True)
        self.thread.start()

    def poke(self, plan_id: int) -> None:
        with self.lock:
            if plan_id in self.pending:
                return
            self.pending.add(plan_id)
        self.todo.put(plan_id)

    def _run(self) -> None:
        from autarky.service.db import session_scope
        from autarky.service.watch import recompute, store_snapshot

        while (plan_id := self.todo.get()) is not None:
            with self.lock:
                self.pending.discard(plan_id)
            try:
                # computed in a read transaction (writers go on), stored in a short write one
                with session_scope(self.read) as s:
                    got = recompute(s, plan_id)
                if got is not None:
                    with session_scope(self.engine) as s:
                        store_snapshot(s, plan_id, *got)
                self.done += 1
            except Exception as exc:  # kept for /api/health; the next report tries again
                self.errors = [*self.errors[-9:], f"plan {plan_id}: {exc}"]

    def stop(self) -> None:
        self.todo.put(None)
        self.thread.join(timeout=10)


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

    cfg = config or ServiceConfig()
    url = cfg.url or default_url()
    read = make_engine(url)
    write = make_engine(url, immediate=True)
    migrate(write)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        from autarky.service.db import session_scope
        from autarky.service.jobs import DaskRunner, LocalRunner, recover

        app.state.watcher = _Watcher(write, read)
        if runner is not None:
            app.state.runner = runner
        elif cfg.dask:
            app.state.runner = DaskRunner(url, cfg.dask)
        else:
            app.state.runner = LocalRunner(url, cfg.workers)
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
    app.state.read = sessionmaker(read, expire_on_commit=False)
    app.state.write = sessionmaker(write, expire_on_commit=False)
    app.state.tokens = _Tokens()
    _errors(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    from autarky.service import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    return app


# ---------------------------------------------------------------------------- dependencies
def _session(request: Request, which: str) -> Iterator[Session]:
    from autarky.service.db import committed

    with committed(getattr(request.app.state, which)) as session:
        yield session


def read_session(request: Request) -> Iterator[Session]:
    """A session for a request that only reads."""
    yield from _session(request, "read")


def write_session(request: Request) -> Iterator[Session]:
    """A session for a request that writes (SQLite: the write lock taken first)."""
    yield from _session(request, "write")


#: A request's session that only reads, and one that writes (dependencies).
#: Both end (commit) before the response is sent: what a 2xx acknowledges is stored.
ReadSession = Annotated[Session, Depends(read_session, scope="function")]
WriteSession = Annotated[Session, Depends(write_session, scope="function")]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def unit_from_token(request: Request, session: Session) -> Unit:
    """The unit of the request's bearer token (401 without a valid one)."""
    token = _bearer(request)
    if token is None:
        raise HTTPException(401, "a bearer token is needed (Authorization: Bearer ID.SECRET)",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        unit: Unit = request.app.state.tokens.unit(session, token)
        return unit
    except ForbiddenError:
        raise HTTPException(401, "not a valid token",
                            headers={"WWW-Authenticate": "Bearer"}) from None


def api_reader(request: Request, session: ReadSession) -> Unit:
    """The unit of an API request that reads."""
    return unit_from_token(request, session)


def api_writer(request: Request, session: WriteSession) -> Unit:
    """The unit of an API request that writes."""
    return unit_from_token(request, session)


#: The unit of an API request that reads, and of one that writes (dependencies).
Reader = Annotated[Unit, Depends(api_reader)]
Writer = Annotated[Unit, Depends(api_writer)]
