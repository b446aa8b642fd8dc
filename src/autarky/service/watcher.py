"""The watcher: a plan's monitoring recomputed after reports arrive, off the request path.

A thread of the server decides *when* (reports coalesce: a plan is recomputed at most once per
``interval`` seconds, and no sooner after its last recomputation than ``1 / share`` times
what that one took); a worker process does the work (:func:`recompute_and_store`: the
forecasts, flags and digit tests, then the snapshot and the new alerts), so that the
computation never holds the server's interpreter lock while requests wait. A SQLite database
in memory, which another process cannot open, is recomputed in the thread itself.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine

__all__ = ["Watcher", "recompute_and_store"]

#: Engines of a worker process, by database URL (read, write).
_ENGINES: dict[str, tuple[Engine, Engine]] = {}


def recompute_and_store(url: str | tuple[Engine, Engine], plan_id: int) -> bool:
    """Recompute plan ``plan_id``'s monitoring when a report arrived since its snapshot (in a
    read transaction) and store the snapshot and its new alerts (in a short write one);
    ``True`` when something was stored. ``url`` is a database URL (a worker process keeps
    its engines) or the (read, write) engines themselves."""
    from autarky.service.db import make_engine, session_scope
    from autarky.service.watch import recompute, store_snapshot

    if isinstance(url, str):
        if url not in _ENGINES:
            _ENGINES[url] = (make_engine(url, pool_size=1),
                             make_engine(url, immediate=True, pool_size=1))
        read, write = _ENGINES[url]
    else:
        read, write = url
    with session_scope(read) as s:
        got = recompute(s, plan_id)
    if got is None:
        return False
    with session_scope(write) as s:
        store_snapshot(s, plan_id, *got)
    return True


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


def _context() -> Any:
    # a fork of a server process that has imported the monitoring once: a worker starts in
    # milliseconds and shares nothing of the server's state
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["autarky.service.watcher", "autarky.service.watch"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX


class Watcher:
    """Recomputes the monitoring of the plans it is poked for (see the module's text).

    Parameters
    ----------
    url
        The database's URL (for the worker process).
    engine, read
        The server's engines that write and that read (for a database in memory).
    interval
        At most one recomputation of a plan per this many seconds.
    share
        At most this share of the time spent recomputing one plan.
    """

    def __init__(self, url: str, engine: Engine, read: Engine | None = None,
                 interval: float = 1.0, share: float = 0.2) -> None:
        self.url = url
        self.engines = (read or engine, engine)
        self.interval, self.share = float(interval), float(share)
        self.due: dict[int, float] = {}  # plan id -> when it is recomputed (pending plans)
        self.not_before: dict[int, float] = {}  # plan id -> the earliest next recomputation
        self.cond = threading.Condition()
        self.stopping = False
        self.done = 0
        self.errors: list[str] = []
        self.pool: ProcessPoolExecutor | None = None
        self.thread = threading.Thread(target=self._run, name="autarky-watcher", daemon=True)
        self.thread.start()

    def poke(self, plan_id: int) -> None:
        """A report arrived for ``plan_id``: recompute it when its turn comes."""
        with self.cond:
            if plan_id not in self.due:
                self.due[plan_id] = max(time.monotonic(), self.not_before.get(plan_id, 0.0))
                self.cond.notify()

    def _next(self) -> int | None:
        with self.cond:
            while not self.stopping:
                if self.due:
                    plan_id = min(self.due, key=self.due.__getitem__)
                    wait = self.due[plan_id] - time.monotonic()
                    if wait <= 0:
                        del self.due[plan_id]
                        return plan_id
                    self.cond.wait(wait)
                else:
                    self.cond.wait()
            return None

    def _recompute(self, plan_id: int) -> None:
        if _in_memory(self.url):
            recompute_and_store(self.engines, plan_id)
            return
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
        self.pool.submit(recompute_and_store, self.url, plan_id).result()

    def _run(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        while (plan_id := self._next()) is not None:
            start = time.monotonic()
            try:
                self._recompute(plan_id)
                self.done += 1
            except BrokenProcessPool as exc:  # the worker died: a fresh one next time
                self.pool = None
                self.errors = [*self.errors[-9:], f"plan {plan_id}: the worker died ({exc})"]
            except Exception as exc:  # kept for /api/health; the next report tries again
                self.errors = [*self.errors[-9:], f"plan {plan_id}: {exc}"]
            took = time.monotonic() - start
            with self.cond:
                self.not_before[plan_id] = time.monotonic() + max(self.interval - took,
                                                                  took / self.share - took)

    def stop(self) -> None:
        """Stop after the recomputation in progress."""
        with self.cond:
            self.stopping = True
            self.cond.notify()
        self.thread.join(timeout=30)
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
