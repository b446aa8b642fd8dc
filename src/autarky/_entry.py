"""The console script's entry point, outside :mod:`autarky.cli` so that nothing heavy (typer,
rich, the commands) is imported before the error path starts: the signal handlers are installed
first and the command line is imported inside the ``try``, so an interrupt at any moment,
start-up included, ends with one line and no traceback. SIGTERM ends a run through the same
error path (an output being written is removed); SIGPIPE ends it quietly when the reader of its
output goes away (``autarky schema | head -1``), as Unix tools do."""

from __future__ import annotations

import signal
import sys
from types import FrameType


class Terminated(BaseException):
    """Raised in the main thread by SIGTERM."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def install() -> None:
    """Install the command line's signal handlers (the library installs none)."""
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _terminate)
    if hasattr(signal, "SIGPIPE") and sys.platform != "win32":
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def main() -> None:
    """Run ``autarky`` with ``sys.argv`` and exit with its status."""
    install()
    try:
        from autarky.cli.app import main as run
    except (KeyboardInterrupt, Terminated) as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        sys.stderr.write(("interrupted" if interrupted else "terminated")
                         + ": nothing was written\n")
        sys.exit(130 if interrupted else 143)
    sys.exit(run(sys.argv[1:]))
