"""The whole-repository hooks, as CI and pre-commit.ci run them: real pre-commit, a real git
repository whose files are committed (nothing staged), the content rules on every file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, make_repo
from test_precommit import BAD, GOOD, pre_commit

pytestmark = pytest.mark.slow

BAD_MARIA = BAD.replace("lasse", "maria")
ETQ101_MARIA = (
    'dags/maria/taxi_pipeline.py:9:13: ETQ101 dag_id "taxi_pipeline" must start with "maria_" (file is in dags/maria/)'
)
# A copied file: the same dag_id twice in lasse's folder (ETQ104 compares files with each other).
COPY = GOOD


def committed_class_repo(root: Path, hook_source: Path, hooks: list[str]) -> Path:
    """A class repository with everything committed and a .pre-commit-config.yaml using ``hooks``."""
    rev = git(hook_source, "rev-parse", "HEAD").strip()
    config = "repos:\n  - repo: " + str(hook_source) + "\n    rev: " + rev + "\n    hooks:\n"
    config += "".join(f"      - id: {hook}\n" for hook in hooks)
    repo = make_repo(
        root,
        {
            "dags/maria/taxi_pipeline.py": BAD_MARIA,
            "dags/lasse/taxi_pipeline.py": GOOD,
            "dags/example_class_demo.py": "from airflow.sdk import dag\n",
            # Not DAG files: outside the dags folder, whatever they hold.
            "tests/test_dag_integrity.py": 'from airflow import DAG\ndag = DAG("anything")\n',
            "scripts/setup.sh": "airflow connections delete azure_pg\n",
            ".github/CODEOWNERS": "/dags/maria/ @maria-gh\n/dags/lasse/ @lasse-gh\n",
        },
    )
    (repo / ".pre-commit-config.yaml").write_text(config)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "class repository")
    # Someone else's branch: an ownership check would flag maria's file for lasse. These hooks know
    # no author, so they must not.
    git(repo, "checkout", "-q", "-b", "lasse/week12")
    return repo


def test_the_files_hook_checks_every_committed_file_with_all_files(tmp_path: Path, hook_source: Path) -> None:
    repo = committed_class_repo(tmp_path / "class-airflow", hook_source, ["airflow-etiquette-files"])
    assert git(repo, "status", "--porcelain") == ""  # nothing staged: the staged hooks would see nothing

    result = pre_commit(repo, "run", "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "airflow-etiquette (files)" in result.stdout
    assert ETQ101_MARIA in result.stdout.splitlines(), output
    assert "ETQ2" not in output  # no author is known here: the ownership rules stay with CI
    for outside in ("tests/test_dag_integrity.py", "scripts/setup.sh"):
        assert outside not in result.stdout, output
    assert "dags/lasse/" not in result.stdout

    # Fixed and committed, the same run passes.
    (repo / "dags/maria/taxi_pipeline.py").write_text(GOOD.lstrip("\n"))
    git(repo, "commit", "-q", "-am", "fix(maria): prefix")
    fixed = pre_commit(repo, "run", "--all-files")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout


def test_the_files_hook_checks_only_the_files_it_is_given(tmp_path: Path, hook_source: Path) -> None:
    repo = committed_class_repo(tmp_path / "class-airflow", hook_source, ["airflow-etiquette-files"])
    lasse_only = pre_commit(repo, "run", "--files", "dags/lasse/taxi_pipeline.py", "tests/test_dag_integrity.py")
    assert lasse_only.returncode == 0, lasse_only.stdout + lasse_only.stderr
    assert "ETQ101" not in lasse_only.stdout
    maria = pre_commit(repo, "run", "--files", "dags/maria/taxi_pipeline.py")
    assert maria.returncode == 1, maria.stdout + maria.stderr
    assert ETQ101_MARIA in maria.stdout.splitlines()


def test_the_all_hook_runs_only_on_demand_and_sees_the_whole_repository(tmp_path: Path, hook_source: Path) -> None:
    repo = committed_class_repo(tmp_path / "class-airflow", hook_source, ["airflow-etiquette-all"])
    (repo / "dags/lasse/taxi_copy.py").write_text(COPY.lstrip("\n"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "lasse: a copy")

    # Not in the commit stage: `pre-commit run --all-files` (and so pre-commit.ci) skips it.
    default = pre_commit(repo, "run", "--all-files")
    assert default.returncode == 0, default.stdout + default.stderr
    assert "ETQ" not in default.stdout

    manual = pre_commit(repo, "run", "airflow-etiquette-all", "--hook-stage", "manual")
    output = manual.stdout + manual.stderr
    assert manual.returncode == 1, output
    lines = manual.stdout.splitlines()
    assert ETQ101_MARIA in lines, output
    duplicates = sorted(line.split(":", 1)[0] for line in lines if " ETQ104 " in line)
    assert duplicates == ["dags/lasse/taxi_copy.py", "dags/lasse/taxi_pipeline.py"], output
    assert not any(" ETQ201 " in line for line in lines), output
    assert "tests/test_dag_integrity.py" not in manual.stdout
    # It ignores what pre-commit would pass: given one file, it still checks the repository.
    one = pre_commit(repo, "run", "airflow-etiquette-all", "--hook-stage", "manual", "--files", "README.md")
    assert one.returncode == 1 and ETQ101_MARIA in one.stdout.splitlines(), one.stdout + one.stderr
