"""Long work shows progress (issue 10, item 3): on a terminal, every command that solves or
writes shows a spinner or a bar on standard error while it works, and none of it reaches
standard output, which stays what a pipe gets without a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

AUTARKY = [sys.executable, "-m", "autarky"]


def run_on_a_terminal(argv: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """Run with standard error on a pseudo-terminal and standard output on a pipe."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    env.pop("CI", None)
    proc = subprocess.Popen([*AUTARKY, *argv], stdout=subprocess.PIPE, stderr=slave, env=env,
                            cwd=cwd)
    os.close(slave)
    seen = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen.append(chunk)
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.stdout is not None
    out = proc.stdout.read()
    return proc.wait(), out, b"".join(seen)


@pytest.mark.parametrize(("argv", "shown"), [
    (["balance", "island"], "solving the balance"),
    (["optimize", "island"], "solving the plan"),
    (["plan", "seven-year-plan", "--strategy", "free"], "planning the horizon"),
    (["reliance", "island"], "measuring self-reliance"),
    (["autarky-cost", "island"], "re-planning as imports are capped"),
    (["criticality", "island"], "extracting each branch"),
    (["stress", "island", "--shock", "partner:northland"], "propagating"),
    (["report", "island", "--out", "rep"], "writing the report"),
])
def test_progress_goes_to_the_terminal_not_the_output(argv: list[str], shown: str,
                                                      tmp_path: Path) -> None:
    rc, out, terminal = run_on_a_terminal(argv, tmp_path)
    assert rc == 0, terminal.decode(errors="replace")[-2000:]
    assert shown.encode() in terminal
    assert b"\x1b" not in out  # no control sequence in what a pipe receives
    if argv[0] != "report":  # the report folder exists now: a second run needs --force
        plain = subprocess.run([*AUTARKY, *argv], capture_output=True, cwd=tmp_path,
                               env={**os.environ, "COLUMNS": "120"}, check=True)
        assert out == plain.stdout
        assert shown.encode() not in plain.stderr  # no terminal, no spinner
