"""Serving the service from several processes: one listening socket, N uvicorn servers.

One server process is bound by Python's interpreter lock to about one CPU however many
request threads it has. With ``autarky serve --processes N`` the parent binds the socket and
starts N server processes on it (the kernel hands each new connection to one of them); each
has its own connection pools, token cache and watcher. The first is the *primary*: it alone
resubmits the background runs a stopped server left (:func:`autarky.service.jobs.recover`),
so that no run is taken twice and none running in a sibling is declared dead. The watchers
coordinate through the stored snapshots (a plan one of them recomputed lately is not
recomputed by another within the watch interval).

The processes end together: when one ends (an error, a signal), the parent stops the others
and exits; on Linux each server process also ends when the parent dies, even by SIGKILL
(``PR_SET_PDEATHSIG``), so that no orphan keeps the port.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import signal
import socket
from typing import Any

from autarky.service.app import ServiceConfig
from autarky.service.watcher import die_with_parent

__all__ = ["serve_processes"]


def _child(cfg: ServiceConfig, sock: socket.socket, log_level: str, parent: int) -> None:
    die_with_parent(parent)
    import uvicorn

    from autarky.service.app import create_app

    config = uvicorn.Config(create_app(cfg), log_level=log_level)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches every process of the group
        uvicorn.Server(config).run(sockets=[sock])


def _answers(host: str, port: int) -> bool:
    """Whether a server process answers ``/api/health`` on the shared socket."""
    import http.client

    where = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    conn = http.client.HTTPConnection(where, port, timeout=5)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening, to share with the server processes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve_processes(cfg: ServiceConfig, host: str, port: int, processes: int,
                    log_level: str = "warning") -> int:
    """Serve ``cfg`` on ``host:port`` from ``processes`` server processes until one of them
    ends or the parent is stopped (SIGINT, SIGTERM); the exit status (0: stopped by a
    signal)."""
    sock = listening_socket(host, port)
    ctx = multiprocessing.get_context("spawn")
    children: list[Any] = []
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        from multiprocessing.connection import wait

        for i in range(processes):
            one = dataclasses.replace(cfg, processes=processes, primary=i == 0)
            p = ctx.Process(target=_child, args=(one, sock, log_level, os.getpid()),
                            name=f"autarky-serve-{i}", daemon=False)
            p.start()
            children.append(p)
            # the primary serves alone until its start-up (the recovery of background runs)
            # is done: no sibling takes a run that recovery would take again
            while i == 0 and not stopping and p.is_alive() and not _answers(host, port):
                wait([p.sentinel], timeout=0.2)
            if stopping or not p.is_alive():
                break
        while not stopping and all(p.is_alive() for p in children):
            wait([p.sentinel for p in children], timeout=0.5)
        if stopping:  # stopped by a signal: each child's own way of ending is fine
            return 0
        return 1  # a server process ended on its own: the service ends with it
    finally:
        for p in children:
            if p.is_alive():
                p.terminate()  # SIGTERM: uvicorn finishes the requests in progress
        for p in children:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
                p.join()
        sock.close()
        for s, h in old.items():
            signal.signal(s, h)
