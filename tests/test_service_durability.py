"""Durability (issue 15): a burst of reports, each acknowledged (201), then the server process
killed with SIGKILL and started again: every acknowledged report is there, each once, on
SQLite and on PostgreSQL, served by one process and by two (``--processes 2``). The server is
the real ``autarky serve`` in a process of its own; every process it started (the watcher's
worker, the server processes) ends with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from autarky.service.db import make_engine, migrate, session_scope
from autarky.service.store import create_unit

U = "EUR million"
N = 120  # reports in the burst


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (Linux: /proc/PID/task/TID/children)."""
    out, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended (nobody may reap it here)


def _serve(url: str, port: int, log: Path, processes: int = 1) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "autarky", "serve", "--db", url, "--port",
                             str(port), "--processes", str(processes)], stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")


@pytest.mark.parametrize("processes", [1, 2])
def test_acknowledged_reports_survive_sigkill(db_url, tmp_path, processes):
    engine = make_engine(db_url)
    migrate(engine)
    with session_scope(engine) as s:
        _, office = create_unit(s, "planning office", "planner")
        _, farm = create_unit(s, "farms", "reporter", ("agriculture",))
    engine.dispose()
    port, log = _port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}/api"
    o, f = ({"Authorization": f"Bearer {t}"} for t in (office, farm))
    proc = _serve(db_url, port, log, processes)
    try:
        v = httpx.post(f"{base}/scenarios", json={"bundled": "island"}, headers=o).json()
        targets = [{"branch": "agriculture", "period": 1000 + i, "value": 100.0, "unit": U}
                   for i in range(N)]
        plan = httpx.post(f"{base}/plans", json={"name": "burst", "scenario": v["token"],
                                                 "targets": targets}, headers=o).json()["id"]

        def send(i: int) -> tuple[int, int]:
            body = {"branch": "agriculture", "period": 1000 + i, "value": 50.0 + i,
                    "unit": U, "reported_at": "2024-01-01"}
            r = httpx.post(f"{base}/plans/{plan}/reports", json=body, headers=f, timeout=60)
            return i, r.status_code

        with ThreadPoolExecutor(16) as pool:
            acked = [i for i, code in pool.map(send, range(N)) if code == 201]
        assert len(acked) == N  # every report of the burst acknowledged
        # the server processes, and the watcher's worker (started at the first poke)
        deadline = time.monotonic() + 60
        while len(_descendants(proc.pid)) < processes:
            assert time.monotonic() < deadline, "the server's processes did not start"
            time.sleep(0.1)
        time.sleep(1.0)
        below = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown, no flush: the process is gone
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        deadline = time.monotonic() + 30
        while left := [p for p in below if _alive(p)]:
            assert time.monotonic() < deadline, f"left behind by the killed server: {left}"
            time.sleep(0.1)
        proc = _serve(db_url, port, log)
        rows = httpx.get(f"{base}/plans/{plan}/reports", headers=o, timeout=60).json()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    got = sorted((int(r["period"]), r["value"], r["seq"]) for r in rows)
    assert got == [(1000 + i, 50.0 + i, 1) for i in acked]  # all there, each once
