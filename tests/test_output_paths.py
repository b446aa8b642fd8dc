"""Output paths (issue 9): every bad target answers with one message and exit 2; outputs are
written as a whole, so a killed or interrupted run leaves the previous output, never a mix.

Each case of the issue is one test. The command line runs in-process through
:func:`autarky.cli.app.main` (fast), except where a process must be killed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from autarky.cli.app import main
from autarky.errors import AutarkyError, OutputPathError
from autarky.io.output import MANIFEST, _host, check_target, output_folder, previous_output

ROOT = Path(__file__).resolve().parents[1]
AUTARKY = [sys.executable, "-m", "autarky"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def assert_refused(rc: int, err: str, *named: str) -> None:
    assert rc == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3, err  # one message (rich may wrap it)
    flat = " ".join(err.split())
    for n in named:
        assert n in flat, (n, err)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


# ------------------------------------------------------------------ each bad target, each command

COMMANDS = {
    "report": ["report", "textbook", "--out"],
    "demo": ["demo", "--out"],
    "compare": ["compare", "seven-year-plan", "--strategies", "free", "--out"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_is_an_existing_file(command: str, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("my notes")
    rc, _, err = run(capsys, *COMMANDS[command], str(target))
    assert_refused(rc, err, str(target), "is a file")
    assert target.read_text() == "my notes"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_is_dev_null(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, *COMMANDS[command], "/dev/null")
    assert_refused(rc, err, "/dev/null", "not a regular folder")
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_under_proc(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, *COMMANDS[command], "/proc/autarky-report")
    assert_refused(rc, err, "/proc/autarky-report", "cannot write in /proc")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_in_a_read_only_folder(command: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if os.access(ro, os.W_OK):  # root ignores the mode: make the folder's creation fail instead
        import tempfile

        def refuse(*args: object, **kwargs: object) -> str:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    rc, _, err = run(capsys, *COMMANDS[command], str(ro / "out"))
    assert_refused(rc, err, str(ro / "out"), "Permission denied")
    assert list(ro.iterdir()) == []
    ro.chmod(0o755)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_index_html_is_a_directory(command: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that is not an autarky output is refused; --force replaces it."""
    out = tmp_path / "rep"
    (out / "index.html").mkdir(parents=True)
    (out / "index.html" / "keep.txt").write_text("mine")
    rc, _, err = run(capsys, *COMMANDS[command], str(out))
    assert_refused(rc, err, str(out), "not a previous autarky output", "--force")
    assert (out / "index.html" / "keep.txt").read_text() == "mine"
    rc, _, err = run(capsys, *COMMANDS[command], str(out), "--force")
    assert rc == 0, err
    assert (out / MANIFEST).is_file()
    assert not (out / "index.html").is_dir() or command == "compare"
    assert not (out / "index.html" / "keep.txt").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_out_is_a_symlink(command: str, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    rc, _, err = run(capsys, *COMMANDS[command], str(link))
    assert_refused(rc, err, str(link), "symbolic link")
    assert list(real.iterdir()) == []


def test_symlinked_index_html_is_not_written_through(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A previous output whose index.html is a link to a file elsewhere: the new report
    replaces the link; the file it pointed to is untouched."""
    elsewhere = tmp_path / "precious.html"
    elsewhere.write_text("do not overwrite")
    out = tmp_path / "rep"
    rc, _, err = run(capsys, "report", "textbook", "--out", str(out))
    assert rc == 0, err
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(elsewhere)
    assert previous_output(out)  # the manifest lists index.html
    rc, _, err = run(capsys, "report", "textbook", "--out", str(out))
    assert rc == 0, err
    assert elsewhere.read_text() == "do not overwrite"
    assert not (out / "index.html").is_symlink()
    assert "Two-branch textbook economy" in (out / "index.html").read_text()


def test_previous_output_with_a_file_added_is_refused(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rep"
    assert run(capsys, "report", "textbook", "--out", str(out))[0] == 0
    (out / "my-notes.txt").write_text("written by hand")
    rc, _, err = run(capsys, "report", "textbook", "--out", str(out))
    assert_refused(rc, err, str(out), "not a previous autarky output")
    assert (out / "my-notes.txt").read_text() == "written by hand"


def test_previous_output_is_replaced_as_a_whole(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """dprk-1963 writes index.html and reliance.html; the textbook report after it leaves only
    its own page (no stale reliance.html from the earlier run)."""
    out = tmp_path / "rep"
    assert run(capsys, "report", "dprk-1963", "--out", str(out))[0] == 0
    assert (out / "reliance.html").is_file()
    assert run(capsys, "report", "textbook", "--out", str(out))[0] == 0
    assert sorted(snapshot(out)) == ["index.html"]
    doc = json.loads((out / MANIFEST).read_text())
    assert list(doc["files"]) == ["index.html"] and doc["scenario"] == "textbook"
    assert doc["files"]["index.html"] == hashlib.sha256((out / "index.html").read_bytes()
                                                        ).hexdigest()
    assert [p.name for p in tmp_path.iterdir()] == ["rep"]  # no temporary folder left


def test_stale_temporary_folder_of_a_killed_run_is_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".rep.autarky-{pid}@{_host()}-abcd"
    stale.mkdir()
    (stale / "index.html").write_text("<html>half")
    with output_folder(tmp_path / "rep") as tmp:
        (tmp / "index.html").write_text("<html></html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_failed_block_leaves_the_previous_output(tmp_path: Path) -> None:
    with output_folder(tmp_path / "rep") as tmp:
        (tmp / "a.html").write_text("old")
    with pytest.raises(RuntimeError), output_folder(tmp_path / "rep") as tmp:
        (tmp / "a.html").write_text("new, half")
        raise RuntimeError("killed halfway")
    assert (tmp_path / "rep" / "a.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_library_error_types() -> None:
    with pytest.raises(OutputPathError) as err:
        check_target("/dev/null")
    assert isinstance(err.value, AutarkyError) and isinstance(err.value, OSError)


# ------------------------------------------------------------------ data export

def test_data_export_into_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "afile"
    f.write_text("x")
    rc, _, err = run(capsys, "data", "export", "dprk-1963", str(f))
    assert_refused(rc, err, str(f), "is a file, not a folder")


def test_data_export_over_a_foreign_folder(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "dprk-1963").mkdir()
    (tmp_path / "dprk-1963" / "mine.csv").write_text("a,b\n")
    rc, _, err = run(capsys, "data", "export", "dprk-1963", str(tmp_path))
    assert_refused(rc, err, "dprk-1963", "not a previous autarky output")
    rc, _, err = run(capsys, "data", "export", "dprk-1963", str(tmp_path), "--force")
    assert rc == 0, err
    assert not (tmp_path / "dprk-1963" / "mine.csv").exists()


def test_data_export_single_file_with_other_content(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "textbook.yaml").write_text("name: mine\n")
    rc, _, err = run(capsys, "data", "export", "textbook", str(tmp_path))
    assert_refused(rc, err, "textbook.yaml", "other content", "--force")
    assert (tmp_path / "textbook.yaml").read_text() == "name: mine\n"
    assert run(capsys, "data", "export", "textbook", str(tmp_path), "--force")[0] == 0
    assert run(capsys, "data", "export", "textbook", str(tmp_path))[0] == 0  # same content: ok


# ------------------------------------------------------------------ killed and interrupted runs

def _complete_reports(tmp_path: Path) -> dict[str, dict[str, bytes]]:
    want = {}
    for name in ("textbook", "dprk-1963"):
        out = tmp_path / f"full-{name}"
        assert main(["report", name, "--out", str(out)]) == 0
        want[name] = snapshot(out)  # reports are byte-for-byte reproducible
    return want


def test_kill_9_never_leaves_a_partial_or_mixed_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        wait_for_temporary: Callable[..., bool]) -> None:
    """kill -9 of ``autarky report`` at random moments, 20 times, alternating two scenarios:
    after each kill the folder holds exactly the previous report or exactly the new one."""
    want = _complete_reports(tmp_path)
    capsys.readouterr()
    out = tmp_path / "rep"
    assert main(["report", "textbook", "--out", str(out)]) == 0
    state = "textbook"
    rng = random.Random(20261201)
    outcomes = []
    for i in range(20):
        name = "dprk-1963" if state == "textbook" else "textbook"
        proc = subprocess.Popen([*AUTARKY, "report", name, "--out", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        if i % 4 == 3:  # at any moment, start-up included
            time.sleep(rng.uniform(0.0, 5.0))
        else:  # while the pages are being written
            wait_for_temporary(tmp_path, "rep", proc)
            time.sleep(rng.uniform(0.0, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = snapshot(out)
        match = [k for k, v in want.items() if v == got]
        assert match, f"kill {i}: {sorted(got)} is neither complete report"
        assert match[0] in (state, name)
        outcomes.append(match[0] != state)
        state = match[0]
        html = (out / "index.html").read_bytes()
        assert html.rstrip().endswith(b"</html>")
    assert main(["report", "textbook", "--out", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full-dprk-1963", "full-textbook",
                                                          "rep"]  # stale folders removed


def test_ctrl_c_while_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              wait_for_temporary: Callable[..., bool]) -> None:
    """SIGINT while the pages are written: exit 130, one message, no traceback, the previous
    report intact and no temporary folder left."""
    out = tmp_path / "rep"
    assert main(["report", "textbook", "--out", str(out)]) == 0
    before = snapshot(out)
    proc = subprocess.Popen([*AUTARKY, "report", "dprk-1963", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert wait_for_temporary(tmp_path, "rep", proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "interrupted" in text and "Traceback" not in text
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
