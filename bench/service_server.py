"""The server side of bench/service.py: ``autarky serve`` in a process of its own, and the CPU
time of the machine, of a process and of this one (from /proc), to say where a run's CPU went."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

AUTARKY = Path(sys.executable).with_name("autarky")


# ---------------------------------------------------------------------------- CPU accounting
def _clock_ticks() -> float:
    return float(os.sysconf("SC_CLK_TCK"))


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (``/proc/stat``)."""
    try:
        parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:  # pragma: no cover - not Linux
        return 0.0, 0.0
    vals = [float(v) for v in parts[:8]]
    idle = vals[3] + vals[4]
    return (sum(vals) - idle) / _clock_ticks(), sum(vals) / _clock_ticks()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (``/proc/PID/stat``), 0 when gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    return (float(fields[11]) + float(fields[12])) / _clock_ticks()


def own_cpu() -> float:
    """CPU seconds of this process (the load generator)."""
    return time.process_time()


def process_tree(pid: int) -> dict[int, tuple[int, str]]:
    """``pid`` and the processes below it: ``{pid: (depth, command line)}`` (Linux)."""
    out: dict[int, tuple[int, str]] = {}
    todo = [(pid, 0)]
    while todo:
        p, depth = todo.pop()
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
        except OSError:
            continue
        out[p] = (depth, cmd)
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                todo += [(int(k), depth + 1) for k in (task / "children").read_text().split()]
            except OSError:
                continue
    return out


def server_parts(pid: int, processes: int) -> dict[str, list[int]]:
    """The processes of an ``autarky serve`` run: the server processes (the parent too when
    there are several) and the watcher's worker processes (the multiprocessing children of
    a server process; their resource trackers are counted with them)."""
    serving_depth = 0 if processes == 1 else 1
    parts: dict[str, list[int]] = {"server": [], "watcher": []}
    for p, (depth, _cmd) in process_tree(pid).items():
        parts["server" if depth <= serving_depth else "watcher"].append(p)
    return parts


@dataclass
class CpuWindow:
    """CPU seconds used between :meth:`start` and :meth:`stop`: machine, the server's
    processes, the watcher's workers, the generator."""

    server_pid: int
    processes: int = 1
    values: dict[str, float] = field(default_factory=dict)

    def _parts(self) -> dict[str, dict[int, float]]:
        return {k: {p: process_cpu(p) for p in ps}
                for k, ps in server_parts(self.server_pid, self.processes).items()}

    def start(self) -> None:
        self._m = machine_cpu()
        self._p = self._parts()
        self._g = own_cpu()
        self._t = time.perf_counter()

    def stop(self) -> None:
        m = machine_cpu()
        wall = time.perf_counter() - self._t
        now = self._parts()
        # a process started during the window counts from 0; one ended in it is lost (rare)
        used = {k: sum(v - self._p.get(k, {}).get(p, 0.0) for p, v in now[k].items())
                for k in now}
        self.values = {"wall": wall, "busy": m[0] - self._m[0], "total": m[1] - self._m[1],
                       "server": used["server"], "watcher": used["watcher"],
                       "generator": own_cpu() - self._g}

    def text(self) -> str:
        v = self.values
        if not v or v["total"] <= 0:
            return "-"
        cpus = os.cpu_count() or 1
        other = max(0.0, v["busy"] - v["server"] - v["watcher"] - v["generator"])
        return (f"{100 * v['busy'] / v['total']:.0f} % of {cpus} CPUs busy: server "
                f"{v['server'] / v['wall']:.2f}, watcher {v['watcher'] / v['wall']:.2f}, "
                f"generator {v['generator'] / v['wall']:.2f}, other (database, rest of "
                f"machine) {other / v['wall']:.2f} CPUs")


# ---------------------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """``autarky serve`` in its own process, with the planner token it printed."""

    url: str
    folder: Path
    args: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0
    token: str = ""

    @property
    def processes(self) -> int:
        """How many server processes it runs (``--processes``)."""
        args = list(self.args)
        return int(args[args.index("--processes") + 1]) if "--processes" in args else 1

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> Server:
        self.port = free_port()
        out, err = self.folder / "serve.out", self.folder / "serve.err"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}
        with out.open("wb") as fo, err.open("wb") as fe:
            self.proc = subprocess.Popen([str(AUTARKY), "serve", "--db", self.url, "--port",
                                          str(self.port), *self.args], stdout=fo, stderr=fe,
                                         env=env)
        deadline = time.monotonic() + timeout
        prefix = "planner token (shown once, keep it):"
        while not self.token:
            for line in out.read_text(errors="replace").splitlines():
                if line.startswith(prefix):
                    self.token = line[len(prefix):].strip()
            self._alive_or_raise(deadline)
            time.sleep(0.1)
        while True:
            try:
                if httpx.get(f"{self.base}/api/health", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            self._alive_or_raise(deadline)
            time.sleep(0.2)

    def _alive_or_raise(self, deadline: float) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None or time.monotonic() > deadline:
            err = (self.folder / "serve.err").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"autarky serve did not start (exit {self.proc.poll()}): {err}")

    def stderr_tail(self) -> str:
        return self.stderr()[-3000:]

    def stderr(self) -> str:
        return (self.folder / "serve.err").read_text(errors="replace")

    def exceptions(self, since: int = 0) -> dict[str, int]:
        """The exceptions in the server's log from character ``since`` (the last line of each
        traceback), counted."""
        out: dict[str, int] = {}
        for line in self.stderr()[since:].splitlines():
            m = re.match(r"^([A-Za-z_][\w.]*(Error|Exception|Timeout|Exit)\w*)(: .*)?$", line)
            if m:
                key = line[:200]
                out[key] = out.get(key, 0) + 1
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


