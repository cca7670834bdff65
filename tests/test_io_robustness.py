"""What the command reads and writes when the machine is unkind: nothing outside the repository
is read, a report file is whole or untouched, a full disk or a missing git is one line."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_repo, run_installed

SECRET = "ghp_SUPERSECRET0123456789"
SECRET_DAG_ID = "sk-live-SECRET42"
MARIA_BAD = 'from airflow import DAG\n\ndag = DAG("taxi", tags=["student:maria"])\n'


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "airflow_etiquette", *args]


@pytest.fixture
def linked_out(tmp_path: Path) -> Path:
    """A repository whose dags folder links to secrets outside it: a file, a DAG, and a folder."""
    outside = tmp_path / "home"
    outside.mkdir()
    (outside / "token.txt").write_text(f"{SECRET}\n")
    (outside / "dag.py").write_text(f'from airflow import DAG\nDAG(dag_id="{SECRET_DAG_ID}")\n')
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    (root / "dags/lasse").mkdir()
    os.symlink(outside / "token.txt", root / "dags/lasse/token.py")
    os.symlink("../../../home/dag.py", root / "dags/lasse/dag.py")
    os.symlink(outside, root / "dags/lasse/home")
    return root


def test_nothing_outside_the_repository_is_read(linked_out: Path, tmp_path: Path) -> None:
    runs = [
        run_installed("check", cwd=linked_out),
        run_installed("check", "--format", "json", cwd=linked_out),
        run_installed("check", "--format", "sarif", cwd=linked_out),
        run_installed("audit", "--format", "json", cwd=linked_out),
        run_installed("audit", "--format", "html", "--output", str(tmp_path / "audit.html"), cwd=linked_out),
    ]
    for result in runs:
        assert result.exit_code == 1, result.err
        assert SECRET not in result.out + result.err and SECRET_DAG_ID not in result.out + result.err
    html = (tmp_path / "audit.html").read_text()
    assert SECRET not in html and SECRET_DAG_ID not in html
    # Each link is reported once, by its path; the rest of the repository is checked.
    assert sorted(line.split(" ", 2)[:2] for line in runs[0].lines[:-1]) == [
        ["dags/lasse/dag.py:1:1:", "ETQ202"],
        ["dags/lasse/home:1:1:", "ETQ202"],
        ["dags/lasse/token.py:1:1:", "ETQ202"],
        ["dags/maria/bad.py:3:11:", "ETQ101"],
    ]


def test_with_the_symlink_rule_off_the_unread_file_still_says_why(linked_out: Path) -> None:
    (linked_out / "pyproject.toml").write_text('[tool.airflow-etiquette]\nignore = ["ETQ202"]\n')
    result = run_installed("check", "--format", "json", cwd=linked_out)
    assert result.exit_code == 1
    unread = "not read: it is a symlink (or inside a linked folder) that leads outside the repository"
    assert [(f["path"], f["code"], f["message"]) for f in result.findings if f["path"] != "dags/maria/bad.py"] == [
        ("dags/lasse/dag.py", "ETQ002", unread),
        ("dags/lasse/token.py", "ETQ002", unread),
    ]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_on_standard_output_is_one_line(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    with open("/dev/full", "w") as full:
        proc = subprocess.run(command("check"), cwd=root, stdout=full, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 2
    assert proc.stderr == (
        "airflow-etiquette: error: cannot write the report to standard output: No space left on device\n"
    )


def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {f"dags/maria/bad{n}.py": MARIA_BAD for n in range(300)})
    proc = subprocess.Popen(command("check"), cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    error = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in error and "internal error" not in error, error


def _closing(*descriptors: int):  # type: ignore[no-untyped-def]
    """Start the command with these standard descriptors closed, as `>&-` and `<&-` do."""

    def apply() -> None:
        for descriptor in descriptors:
            os.close(descriptor)

    return apply


@pytest.mark.parametrize(
    ("args", "closed", "code"),
    [
        (("check",), 1, 1),
        (("check", "--verbose"), 1, 1),
        (("audit",), 1, 1),
        (("check", "--show-files"), 1, 0),
        (("check", "--diff"), 1, 1),
        (("rules",), 1, 0),
        (("check",), 2, 1),
    ],
)
def test_a_closed_standard_output_or_error_writes_to_nowhere(
    tmp_path: Path, args: tuple[str, ...], closed: int, code: int
) -> None:
    """The report is lost, as with a reader that went away; the exit code still tells the result."""
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    other = subprocess.PIPE
    proc = subprocess.run(
        command(*args), cwd=root, capture_output=False, stdout=other, stderr=other, preexec_fn=_closing(closed)
    )
    assert proc.returncode == code, proc.stderr
    assert b"internal error" not in proc.stdout + proc.stderr and b"Traceback" not in proc.stdout + proc.stderr


def test_a_closed_standard_input_is_one_line_for_an_editors_check(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {})
    proc = subprocess.run(
        command("check", "--stdin-filename", "dags/maria/new.py"),
        cwd=root,
        capture_output=True,
        text=True,
        preexec_fn=_closing(0),
    )
    assert (proc.returncode, proc.stderr) == (
        2,
        "airflow-etiquette: error: --stdin-filename dags/maria/new.py reads the file from standard input, "
        "which is closed\n",
    )


def test_a_reader_that_goes_away_early_from_a_listing_ends_it_quietly(tmp_path: Path) -> None:
    for args in (("rules",), ("explain", "ETQ101")):
        proc = subprocess.Popen(command(*args), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        error = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0, error
        assert error == ""


def _file_size_limit(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize(
    "args",
    [("check", "--sarif-output", "{out}"), ("audit", "--format", "html", "--output", "{out}")],
    ids=["sarif", "html"],
)
def test_a_report_file_that_cannot_be_written_whole_is_left_as_it_was(tmp_path: Path, args: tuple[str, ...]) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    out = tmp_path / "reports" / "report"
    out.parent.mkdir()
    out.write_text("the previous report\n")
    proc = subprocess.run(
        command(*(a.format(out=out) for a in args)),
        cwd=root,
        capture_output=True,
        text=True,
        preexec_fn=_file_size_limit(200),  # the report is larger: the disk is "full" half way
    )
    assert proc.returncode == 2
    # (under coverage, its own data file hits the same limit and says so after us)
    assert f"airflow-etiquette: error: cannot write {out}: File too large" in proc.stderr.splitlines()
    assert out.read_text() == "the previous report\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["report"]  # no temporary file left behind
    # and with room, the file is replaced whole, readable as any file the user writes
    proc = subprocess.run(command(*(a.format(out=out) for a in args)), cwd=root, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert out.read_text().lstrip().startswith(("{", "<!DOCTYPE html>", "<!doctype html>"))
    assert out.stat().st_mode & 0o044 == 0o044
    if args[0] == "check":
        json.loads(out.read_text())


@pytest.mark.parametrize("option", [("--staged",), ("--base", "main")], ids=["staged", "base"])
def test_change_modes_say_what_is_missing_without_git(tmp_path: Path, option: tuple[str, ...]) -> None:
    plain = tmp_path / "plain"
    (plain / "dags/lasse").mkdir(parents=True)
    (plain / "dags/lasse/x.py").write_text("x = 1\n")
    name = option[0]
    outside = run_installed("check", *option, cwd=plain)
    assert outside.exit_code == 2
    assert outside.err == f"airflow-etiquette: error: {name} needs a git repository, and {plain} is not inside one\n"
    no_git = tmp_path / "no-git-bin"
    no_git.mkdir()
    missing = run_installed("check", *option, cwd=plain, env={"PATH": str(no_git)})
    assert missing.exit_code == 2
    assert missing.err == f"airflow-etiquette: error: {name} needs git, which is not installed (or not on PATH)\n"


def test_a_report_path_that_is_a_link_or_a_pipe_is_written_through(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    target = tmp_path / "reports" / "etiquette.sarif"
    target.parent.mkdir()
    link = tmp_path / "latest.sarif"
    os.symlink(target, link)
    assert run_installed("check", "--sarif-output", str(link), cwd=root).exit_code == 1
    assert link.is_symlink() and json.loads(target.read_text())["version"] == "2.1.0"
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    assert run_installed("check", "--sarif-output", str(fifo), cwd=root).exit_code == 1
    out, _ = reader.communicate(timeout=60)
    assert json.loads(out)["version"] == "2.1.0"
    assert fifo.is_fifo()  # written through, not replaced by a regular file


def test_python_warnings_are_no_parse_errors(tmp_path: Path) -> None:
    """compile() warns about these; under PYTHONWARNINGS=error that once became ETQ001 (and was cached)."""
    root = make_repo(
        tmp_path / "r",
        {"dags/lasse/warned.py": 'import re\nPATTERN = re.compile("\\d+")\nOK = PATTERN is "x"\n'},
    )
    for _ in range(2):
        # SyntaxWarning only: an older dependency's own DeprecationWarning at import is not ours to test
        result = run_installed("check", cwd=root, env={"PYTHONWARNINGS": "error::SyntaxWarning"})
        assert (result.exit_code, result.err) == (0, ""), result.out


# The command skips the interpreter's teardown; what its environment hooks on the exit (coverage,
# a profiler, a wrapper's atexit function) still runs, after the last line of the report.
ATEXIT_SITE = """
import atexit, os, sys
def _mark():
    with open(os.environ["ETIQUETTE_TEST_EXIT_MARKER"], "a") as marker:
        marker.write("ran\\n")
