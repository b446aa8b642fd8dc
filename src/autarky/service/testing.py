"""Testing helpers for the service: a throw-away PostgreSQL server.

:class:`PostgresServer` runs Debian's ``postgresql`` binaries (``initdb``, ``pg_ctl``) on a
fresh data folder, listening on a Unix socket and a free loopback port, for a test run or a
benchmark; it stops and removes everything when done. ``initdb`` refuses to run as root, so as
root the server runs as the ``postgres`` user (made by Debian's package) and its folder is given
to that user. Used as ``with PostgresServer() as pg: url = pg.create_database("ops")``
(the tests' ``pg_server`` fixture, ``bench/service.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["PostgresServer", "find_binaries"]


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (Debian keeps them under
    ``/usr/lib/postgresql/VERSION/bin``), or ``None`` when PostgreSQL is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A PostgreSQL server of its own, for tests and benchmarks (a context manager).

    Attributes
    ----------
    url
        The server's URL (``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres``).
    port
        The loopback port it listens on.
    """

    def __init__(self, binaries: Path | None = None, *, fsync: bool = True) -> None:
        found = binaries or find_binaries()
        if found is None:
            raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install -y "
                               "postgresql)")
        self.bin = found
        self.fsync = fsync
        self.folder = Path(tempfile.mkdtemp(prefix="autarky-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._user: str | None = "postgres" if os.geteuid() == 0 else None
        self._started = False

    def _run(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self._user is not None:
            cmd = ["runuser", "-u", self._user, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> PostgresServer:
        """Make the data folder and start the server (waits until it takes connections)."""
        if self._user is not None:
            shutil.chown(self.folder, self._user, self._user)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                f"-c unix_socket_directories={self.folder} -c max_connections=300 "
                f"-c fsync={'on' if self.fsync else 'off'} -c shared_buffers=128MB")
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "start")
        self._started = True
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start: {self.log()}") from None
                time.sleep(0.1)
        return self

    def log(self) -> str:
        """The server's log (the end of it)."""
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def create_database(self, name: str) -> str:
        """A new empty database ``name``; returns its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        if self._started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self._started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None
                 ) -> None:
        self.stop()
