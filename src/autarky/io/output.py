"""Output folders written as a whole: a temporary folder beside the target, moved into place.

A report or an export is written into a fresh folder ``.NAME.autarky-PID-XXXX`` beside the
target ``NAME`` and, once complete, swapped with the target in one atomic ``renameat2``
exchange (Linux; elsewhere two renames), so a run killed at any moment leaves the previous
output (or, on the fallback between its two renames, nothing) — never a mix of old and new
files. The folder written carries a manifest, :data:`MANIFEST`, naming its files; a target
that exists must be empty or such a previous output with nothing added by hand, unless the
caller passes ``force=True``. Because the content is written into a folder autarky has just
created, no file is ever written through a symbolic link; a target that is itself a symbolic
link is refused. Left-over temporary folders of killed runs are removed by the next run.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with output_folder(root / "report") as tmp:
...     _ = (tmp / "index.html").write_text("<p>first</p>")
>>> with output_folder(root / "report") as tmp:   # a previous output: replaced
...     _ = (tmp / "index.html").write_text("<p>second</p>")
>>> (root / "report" / "index.html").read_text()
'<p>second</p>'
>>> sorted(p.name for p in root.iterdir())        # no temporary folder is left behind
['report']
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import glob
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from autarky.errors import AutarkyError, OutputPathError

#: Name of the manifest written into every output folder.
MANIFEST = ".autarky-output.json"
_TMP_TAG = ".autarky-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _describe(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name != MANIFEST and not p.is_dir())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def previous_output(folder: str | Path) -> bool:
    """Whether ``folder`` is an output autarky wrote, unchanged since: its manifest lists every
    file in it with the SHA-256 of its content, and nothing else (no folder, file or link) has
    been added, removed or edited."""
    folder = Path(folder)
    if not (folder / MANIFEST).exists():
        return _legacy_report(folder)
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = dict(doc["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    try:
        entries = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.name != MANIFEST}
        parents = {str(parent) for f in listed for parent in Path(f).parents if str(parent) != "."}
        if entries != set(listed) | parents:
            return False
        return all((folder / f).is_symlink() or _digest(folder / f) == h
                   for f, h in listed.items())
    except OSError:
        return False


def _ancestors_ok(path: Path, name: str) -> None:
    """Refuse a path below a file (its folder cannot be created)."""
    for above in path.absolute().parents:
        if above.exists() or above.is_symlink():
            if not above.is_dir():
                raise OutputPathError(name, f"cannot be created: {above} is a file, not a folder")
            return


def _protected(path: Path, name: str, protect: Iterable[str | Path]) -> None:
    """Refuse a target whose replacement would delete what the user works with: a file-system
    root, the home folder, the current folder or one above it, or a folder holding an input."""
    real = path.resolve()
    cwd = Path.cwd().resolve()
    if real == Path(real.anchor) or real == Path.home().resolve():
        raise OutputPathError(name, "is the root or the home folder; an output folder is "
                                    "replaced as a whole: name a new folder")
    if real == cwd or real in cwd.parents:
        raise OutputPathError(name, "is the current folder or one above it; an output folder "
                                    "is replaced as a whole: name a new folder")
    for p in protect:
        q = Path(p).resolve()
        if q == real or real in q.parents:
            raise OutputPathError(name, f"holds an input of this run ({p}); an output folder is "
                                        "replaced as a whole: name another folder")


#: The pages autarky 0.2 wrote, before output folders carried a manifest.
_LEGACY_PAGES = frozenset({"index.html", "plans.html", "reliance.html", "monitoring.html",
                           "compare.html"})


def _legacy_report(folder: Path) -> bool:
    """A report folder of autarky 0.2 (no manifest): only its page names, as regular files,
    and an index or compare page that autarky wrote."""
    try:
        entries = list(folder.iterdir())
        if not entries or any(p.name not in _LEGACY_PAGES or p.is_symlink() or not p.is_file()
                              for p in entries):
            return False
        first = next(p for p in sorted(entries) if p.name in ("index.html", "compare.html"))
        head = first.read_text(encoding="utf-8", errors="replace")[:4000]
    except (OSError, StopIteration):
        return False
    return head.startswith("<!DOCTYPE html>") and ("autarky" in head)


def check_target(target: str | Path, *, force: bool = False,
                 protect: Iterable[str | Path] = ()) -> Path:
    """Refuse a target an output may not replace; return it as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputPathError
        ``target`` is a symbolic link; something other than a folder (a file, ``/dev/null``);
        a mount point (it cannot be replaced as a whole); the root, the home folder, the
        current folder or one above it, or a folder holding one of ``protect`` (the run's
        inputs), even with ``force``; or a non-empty folder that is not an unchanged previous
        autarky output (unless ``force``).
    """
    name = str(target)
    if "\0" in name:
        raise OutputPathError(repr(name), "a path may not contain a NUL character")
    path = Path(target)
    if path.name in ("", ".", ".."):
        path = path.resolve()
    _ancestors_ok(path, name)
    try:
        _protected(path, name, protect)
    except (OSError, RuntimeError) as exc:
        if isinstance(exc, OutputPathError):
            raise
        raise OutputPathError(name, f"cannot be resolved: {exc}") from None
    if path.is_symlink():
        raise OutputPathError(name, "is a symbolic link; name the folder it points to, "
                                    f"{os.path.realpath(path)}, if that is meant")
    try:
        st = path.stat()
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise OutputPathError(name, f"cannot be inspected: {_describe(exc)}") from None
    if not stat.S_ISDIR(st.st_mode):
        kind = "a file" if stat.S_ISREG(st.st_mode) else "not a regular folder (a device, pipe " \
                                                           "or socket)"
        raise OutputPathError(name, f"is {kind}; an output is a folder: name a new folder or "
                                    "an empty one")
    if os.path.ismount(path):
        raise OutputPathError(name, "is a mount point, which cannot be replaced as a whole; "
                                    f"name a folder inside it (e.g. {path / 'report'})")
    try:
        empty = not any(path.iterdir())
    except OSError as exc:
        raise OutputPathError(name, f"cannot be read: {_describe(exc)}") from None
    if not empty and not force and not previous_output(path):
        raise OutputPathError(name, f"is not empty and is not a previous autarky output (no "
                                    f"{MANIFEST} listing its files); name a new folder, or pass "
                                    "--force to replace it and everything in it")
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _host() -> str:
    """This machine's name, reduced to letters, digits, dots and underscores."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:40] or "host"


