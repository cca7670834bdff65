"""The result cache: a second run of an unchanged repository answers from it, a change is seen,
and a cache the repository or a change brings along is never believed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import git, make_repo, run_installed

CACHE = ".airflow-etiquette-cache"
GOOD = 'from airflow import DAG\n\ndag = DAG("maria_taxi", tags=["student:maria"])\n'
BAD = 'from airflow import DAG\n\ndag = DAG("taxi", tags=["student:maria"])\n'


def entries(root: Path) -> dict[str, object]:
    [cache_file] = (root / CACHE / "v1").glob("*.json")
    return json.loads(cache_file.read_text())["entries"]  # type: ignore[no-any-return]


def test_a_warm_run_answers_as_the_cold_one_and_sees_every_edit(tmp_path: Path) -> None:
    lasse = GOOD.replace("maria", "lasse")
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": BAD, "dags/maria/good.py": GOOD, "dags/lasse/x.py": lasse})
    cold = run_installed("check", cwd=root)
    assert cold.exit_code == 1
    assert len(entries(root)) == 3
    warm = run_installed("check", cwd=root)
    assert (warm.exit_code, warm.out, warm.err) == (cold.exit_code, cold.out, cold.err)

    (root / "dags/maria/bad.py").write_text(GOOD.replace("maria_taxi", "maria_taxi_2"))
    fixed = run_installed("check", cwd=root)
    assert (fixed.exit_code, fixed.out) == (0, "All good: no findings (3 files checked).\n")
    # The same bytes under another owner are another file: lasse's copy of maria's DAG is wrong.
    (root / "dags/lasse/y.py").write_text((root / "dags/maria/good.py").read_text())
    moved = run_installed("check", cwd=root)
    assert "dags/lasse/y.py:3:11: ETQ101" in moved.out


def test_the_configuration_and_the_owner_set_are_part_of_the_key(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/good.py": GOOD})
    assert run_installed("check", cwd=root).exit_code == 0
    (root / "pyproject.toml").write_text('[tool.airflow-etiquette]\ndag-id-prefix = "team_{owner}_"\n')
    assert run_installed("check", cwd=root).exit_code == 1


def test_no_cache_reads_and_writes_none_and_git_never_sees_one(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": BAD})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    assert run_installed("check", "--no-cache", cwd=root).exit_code == 1
    assert not (root / CACHE).exists()
    assert run_installed("audit", "--format", "json", cwd=root).exit_code == 1
    assert (root / CACHE / "v1" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert git(root, "status", "--porcelain") == ""


def test_a_broken_or_foreign_cache_file_is_analysed_past(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": BAD})
    first = run_installed("check", cwd=root)
    [cache_file] = (root / CACHE / "v1").glob("*.json")
    for garbage in ("{not json", '{"format": 1, "entries": {"x": {"R": "os.system", "v": []}}}', "\x00\xff"):
        cache_file.write_text(garbage, errors="surrogateescape")
        again = run_installed("check", cwd=root)
        assert (again.exit_code, again.out, again.err) == (first.exit_code, first.out, first.err)


def poisoned(root: Path) -> None:
    """Rewrite every cached result of the repository's caches to 'no findings'."""
    for cache_file in (root / CACHE / "v1").glob("*.json"):
        stored = json.loads(cache_file.read_text())
        for value in stored["entries"].values():
            value["v"][0] = []
        cache_file.write_text(json.dumps(stored))


