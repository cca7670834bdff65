"""The bundled example class repository: what the README's first command shows a new user."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import ROOT, run_installed

EXAMPLE = ROOT / "examples" / "class-repo"

EXPECTED_CHECK = """\
dags/ahmed/taxi_pipeline.py:33:22: ETQ401 deletes the shared connection "azure_pg" (airflow connections delete); ask the teacher instead
dags/ahmed/taxi_pipeline.py:48:13: ETQ302 INSERT into public.trips writes outside your schema; write to airflow_ahmed instead
dags/maria/taxi_pipeline.py:16:10: ETQ301 hard-coded schema "airflow_maria"; derive it from the folder: SCHEMA = f"airflow_{STUDENT}"
dags/maria/taxi_pipeline.py:48:12: ETQ101 dag_id "taxi_pipeline" must start with "maria_" (file is in dags/maria/)
dags/sofia/taxi_pipeline.py:26:10: ETQ102 tags must include "student:sofia" (found "week11", "taxi")
dags/sofia/taxi_pipeline.py:46:13: ETQ302 airflow_maria.raw_trips is the schema of owner "maria"; dags/sofia/ may only use airflow_sofia
Found 5 errors and 1 warning in 3 files (6 files checked).
"""


def test_check_on_the_example_repository_from_the_project_root() -> None:
    result = run_installed("check", "examples/class-repo", cwd=ROOT)
    assert (result.exit_code, result.out, result.err) == (1, EXPECTED_CHECK, "")


def test_the_output_is_what_the_example_documents_word_for_word() -> None:
    documented = re.search(r"```text\n(.*?)```", (EXAMPLE / "EXPECTED.md").read_text(), flags=re.S)
    assert documented is not None
    result = run_installed("check", "--no-cache", cwd=EXAMPLE)
    assert (result.exit_code, result.out) == (1, documented.group(1))
    assert result.out == EXPECTED_CHECK  # and what the README shows


def test_audit_of_the_example_repository() -> None:
    result = run_installed("audit", "--format", "json", cwd=EXAMPLE)
    assert result.exit_code == 1
    report = result.findings  # the audit's JSON object
    owners = {o["owner"]: o for o in report["owners"]}  # type: ignore[index, union-attr]
    assert owners["lasse"]["status"] == "clean"
    assert owners["maria"]["status"] == "errors"
    assert {d["dag_id"] for d in owners["lasse"]["dags"]} == {"lasse_taxi_pipeline"}
    # The teacher's class demo at the top of dags/ is CODEOWNERS-assigned to the teacher, who
    # owns no student folder: that is enough, with no `admins` configured.
    codes = {f["code"] for o in report["owners"] for f in o["findings"]}  # type: ignore[index, union-attr]
    assert "ETQ203" not in codes and "dags/example_class_demo.py" in owners["shared (maintainers)"]["files"]
    # Table aliases (`z.borough`) are not schemas; loop-generated DAGs each show their own tags.
    assert owners["lasse"]["schemas"] == ["airflow_lasse", "public"]
    assert {d["dag_id"]: d["tags"] for d in owners["sofia"]["dags"] if "report" in d["dag_id"]} == {
        "sofia_manhattan_report": ["reports", "manhattan", "student:sofia"],
        "sofia_brooklyn_report": ["reports", "brooklyn", "student:sofia"],
        "sofia_queens_report": ["reports", "queens", "student:sofia"],
    }


def test_the_readmes_sample_output_is_what_the_command_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ airflow-etiquette check examples/class-repo\n", 1)[1].split("```", 1)[0]
    result = run_installed("check", "examples/class-repo", cwd=ROOT, env={"NO_COLOR": "1"})
    assert result.out == block


def test_fix_on_a_copy_of_the_example_leaves_the_other_findings(tmp_path: Path) -> None:
    copy = tmp_path / "class-repo"
    shutil.copytree(EXAMPLE, copy)
    fixed = run_installed("check", "--fix", "--unsafe-fixes", "--format", "json", cwd=copy)
    assert "fixed 3 finding(s) in 2 file(s)" in fixed.err  # ETQ101, ETQ102 and ETQ301
    assert sorted(f["code"] for f in fixed.findings) == ["ETQ302", "ETQ302", "ETQ401"]
    assert 'dag_id="maria_taxi_pipeline"' in (copy / "dags/maria/taxi_pipeline.py").read_text()  # no STUDENT there
    assert "nothing to fix" in run_installed("check", "--fix", "--unsafe-fixes", cwd=copy).err
