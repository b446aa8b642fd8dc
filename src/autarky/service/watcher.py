"""The watcher: a plan's monitoring recomputed after reports arrive, off the request path.

A thread of the server decides *when* (reports coalesce: a plan is recomputed at most once per
``interval`` seconds, and no sooner after its last recomputation than ``1 / share`` times
what that one took); a worker process does the work (:func:`recompute_and_store`: the
forecasts, flags and digit tests, then the snapshot and the new alerts), so that the
computation never holds the server's interpreter lock while requests wait. A SQLite database
in memory, which another process cannot open, is recomputed in the thread itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine

__all__ = ["Watcher", "recompute_and_store"]

#: Engines of a worker process, by database URL (read, write).
_ENGINES: dict[str, tuple[Engine, Engine]] = {}


def recompute_and_store(url: str | tuple[Engine, Engine], plan_id: int,
                        min_age: float = 0.0) -> float:
    """Recompute plan ``plan_id``'s monitoring when a report arrived since its snapshot (in a
    read transaction) and store the snapshot and its new alerts (in a short write one).

    ``url`` is a database URL (a worker process keeps its engines) or the (read, write)
    engines themselves. A snapshot younger than ``min_age`` seconds (stored by another
    process's watcher) is left alone: the answer is then the seconds to wait before trying
    again; else 0.
    """
    from autarky.service.db import make_engine, session_scope
    from autarky.service.models import MonitorSnapshot
    from autarky.service.watch import recompute, store_snapshot

    if isinstance(url, str):
        if url not in _ENGINES:
            _ENGINES[url] = (make_engine(url, pool_size=1),
                             make_engine(url, immediate=True, pool_size=1))
        read, write = _ENGINES[url]
    else:
        read, write = url
    with session_scope(read) as s:
        snap = s.get(MonitorSnapshot, plan_id)
        if snap is not None and min_age > 0:
            at = snap.computed_at
            age = (dt.datetime.now(dt.UTC) - (at if at.tzinfo else at.replace(tzinfo=dt.UTC))
                   ).total_seconds()
            if 0 <= age < min_age:
                return min_age - age
        got = recompute(s, plan_id)
    if got is not None:
        with session_scope(write) as s:
            store_snapshot(s, plan_id, *got)
    return 0.0


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


def die_with_parent() -> None:
    """On Linux, end this process (SIGTERM) when the process that started it dies, even by
    SIGKILL: no orphan is left holding a port or polling a database."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PDEATHSIG


#: Environment variables that give numpy's BLAS and OpenMP one thread.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _worker_init() -> None:
    # Before numpy loads in the worker: one BLAS thread. The monitoring works on small
    # arrays, and OpenBLAS's threads spinning beside them doubled the CPU a recomputation
    # took and gave nothing back (the load's plan, 3 branches x 134 periods: 0.17 s wall and
    # 0.32 s CPU with two threads, 0.17 s CPU with one), CPU the requests need.
    for name in ONE_THREAD:
        os.environ[name] = "1"
    die_with_parent()


def _context() -> Any:
    # a fresh interpreter (spawn): nothing of the server's state, numpy not yet loaded (see
    # _worker_init); it starts once per server, in a second or two
    return multiprocessing.get_context("spawn")


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
    shared
        Other processes watch the same database (``autarky serve --processes``): a plan whose
        snapshot one of them stored lately waits as if this one had stored it (at least
        ``interval``, and ``1 / share`` times what its last recomputation took).
    """

    def __init__(self, url: str, engine: Engine, read: Engine | None = None,
                 interval: float = 1.0, share: float = 0.2, *, shared: bool = False) -> None:
        self.url = url
        self.shared = shared
        self.engines = (read or engine, engine)
        self.interval, self.share = float(interval), float(share)
        self.due: dict[int, float] = {}  # plan id -> when it is recomputed (pending plans)
        self.not_before: dict[int, float] = {}  # plan id -> the earliest next recomputation
        self.took: dict[int, float] = {}  # plan id -> seconds its last recomputation took
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

    def _recompute(self, plan_id: int) -> float:
        # shared: a snapshot stored lately by any process counts as this one's own, by the
        # same rules (the interval, and the share of the time spent recomputing)
        took = self.took.get(plan_id, 0.0)
        min_age = max(self.interval, took / self.share) if self.shared else 0.0
        if _in_memory(self.url):
            return recompute_and_store(self.engines, plan_id, min_age)
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=_context(),
                                            initializer=_worker_init)
        return float(self.pool.submit(recompute_and_store, self.url, plan_id, min_age).result())

    def _run(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        while (plan_id := self._next()) is not None:
            start = time.monotonic()
            later = 0.0
            try:
                later = self._recompute(plan_id)
                if not later:
                    self.done += 1
            except BrokenProcessPool as exc:  # the worker died: a fresh one next time
                self.pool = None
                self.errors = [*self.errors[-9:], f"plan {plan_id}: the worker died ({exc})"]
            except Exception as exc:  # kept for /api/health; the next report tries again
                self.errors = [*self.errors[-9:], f"plan {plan_id}: {exc}"]
            took = time.monotonic() - start
            with self.cond:
                if not later:
                    self.took[plan_id] = took
                if later:  # another process recomputed it lately: again when that is old
                    self.due[plan_id] = min(self.due.get(plan_id, math.inf),
                                            time.monotonic() + later)
                    continue
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