def test_a_cache_the_repository_tracks_is_not_believed(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": BAD})
    assert run_installed("check", cwd=root).exit_code == 1
    poisoned(root)
    assert run_installed("check", cwd=root).exit_code == 0  # the untracked local cache is the user's own
    git(root, "add", "-f", CACHE)
    result = run_installed("check", cwd=root)
    assert result.exit_code == 1
    assert "dags/maria/bad.py:3:11: ETQ101" in result.out
    assert f"the result cache {CACHE}/ was not used: the repository tracks it" in result.err


def test_a_change_is_judged_afresh_whatever_a_cache_says(tmp_path: Path) -> None:
    """The changed files never come from a cache (a workflow on the default branch could have
    written one); a cache the change itself brings is not even read for the others."""
    root = make_repo(tmp_path / "r", {"CODEOWNERS": "/dags/maria/ @maria\n", "dags/maria/good.py": GOOD})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "maria/taxi")
    (root / "dags/maria/bad.py").write_text(BAD.replace('"taxi"', '"maria_taxi"'))  # a copy of good.py's id
    git(root, "add", "-A")
    git(root, "commit", "-qm", "taxi")
    first = run_installed("check", "--base", "main", "--author", "maria", cwd=root)
    assert first.exit_code == 1 and "ETQ104" in first.out
    poisoned(root)
    again = run_installed("check", "--base", "main", "--author", "maria", cwd=root)
    assert (again.exit_code, again.out) == (first.exit_code, first.out)  # the duplicate's other half too
    (root / "dags/maria/bad.py").write_text(BAD)
    git(root, "add", "-A")
    git(root, "add", "-f", CACHE)
    git(root, "commit", "-qm", "and a cache that says it is fine")
    result = run_installed("check", "--base", "main", "--author", "maria", cwd=root)
    assert result.exit_code == 1
    assert "dags/maria/bad.py:3:11: ETQ101" in result.out
    assert f"the result cache {CACHE}/ was not used: the change touches it" in result.err


def test_a_cache_folder_that_is_a_link_or_a_loop_is_not_used(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": BAD})
    (root / CACHE).symlink_to(outside)
    result = run_installed("check", cwd=root)
    assert result.exit_code == 1
    assert f"the result cache {CACHE}/ was not used: {CACHE} is a symlink" in result.err
    assert list(outside.iterdir()) == []
    (root / CACHE).unlink()
    (root / CACHE).symlink_to(CACHE)  # a loop
    looped = run_installed("check", cwd=root)
    assert looped.exit_code == 1 and "ETQ101" in looped.out
    assert "internal error" not in looped.err


def test_a_deeply_nested_or_ill_typed_cache_entry_is_a_miss(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": BAD})
    first = run_installed("check", cwd=root)
    [cache_file] = (root / CACHE / "v1").glob("*.json")
    [key] = entries(root)
    bad_entries = [
        "[" * 200_000,
        {"D": [1]},
        {"R": "FileResult", "v": [[{"F": ["p", "x", 1, "c", "n", "error", "m"]}]]},
    ]
    for entry in bad_entries:
        text = entry if isinstance(entry, str) else json.dumps(entry)
        cache_file.write_text('{"format": 1, "entries": {"' + key + '": ' + text + "}}")
        again = run_installed("check", cwd=root)
        assert (again.exit_code, again.out, again.err) == (first.exit_code, first.out, first.err)


def test_the_tools_own_code_is_part_of_the_key_by_content_not_by_install(tmp_path: Path) -> None:
    """A checkout edited before any new version number is not answered by results of the code
    before the edit, and a fresh install of the same code (each CI run's new virtualenv, where
    every file is new on disk) is answered from the cache that actions/cache brings back."""
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": BAD})
    package = Path(__file__).resolve().parent.parent / "airflow_etiquette"
    installs = [tmp_path / "install-1", tmp_path / "install-2"]
    for install in installs:
        shutil.copytree(package, install / "airflow_etiquette", ignore=shutil.ignore_patterns("__pycache__"))

    def check_with(install: Path) -> str:
        # Not measured: coverage would count each copy's modules as files of their own.
        env = {k: v for k, v in os.environ.items() if k not in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")}
        result = subprocess.run(
            [sys.executable, "-m", "airflow_etiquette", "check"],
            cwd=root,
            env={**env, "PYTHONPATH": str(install)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1, result.stderr
        return result.stdout

    first = check_with(installs[0])
    assert 'ETQ101 dag_id "taxi" must start with "maria_"' in first
    cache_files = sorted((root / CACHE / "v1").glob("*.json"))
    assert len(cache_files) == 1
    cache_files[0].write_text(cache_files[0].read_text().replace("must start with", "was answered from the cache"))
    # The same code in another place: the same results (here, the planted one proves it was read).
    assert "was answered from the cache" in check_with(installs[1])
    assert sorted((root / CACHE / "v1").glob("*.json")) == cache_files

    rule = installs[1] / "airflow_etiquette" / "rules" / "dag_id_prefix.py"
    rule.write_text(rule.read_text().replace("must start with", "needs the prefix"))
    edited = check_with(installs[1])
    assert 'ETQ101 dag_id "taxi" needs the prefix "maria_"' in edited
    assert len(list((root / CACHE / "v1").glob("*.json"))) == 2