def _remove_stale(parent: Path, name: str) -> None:
    """Temporary folders of runs on this machine that were killed (their process is gone);
    those of other machines sharing the folder (NFS, a container's volume) are left alone."""
    prefix = f".{name}{_TMP_TAG}"
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for p in entries:
        if not p.name.startswith(prefix) or p.is_symlink() or not p.is_dir():
            continue
        pid, _, rest = p.name[len(prefix):].partition("@")
        host = rest.split("-", 1)[0]
        if pid.isdigit() and host == _host() and not _pid_alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system has no such call."""
    fn = None
    for lib in (None, ctypes.util.find_library("c")):  # the loaded libc first: no ldconfig
        try:
            fn = ctypes.CDLL(lib, use_errno=True).renameat2
            break
        except (OSError, AttributeError, TypeError):
            continue
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap_in(tmp: Path, target: Path) -> None:
    if not target.exists():
        os.rename(tmp, target)
        return
    if _exchange(tmp, target):  # tmp now holds the previous output
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = tmp.with_name(tmp.name + "-old")
    os.rename(target, old)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _manifest(folder: Path, meta: dict[str, Any]) -> None:
    from autarky import __version__

    doc = {"written_by": f"autarky {__version__}", "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           **meta, "files": {f: _digest(folder / f) for f in _files(folder)}}
    (folder / MANIFEST).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _mode(existing: Path) -> int:
    """The new folder's mode: the previous output's, else what the umask allows."""
    try:
        return stat.S_IMODE(existing.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o777 & ~mask


@contextmanager
def output_folder(target: str | Path, *, force: bool = False,
                  meta: dict[str, Any] | None = None,
                  protect: Iterable[str | Path] = ()) -> Iterator[Path]:
    """A fresh folder to write an output into; swapped in place of ``target`` when the block
    completes, removed if it fails or is interrupted.

    Parameters
    ----------
    target
        The output folder. It may not exist yet (its parents are created), or be empty, or be a
        previous autarky output; anything else is refused unless ``force``.
    force
        Replace a non-empty folder that is not a previous output, and everything in it.
    protect
        Inputs of the run: a target holding one is refused (see :func:`check_target`).
    meta
        Extra fields for the manifest (the command, the scenario).

    Raises
    ------
    OutputPathError
        The target is refused (see :func:`check_target`), or the folder cannot be created,
        written or moved (a read-only or missing parent, a full disk); the message names the
        path and the reason.
    """
    path = check_target(target, force=force, protect=protect)
    name = str(target)
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(name, f"cannot create its parent folder {parent}: "
                                    f"{_describe(exc)}") from None
    _remove_stale(parent, path.name)
    prefix = f".{path.name}{_TMP_TAG}{os.getpid()}@{_host()}-"
    mode = _mode(path)
    tmp: Path | None = None
    try:  # one try from the folder's creation on: an interrupt at any point removes it
        try:
            tmp = Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
        except OSError as exc:
            hint = (f" (an output is written beside its folder and moved into place: name a "
                    f"folder inside {path})" if path.is_dir() else "")
            raise OutputPathError(name, f"cannot write in {parent}: "
                                        f"{_describe(exc)}{hint}") from None
        try:
            yield tmp
            _manifest(tmp, meta or {})
            os.chmod(tmp, mode)
            _swap_in(tmp, path)
        except AutarkyError:
            raise
        except OSError as exc:
            raise OutputPathError(name, f"cannot be written: {_describe(exc)}") from None
    finally:
        if tmp is None:  # interrupted inside mkdtemp, after the folder was made
            for ours in parent.glob(glob.escape(prefix) + "*"):
                shutil.rmtree(ours, ignore_errors=True)
        elif tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def output_file(target: str | Path, text: str | bytes, *, force: bool = False) -> Path:
    """Write one file atomically; an existing file with other content is refused unless
    ``force``, a symbolic link or a folder always."""
    from autarky.io.writer import atomic_path

    name = str(target)
    if "\0" in name:
        raise OutputPathError(repr(name), "a path may not contain a NUL character")
    path = Path(target)
    data = text.encode("utf-8") if isinstance(text, str) else text
    _ancestors_ok(path, name)
    if path.is_symlink():
        raise OutputPathError(name, "is a symbolic link; it is not written through")
    if path.exists():
        if not path.is_file():
            raise OutputPathError(name, "exists and is not a file")
        with contextlib.suppress(OSError):
            if path.read_bytes() == data:
                return path
        if not force:
            raise OutputPathError(name, "exists with other content; pass --force to replace it")
    try:
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise OutputPathError(name, f"cannot be written: {_describe(exc)}") from None
    return path


__all__ = ["MANIFEST", "check_target", "output_file", "output_folder", "previous_output"]