atexit.register(_mark)
"""


@pytest.mark.parametrize(
    "args",
    [("check", "--format", "json"), ("check", "--format", "json", "--no-cache")],
    ids=["plain", "worker-started-ahead"],
)
def test_every_exit_runs_the_atexit_functions_and_prints_the_whole_report(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(ATEXIT_SITE)
    marker = tmp_path / "exits"
    bad = {f"dags/maria/bad_{n}.py": MARIA_BAD for n in range(40)}
    dirty = make_repo(tmp_path / "dirty", bad)
    clean = make_repo(tmp_path / "clean", {"dags/maria/readme.md": "notes\n"})
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        "ETIQUETTE_TEST_EXIT_MARKER": str(marker),
    }
    found = run_installed(*args, cwd=dirty, env=env)
    assert found.exit_code == 1, found.err
    prefixes = sorted(f["path"] for f in found.findings if f["code"] == "ETQ101")
    assert prefixes == sorted(bad)  # the whole report, through a pipe
    assert run_installed(*args, cwd=clean, env=env).exit_code == 0
    wrong = run_installed(*args, "--jobs", "-1", cwd=clean, env=env)
    assert wrong.exit_code == 2 and "--jobs" in wrong.err
    assert marker.read_text() == "ran\n" * 3


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("term", "coloured"), [("xterm", True), ("dumb", False)])
def test_a_dumb_terminal_gets_no_colour(tmp_path: Path, term: str, coloured: bool) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    leader, follower = os.openpty()
    env = {**os.environ, "TERM": term}
    env.pop("NO_COLOR", None)
    proc = subprocess.run(command("check"), cwd=root, stdout=follower, stderr=subprocess.PIPE, env=env)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end is closed: all was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 1, proc.stderr
    assert b"ETQ101" in shown
    assert (b"\x1b[" in shown) == coloured
