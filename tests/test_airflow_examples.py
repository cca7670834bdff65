"""Airflow's own example DAGs, 2.9.2 and 3.3.2, placed as one student's folder of a class repository
with a requirements.txt: every finding of the load and other-owner rules (ETQ4xx, ETQ6xx) is listed
here as a true finding with its reason. A new finding, or one that goes, fails the test, so the
rules cannot start guessing about code they cannot know. And `check --fix` names every DAG it
can as the owner's, leaves every file parsing, and does nothing the second time.

The wheels come from PyPI (pip download, no dependencies, nothing installed or imported); the
example files are read out of the wheel with zipfile.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import make_repo, run_installed

# (path below dags/lasse/, line, code): why it is right
EXPECTED = {
    "apache-airflow==2.9.2": {
        # schedule="*/1 * * * *": a run every minute against a class limit of one per 5 minutes
        ("example_branch_python_dop_operator_3.py", 51, "ETQ602"),
        ("example_passing_params_via_test_command.py", 63, "ETQ602"),
        # schedule="*/2 * * * *": every 2 minutes
        ("example_sla_dag.py", 44, "ETQ602"),
        # triggers "example_trigger_target_dag", which has no "lasse_" prefix: in a class repository
        # that is someone else's (or a misnamed) DAG, the convention ETQ101 holds every id to
        ("example_trigger_controller_dag.py", 38, "ETQ402"),
        # `import duckdb` inside a task: the tutorial's own prerequisite, not in Airflow's image
        ("tutorial_objectstorage.py", 114, "ETQ606"),
    },
    "apache-airflow-core==3.3.2": {
        ("example_branch_python_dop_operator_3.py", 47, "ETQ602"),
        ("example_passing_params_via_test_command.py", 61, "ETQ602"),
        ("tutorial_objectstorage.py", 118, "ETQ606"),
    },
}


# After `check --fix --unsafe-fixes`, the ETQ101/ETQ102 findings no fix can write: the id is
# computed (dag_id=Path(__file__).stem), which only its author can rename.
NOT_FIXABLE = {
    "apache-airflow==2.9.2": {("example_params_trigger_ui.py", "ETQ101"), ("example_params_ui_tutorial.py", "ETQ101")},
    "apache-airflow-core==3.3.2": {
        ("example_params_trigger_ui.py", "ETQ101"),
        ("example_params_ui_tutorial.py", "ETQ101"),
    },
}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(folder), *EXPECTED]
    subprocess.run(command, check=True, capture_output=True)
    return folder


@pytest.mark.parametrize("requirement", sorted(EXPECTED))
def test_every_load_finding_on_airflows_examples_is_listed_and_true(
    requirement: str, wheels: Path, tmp_path: Path
) -> None:
    repo = examples_repo(requirement, wheels, tmp_path)
    result = run_installed("check", "--format", "json", "--no-cache", "--select", "ETQ4,ETQ6", cwd=repo)
    found = {(f["path"].removeprefix("dags/lasse/"), f["line"], f["code"]) for f in result.findings}
    assert result.exit_code == 1, result.err
    assert sorted(found) == sorted(EXPECTED[requirement])


@pytest.mark.parametrize("requirement", sorted(EXPECTED))
def test_fix_leaves_airflows_examples_parsing_and_named_as_the_owners(
    requirement: str, wheels: Path, tmp_path: Path
) -> None:
    repo = examples_repo(requirement, wheels, tmp_path)
    convention = ("--no-cache", "--format", "json", "--select", "ETQ101,ETQ102")
    assert len(run_installed("check", *convention, cwd=repo).findings) > 100
    fixed = run_installed("check", "--fix", "--unsafe-fixes", *convention, cwd=repo)
    assert {(f["path"].removeprefix("dags/lasse/"), f["code"]) for f in fixed.findings} == NOT_FIXABLE[requirement]
    texts = {path: path.read_bytes() for path in sorted(repo.rglob("*.py"))}
    for path, text in texts.items():
        ast.parse(text, str(path))  # parsed, never run
    again = run_installed("check", "--fix", "--unsafe-fixes", *convention, cwd=repo)
    assert "nothing to fix" in again.err
    assert {path: path.read_bytes() for path in sorted(repo.rglob("*.py"))} == texts


def examples_repo(requirement: str, wheels: Path, tmp_path: Path) -> Path:
    """Airflow's example DAGs as dags/lasse/ of a class repository with a requirements.txt."""
    name, _, version = requirement.partition("==")
    [wheel] = wheels.glob(f"{name.replace('-', '_')}-{version}-*.whl")
    files: dict[str, str | bytes] = {"requirements.txt": "apache-airflow-providers-postgres\npandas\n"}
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.startswith("airflow/example_dags/") and not member.endswith("/"):
                files["dags/lasse/" + member.removeprefix("airflow/example_dags/")] = archive.read(member)
    assert len(files) > 40
    return make_repo(tmp_path / "class", files)
