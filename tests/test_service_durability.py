"""Durability (issue 15): a burst of reports, each acknowledged (201), then the server process
killed with SIGKILL and started again: every acknowledged report is there, each once, on
SQLite and on PostgreSQL. The server is the real ``autarky serve`` in a process of its own."""

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

from autarky.service.db import make_engine, migrate, session_scope
from autarky.service.store import create_unit

U = "EUR million"
N = 120  # reports in the burst


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "autarky", "serve", "--db", url, "--port",
                             str(port)], stdout=log.open("ab"), stderr=subprocess.STDOUT)
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


def test_acknowledged_reports_survive_sigkill(db_url, tmp_path):
    engine = make_engine(db_url)
    migrate(engine)
    with session_scope(engine) as s:
        _, office = create_unit(s, "planning office", "planner")
        _, farm = create_unit(s, "farms", "reporter", ("agriculture",))
    engine.dispose()
    port, log = _port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}/api"
    o, f = ({"Authorization": f"Bearer {t}"} for t in (office, farm))
    proc = _serve(db_url, port, log)
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
        os.kill(proc.pid, signal.SIGKILL)  # no shutdown, no flush: the process is gone
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
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
