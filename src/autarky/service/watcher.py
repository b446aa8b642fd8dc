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
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy import Engine

from autarky.service.db import in_memory

__all__ = ["Watcher", "recompute_and_store"]

#: Engines of a worker process, by database URL (read, write).
_ENGINES: dict[str, tuple[Engine, Engine]] = {}


def recompute_and_store(url: str | tuple[Engine, Engine], plan_id: int,
                        min_age: float = 0.0) -> tuple[float, float, bool]:
    """Recompute plan ``plan_id``'s monitoring when a report arrived since its snapshot (in a
    read transaction) and store the snapshot and its new alerts (in a short write one).

    ``url`` is a database URL (a worker process keeps its engines) or the (read, write)
    engines themselves. A snapshot younger than ``min_age`` seconds (stored by another
    process's watcher) is left alone. Returns ``(wait, took, stored)``: the seconds to wait
    before trying again (0 unless the snapshot was left alone), the seconds the work took
    here, and whether a new snapshot was stored.
    """
    from sqlalchemy import select

    from autarky.service.db import make_engine, session_scope
    from autarky.service.models import MonitorSnapshot
    from autarky.service.watch import recompute, store_snapshot

    start = time.monotonic()
    if isinstance(url, str):
        if url not in _ENGINES:
            _ENGINES[url] = (make_engine(url, pool_size=1),
                             make_engine(url, immediate=True, pool_size=1))
        read, write = _ENGINES[url]
    else:
        read, write = url
    with session_scope(read) as s:
        if min_age > 0:
            at = s.scalar(select(MonitorSnapshot.computed_at)
                          .where(MonitorSnapshot.plan_id == plan_id))
            if at is not None:
                age = (dt.datetime.now(dt.UTC)
                       - (at if at.tzinfo else at.replace(tzinfo=dt.UTC))).total_seconds()
                if 0 <= age < min_age:
                    return min_age - age, time.monotonic() - start, False
        got = recompute(s, plan_id)
    if got is not None:
        with session_scope(write) as s:
            store_snapshot(s, plan_id, *got)
    return 0.0, time.monotonic() - start, got is not None


def die_with_parent(parent: int | None = None) -> None:
    """On Linux, end this process (SIGTERM) when the process that started it dies, even by
    SIGKILL: no orphan is left holding a port or polling a database. ``parent``: the pid that
    started it, when known; a process whose parent is gone already ends at once."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent died before the line above


#: Environment variables that give numpy's BLAS and OpenMP one thread.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _worker_init(parent: int | None = None) -> None:
    # Before numpy loads in the worker: one BLAS thread. The monitoring works on small
    # arrays, and OpenBLAS's threads spinning beside them doubled the CPU a recomputation
    # took and gave nothing back (the load's plan, 3 branches x 134 periods: 0.17 s wall and
    # 0.32 s CPU with two threads, 0.17 s CPU with one), CPU the requests need.
    for name in ONE_THREAD:
        os.environ[name] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops it
    die_with_parent(parent)


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
        self.done = 0  # recomputations run (each found a new report or nothing to do)
        self.stored = 0  # new snapshots stored
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

    def _recompute(self, plan_id: int) -> tuple[float, float, bool]:
        # shared: a snapshot stored lately by any process counts as this one's own, by the
        # same rules (the interval, and the share of the time spent recomputing)
        took = self.took.get(plan_id, 0.0)
        min_age = max(self.interval, took / self.share) if self.shared else 0.0
        if in_memory(self.url):
            return recompute_and_store(self.engines, plan_id, min_age)
        later, took, stored = self._pool().submit(recompute_and_store, self.url, plan_id,
                                                  min_age).result()
        return float(later), float(took), bool(stored)

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=_context(),
                                            initializer=_worker_init, initargs=(os.getpid(),))
        return self.pool

    def start_worker(self) -> int:
        """Start the worker process now rather than at the first recomputation; its pid."""
        return int(self._pool().submit(os.getpid).result())

    def _run(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        while (plan_id := self._next()) is not None:
            later, took = 0.0, 0.0
            try:
                later, took, stored = self._recompute(plan_id)
                if not later:
                    self.done += 1
                    self.stored += stored
            except BrokenProcessPool as exc:  # the worker died: a fresh one next time
                if self.pool is not None:
                    self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None
                self.errors = [*self.errors[-9:], f"plan {plan_id}: the worker died ({exc})"]
            except Exception as exc:  # kept for /api/health; the next report tries again
                self.errors = [*self.errors[-9:], f"plan {plan_id}: {exc}"]
            now = time.monotonic()
            with self.cond:
                if later:  # another process recomputed it lately: again when that is old
                    self.not_before[plan_id] = now + later
                else:  # the time of the work itself (not the worker's start) sets the pace
                    self.took[plan_id] = took
                    self.not_before[plan_id] = now + max(self.interval - took,
                                                         took / self.share - took)
                if later or plan_id in self.due:  # a poke during the work waits its turn
                    self.due[plan_id] = max(self.due.get(plan_id, 0.0),
                                            self.not_before[plan_id])

    def stop(self) -> None:
        """Stop after the recomputation in progress."""
        with self.cond:
            self.stopping = True
            self.cond.notify()
        self.thread.join(timeout=30)
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
