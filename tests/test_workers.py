"""The worker processes that analyse files: they never outlive the command, and a worker killed
from outside (the OOM killer, a stray SIGTERM) costs a retry, not a wrong finding.

The tests drive the real command in a subprocess and act on its real worker processes, found
through ``/proc`` (Linux). The slow file is clean Python that takes seconds to analyse, so a
worker is busy with it while the test acts.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_repo

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the workers through /proc")

SLOW = "".join(f"x{n} = {n}\n" for n in range(20_000))  # clean, and seconds of work for libcst


def children(pid: int) -> set[int]:
    """The command's worker processes: forks of it with its command line, alive across two looks a
    tenth of a second apart (a fork about to exec git has the command line for an instant)."""
    first = _python_children(pid)
    if not first:
        return set()
    time.sleep(0.1)
    return first & _python_children(pid)


def _python_children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.update(int(child) for child in handle.read().split())
    except OSError:
        pass
    return {child for child in found if b"airflow_etiquette" in _cmdline(child)}


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"not within {timeout} s")


def start(root: Path, head_start: bool = True) -> subprocess.Popen[str]:
    """The command on ``root``; with ``--no-cache`` it starts its first worker ahead, before it
    reads anything, and without (an empty cache: every file is parsed all the same) it starts
    its workers once it knows the files, each with the file it is given right away."""
    return subprocess.Popen(
        [sys.executable, "-m", "airflow_etiquette", "check", "--format", "json", "--timeout", "120"]
        + (["--no-cache"] if head_start else []),
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_workers_die_with_the_command(tmp_path: Path, how: signal.Signals) -> None:
    root = make_repo(tmp_path / "r", {"dags/lasse/slow.py": SLOW})
    command = start(root)
    try:
        workers = wait_for(lambda: children(command.pid))
        os.kill(command.pid, how)
        command.wait(timeout=30)
        wait_for(lambda: not any(alive(worker) for worker in workers), timeout=10)
    finally:
        command.kill()
        command.communicate()


def test_a_worker_killed_from_outside_is_replaced_and_the_file_analysed_again(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/lasse/slow.py": SLOW, "dags/maria/bad.py": 'SCHEMA = "airflow_lasse"\n'})
    command = start(root)
    [worker] = wait_for(lambda: children(command.pid))
    os.kill(worker, signal.SIGKILL)
    out, err = command.communicate(timeout=120)
    assert command.returncode == 1, err
    findings = json.loads(out)
    # the clean file stays clean; the other file's finding is there
    assert [(f["path"], f["code"]) for f in findings] == [("dags/maria/bad.py", "ETQ302")]


def test_a_worker_killed_before_it_got_a_file_costs_nothing(tmp_path: Path) -> None:
    """Killed while it still loads (started ahead) or with its file: either way the run goes on."""
    root = make_repo(tmp_path / "r", {"dags/lasse/ok.py": "x = 1\n", "dags/maria/bad.py": 'SCHEMA = "airflow_lasse"\n'})
    command = start(root)
    [worker] = wait_for(lambda: children(command.pid))
    os.kill(worker, signal.SIGKILL)
    out, err = command.communicate(timeout=120)
    assert command.returncode == 1, err
    assert [(f["path"], f["code"]) for f in json.loads(out)] == [("dags/maria/bad.py", "ETQ302")]


def test_a_worker_killed_twice_on_one_file_is_reported_with_what_happened(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/lasse/slow.py": SLOW})
    command = start(root, head_start=False)  # each worker holds the file from its start
    [first] = wait_for(lambda: children(command.pid))
    os.kill(first, signal.SIGKILL)
    [second] = wait_for(lambda: children(command.pid) - {first})
    os.kill(second, signal.SIGKILL)
    out, err = command.communicate(timeout=120)
    assert command.returncode == 1, err
    assert [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(out)] == [
        (
            "dags/lasse/slow.py",
            1,
            "ETQ002",
            "the analysis process was stopped from outside (SIGKILL), twice; perhaps the machine ran out of "
            "memory. The file was not analysed",
        )
    ]


def _processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is ``folder``: a command's leftovers, once it has ended."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/cwd") == str(folder) and alive(int(entry)):
                    found.append(int(entry))
            except OSError:
                pass
    return found


@pytest.mark.parametrize(
    "args",
    [["check", "--no-cache"], ["check", "--staged"]],
    ids=["no DAG file to parse", "every result from the cache"],
)
def test_a_worker_started_ahead_and_not_needed_does_not_outlive_the_command(tmp_path: Path, args: list[str]) -> None:
    """The command starts its first worker before it knows its files; a run that parses nothing
    stops it. The second case's first run fills the cache, and the second, timed run finds
    every result there."""
    files = {"dags/lasse/README.md": "notes\n"} if "--no-cache" in args else {"dags/lasse/ok.py": "x = 1\n"}
    root = make_repo(tmp_path / "r", files).resolve()
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    command = [sys.executable, "-m", "airflow_etiquette", *args, "--author", "lasse"]
    if "--staged" in args:
        subprocess.run(command, cwd=root, capture_output=True, check=True)
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "All good" in done.stdout
    wait_for(lambda: not _processes_in(root), timeout=10)


# The parent of the test below: everything but libcst imported first, then the worker started
# ahead (it must load libcst itself), and at once given a file with a time limit of 0.2 s.
_AHEAD_PARENT = """
import dataclasses, json, sys
from pathlib import Path
from airflow_etiquette.config import load_config
from airflow_etiquette.engine import workers
from airflow_etiquette.engine.analyze import Settings
from airflow_etiquette.rules import ALL_RULES
from airflow_etiquette.sources.files import discover, known_owners

root = Path(sys.argv[1])
config = dataclasses.replace(load_config(root, [rule.code for rule in ALL_RULES]), timeout=0.2)
files = discover([], config).files
workers.head_start()
results = workers.analyze_in_workers(files, Settings(config, known_owners(config)), 1)
print(json.dumps([[file.relpath, [finding.code for finding in result.findings]] for file, result in results]))
"""


def test_a_worker_started_ahead_times_the_file_not_its_own_loading(tmp_path: Path) -> None:
    """A file's time limit counts from when its worker could start on it, not from when a worker
    started ahead was still loading libcst: here that loading is made slow on purpose (no bytecode
    cache, so libcst is compiled from source, for well over a second), and a small file still
    passes a limit of 0.2 s."""
    root = make_repo(tmp_path / "r", {"dags/lasse/ok.py": "x = 1\n", "dags/maria/bad.py": 'SCHEMA = "airflow_lasse"\n'})
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(tmp_path / "no-bytecode")}
    done = subprocess.run(
        [sys.executable, "-c", _AHEAD_PARENT, str(root)], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [["dags/lasse/ok.py", []], ["dags/maria/bad.py", ["ETQ302"]]]
