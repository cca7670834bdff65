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


def start(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "airflow_etiquette", "check", "--format", "json", "--timeout", "120", "--no-cache"],
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


def test_a_worker_killed_twice_on_one_file_is_reported_with_what_happened(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/lasse/slow.py": SLOW})
    command = start(root)
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
