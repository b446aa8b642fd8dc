"""What every benchmark records beside its numbers: the machine, the versions, the load and the
BLAS kernel, and the state of the code measured.

The machine is shared, so absolute times are noisy: every script compares its variants side by
side in one run and reports ratios; the load average (``os.getloadavg()``, taken at the start and
at the end of a run) says how busy the machine was, and ``threadpoolctl`` which BLAS kernel and
how many threads numpy and scipy used.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

ROOT = Path(__file__).resolve().parent.parent


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as text."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on every platform
        return "not available"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def threadpools() -> str:
    """BLAS and OpenMP libraries in use (``threadpoolctl.threadpool_info()``), one per line."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed (`pip install threadpoolctl`, in the bench extra)"
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS too)

    rows = []
    for p in threadpool_info():
        rows.append(f"{p.get('internal_api')} {p.get('version')} ({p.get('user_api')}, "
                    f"{p.get('threading_layer', '-')} threading, "
                    f"{p.get('architecture', '-')} kernel, {p.get('num_threads')} threads) "
                    f"from {Path(str(p.get('filepath'))).name}")
    return "; ".join(rows) or "none found"


def git_state() -> str:
    """The commit measured and whether ``src/`` differs from it (read-only git calls)."""
    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), *args],
                                 capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return out.stdout.rstrip("\n")

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    return f"{head}" + (f" with uncommitted changes in {', '.join(dirty)}" if dirty else "")


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Machine, versions and state, as taken at the start of a run."""
    env = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "versions": f"numpy {np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}",
        "code": git_state(),
        "threadpools": threadpools(),
        "load average at start (1/5/15 min)": loadavg(),
    }
    env.update(extra or {})
    return env


def environment_lines(env: dict[str, str], command: str) -> list[str]:
    """The environment as Markdown bullet lines, with the command and the closing load."""
    lines = [f"- command: `{command}`"]
    lines += [f"- {k}: {v}" for k, v in env.items()]
    lines.append(f"- load average at end (1/5/15 min): {loadavg()}")
    return lines


def command_line() -> str:
    """How this script was run, for the results file."""
    script = Path(sys.argv[0])
    with contextlib.suppress(ValueError):
        script = script.resolve().relative_to(ROOT)
    return " ".join(["python", str(script), *sys.argv[1:]])


def best(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` runs (``time.perf_counter``), seconds."""
    import time

    t = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t
