"""Hardening found by review (issue 9): each test guards a defect a reviewer demonstrated on
the first version of the output folders, the scenario limits and the signal handling; the
comment says what went wrong before."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from autarky.cli.app import EXIT_INTERNAL, main
from autarky.errors import OutputPathError, ScenarioError
from autarky.io import read_scenario
from autarky.io.output import check_target, output_folder

ROOT = Path(__file__).resolve().parents[1]
AUTARKY = [sys.executable, "-m", "autarky"]



def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    rc = main(list(argv))
    return rc, " ".join(capsys.readouterr().err.split())


# ------------------------------------------------------------------ scenario input -> exit 70

def test_huge_horizon_year_is_a_scenario_error(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               textbook_yaml: str) -> None:
    # Was: io/planning.py builds pd.Index(list(range(first, last + 1)), dtype=int64) without a
    # bound: `last: 100000000000000000000` raises a bare OverflowError, so the library raises
    # a builtin (not ScenarioError) and the CLI says "internal error (a bug)" and exits 70.
    path = tmp_path / "s.yaml"
    path.write_text(textbook_yaml + "horizon: {first: 1, last: 100000000000000000000}\n")
    with pytest.raises(ScenarioError):
        read_scenario(path)
    rc, err = run(capsys, "validate", str(path))
    assert rc == 2, err
    assert "horizon" in err


def test_long_horizon_is_bounded(tmp_path: Path, textbook_yaml: str) -> None:
    # Was: the horizon has no documented maximum. 10 million years makes a plain
    # `validate` take ~6 s (30 million: ~17 s and gigabytes); a 2000-year horizon makes `plan`
    # run ~70 s with no progress bar. A scenario file should not be able to do that.
    path = tmp_path / "s.yaml"
    path.write_text(textbook_yaml + "horizon: {first: 1, last: 10000000}\n")
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="horizon"):
        read_scenario(path)
    assert time.perf_counter() - t0 < 2.0


def test_nul_byte_in_table_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     textbook_yaml: str) -> None:
    # Was: a table reference with a NUL character ("x\0.csv", valid YAML) reaches
    # Path.resolve()/is_file() in io/scenario.py (_inside catches only OSError/RuntimeError),
    # which raise ValueError("embedded null byte"): the CLI prints "internal error" and exits 70
    # instead of exit 2 naming the key.
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "scenario.yaml").write_text(re.sub(  # the YAML escape \0: a NUL in the name
        r"technology:.*?\nfinal_demand", lambda m: 'technology: "x\\0.csv"\nfinal_demand',
        textbook_yaml, flags=re.S))
    rc, err = run(capsys, "validate", str(folder))
    assert rc != EXIT_INTERNAL and "internal error" not in err, err
    assert rc == 2 and "technology" in err, err


def test_check_target_nul_byte_raises_the_projects_error() -> None:
    # Was: check_target/output_folder/data.export raise a bare ValueError for a
    # path with a NUL byte, not OutputPathError (AutarkyError).
    with pytest.raises(OutputPathError):
        check_target("report\0x")


# ------------------------------------------------------------------ output folders

def test_force_does_not_delete_the_input_scenario(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                               textbook_yaml: str) -> None:
    # Was (data loss): `report proj/s.yaml --out proj --force` reads the scenario, then swaps
    # the whole folder out and deletes it: the input scenario (and the user's other files) are
    # gone. Likewise `--out .`, `--out ..`, `--out ""` or `--out ~` with --force delete the
    # current/home folder. A target that contains the input or the current directory should be
    # refused even with --force.
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "s.yaml").write_text(textbook_yaml)
    (proj / "notes.md").write_text("mine")
    rc, err = run(capsys, "report", str(proj / "s.yaml"), "--out", str(proj), "--force")
    assert (proj / "s.yaml").read_text() == textbook_yaml, "the input scenario was deleted"
    assert rc == 2, err


def test_force_does_not_delete_the_current_directory(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Was (data loss): see above; `--out .. --force` run from a subfolder replaces (deletes) the
    # folder the user is working in, including the current directory.
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "thesis.txt").write_text("precious")
    monkeypatch.chdir(work / "sub")
    rc, err = run(capsys, "report", "textbook", "--out", "..", "--force")
    assert (work / "thesis.txt").exists(), "the parent of the current directory was deleted"
    assert rc == 2, err


def test_output_folder_respects_umask(tmp_path: Path) -> None:
    # Was: output_folder does os.chmod(tmp, 0o755) on the new folder, ignoring the umask: with
    # umask 077 (private files) the report folder becomes world-readable and -listable.
    old = os.umask(0o077)
    try:
        with output_folder(tmp_path / "rep") as tmp:
            (tmp / "a.txt").write_text("x")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "rep").stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


def test_atomic_exchange_does_not_depend_on_ldconfig(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Was: _exchange locates libc with ctypes.util.find_library("c"), which on
    # Linux shells out to /sbin/ldconfig (or gcc/ld). In a minimal container without them it
    # returns None and the atomic RENAME_EXCHANGE is silently replaced by the two-rename
    # fallback (a window with no output at all), although libc is loaded in the process
    # (ctypes.CDLL(None) would find renameat2).
    import ctypes.util

    from autarky.io import output

    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux only")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert output._exchange(a, b), "no atomic exchange when find_library finds nothing"
    assert (b / "x").read_text() == "a"


@pytest.fixture
def tmpfs_mount(tmp_path: Path) -> Path:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount")
    if subprocess.run(["mount", "-t", "tmpfs", "none", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mnt
    subprocess.run(["umount", str(mnt)], capture_output=True)


def test_out_is_an_empty_mount_point(tmpfs_mount: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    # Was: an empty mount point (a Docker volume, a USB stick) failed on every run with "cannot
    # be written: Device or resource busy": an output is built beside its folder and swapped in,
    # and a mount point cannot be swapped. Now refused at once with a message that says to
    # name a folder inside it (which works).
    rc, err = run(capsys, "report", "textbook", "--out", str(tmpfs_mount))
    assert rc == 2 and "mount point" in err and str(tmpfs_mount / "report") in err, err
    rc, err = run(capsys, "report", "textbook", "--out", str(tmpfs_mount / "report"))
    assert rc == 0, err
    assert (tmpfs_mount / "report" / "index.html").is_file()


# ------------------------------------------------------------------ exit codes, signals

def test_broken_pipe_is_not_exit_1() -> None:
    # Was: `autarky schema | head -1` (any command, any --format) exits 1 silently: rich's
    # Console.on_broken_pipe and click both turn EPIPE into SystemExit(1). The README defines
    # exit 1 as "an answer that is a failure (an infeasible plan)", so a pipeline with
    # `set -o pipefail` reports a plan failure.
    proc = subprocess.Popen([*AUTARKY, "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away before anything is written
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err.decode()
    assert proc.returncode != 1, "broken pipe reported as a plan failure (exit 1)"


def test_sigterm_leaves_no_temporary_folder(tmp_path: Path,
                                            wait_for_temporary: Callable[..., bool]) -> None:
    # Was: SIGTERM (kill, systemd stop, a CI timeout) is not handled: the process dies without
    # running output_folder's cleanup, so `.rep.autarky-PID-XXXX` (a half-written report) stays
    # beside the target until a later run writes the same target, and no message is printed.
    out = tmp_path / "rep"
    proc = subprocess.Popen([*AUTARKY, "report", "dprk-1963", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert wait_for_temporary(tmp_path, "rep", proc), "the report never started writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "terminated" in err.decode(), err.decode()
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".rep.autarky-")]
    assert left == [], left


def test_ctrl_c_during_start_up_has_no_traceback() -> None:
    # Was: Ctrl-C in the first ~0.2 s (while `from autarky.cli import main` imports typer, rich
    # and the command modules) prints a KeyboardInterrupt traceback and dies by SIGINT: the
    # one error path only starts inside main(). Simulated deterministically by raising SIGINT
    # when typer is first imported, then running the installed console script.
    script = Path(sys.executable).parent / "autarky"
    if not script.is_file():
        pytest.skip("no console script")
    code = (
        "import builtins, os, signal, sys\n"
        "orig = builtins.__import__\n"
        "def imp(name, *a, **k):\n"
        "    if name == 'typer':\n"
        "        builtins.__import__ = orig\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return orig(name, *a, **k)\n"
        "builtins.__import__ = imp\n"
        f"sys.argv = [{str(script)!r}, '--version']\n"
        f"exec(compile(open({str(script)!r}).read(), {str(script)!r}, 'exec'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert "Traceback" not in proc.stderr, proc.stderr[-500:]
    assert proc.returncode == 130


def test_previous_output_edited_by_hand_is_refused(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # Was: the manifest listed names only, so a page edited by hand (or an empty folder added)
    # was replaced without asking. Now the manifest holds each file's SHA-256.
    out = tmp_path / "rep"
    assert run(capsys, "report", "textbook", "--out", str(out))[0] == 0
    page = out / "index.html"
    page.write_text(page.read_text() + "<!-- my annotations -->")
    rc, err = run(capsys, "report", "textbook", "--out", str(out))
    assert rc == 2 and "not empty and is not a previous autarky output" in err
    assert page.read_text().endswith("<!-- my annotations -->")
    assert run(capsys, "report", "textbook", "--out", str(out), "--force")[0] == 0
    (out / "extra").mkdir()
    assert run(capsys, "report", "textbook", "--out", str(out))[0] == 2


def test_stale_folders_of_other_machines_are_left(tmp_path: Path) -> None:
    # Was: a temporary folder was judged stale by its process id alone, so a run on another
    # machine sharing the folder (NFS, a container volume) could lose its folder.
    other = tmp_path / ".rep.autarky-999999@some_other_host-abcd1234"
    other.mkdir()
    with output_folder(tmp_path / "rep") as tmp:
        (tmp / "a.txt").write_text("x")
    assert other.is_dir()


def test_data_export_does_not_replace_the_bundled_data(capsys: pytest.CaptureFixture[str]) -> None:
    # An export into the package's own scenarios folder would replace the dataset by itself.
    from autarky import data

    src = data.dataset("dprk-1963").path
    rc, err = run(capsys, "data", "export", "dprk-1963", str(src.parent), "--force")
    assert rc == 2 and "holds an input of this run" in err, err
    assert (src / "scenario.yaml").is_file()


def test_a_report_folder_of_autarky_0_2_is_a_previous_output(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    # Folders written before manifests existed (autarky 0.2's `make demo`) are replaced
    # without --force; a folder with anything else in it is not.
    old = tmp_path / "report"
    old.mkdir()
    (old / "index.html").write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                                    "<title>autarky — North Korea 1963</title></head></html>")
    (old / "plans.html").write_text("<!DOCTYPE html><html></html>")
    rc, err = run(capsys, "report", "textbook", "--out", str(old))
    assert rc == 0, err
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("<!DOCTYPE html><title>autarky</title>")
    (other / "notes.txt").write_text("mine")
    rc, err = run(capsys, "report", "textbook", "--out", str(other))
    assert rc == 2 and (other / "notes.txt").exists()
