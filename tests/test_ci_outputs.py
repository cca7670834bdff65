"""The CI-facing outputs: SARIF for code scanning, workflow commands, the action and its workflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.formats import format_github
from airflow_etiquette.rules import ALL_RULES
from conftest import ROOT, make_repo, run_installed


def test_sarif_is_structurally_what_code_scanning_accepts(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {
        "dags/maria/taxi.py": 'from airflow import DAG\n\nSCHEMA = "airflow_maria"\ndag = DAG("taxi")\n',
        "dags/lasse/broken.py": "def broken(:\n",
    })
    result = run_installed("check", "--format", "sarif", cwd=root)
    assert result.exit_code == 1
    log = json.loads(result.out)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "airflow-etiquette" and driver["version"] and driver["informationUri"].startswith("https://")
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == [rule.code for rule in ALL_RULES]
    for rule in driver["rules"]:
        assert rule["name"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["defaultConfiguration"]["level"] in ("error", "warning")
    assert len(run["results"]) == 4
    for result_ in run["results"]:
        assert result_["ruleId"] in rule_ids
        assert rule_ids[result_["ruleIndex"]] == result_["ruleId"]
        assert result_["level"] in ("error", "warning") and result_["message"]["text"]
        location = result_["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "\\" not in uri and (root / uri).is_file()
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    first = run["results"][0]
    assert (first["ruleId"], first["locations"][0]["physicalLocation"]["region"]) == (
        "ETQ001", {"startLine": 1, "startColumn": 1})


def test_workflow_commands_escape_what_github_would_misread() -> None:
    finding = Finding("dags/a,b/x:y.py", 3, 7, "ETQ302", "foreign-schema", Severity.ERROR, "100% wrong\nreally")
    warning = Finding("dags/a/x.py", 1, 1, "ETQ301", "hard-coded-schema", Severity.WARNING, "w")
    assert format_github([finding, warning]).splitlines() == [
        "::error file=dags/a%2Cb/x%3Ay.py,line=3,col=7,title=ETQ302 foreign-schema::100%25 wrong%0Areally",
        "::warning file=dags/a/x.py,line=1,col=1,title=ETQ301 hard-coded-schema::w",
    ]


def test_github_format_is_chosen_inside_actions_and_nothing_breaks_outside_a_pull_request(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/taxi.py": 'from airflow import DAG\ndag = DAG("taxi", tags=["student:maria"])\n'})
    result = run_installed("check", cwd=root, env={"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push"})
    assert result.exit_code == 1
    assert result.lines == [
        '::error file=dags/maria/taxi.py,line=2,col=11,title=ETQ101 dag-id-prefix::dag_id "taxi" must start with '
        '"maria_" (file is in dags/maria/)',
        "Found 1 error in 1 file (1 file checked).",
    ]


def test_the_action_installs_and_runs_the_check_and_the_example_workflow_fetches_history() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"version", "args", "sarif", "python-version"}
    steps = action["runs"]["steps"]
    assert any("airflow-etiquette check --sarif-output" in step.get("run", "") for step in steps)
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert upload and "always()" in upload[0]["if"]
    workflow = yaml.safe_load((ROOT / "examples/github/airflow-etiquette.yml").read_text())
    steps = workflow["jobs"]["etiquette"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    assert steps[1]["uses"].startswith("airflow-etiquette/airflow-etiquette@")
    assert workflow["permissions"]["security-events"] == "write"
    assert upload[0]["continue-on-error"] is True  # a fork's read-only token must not turn the job red


def test_the_actions_check_step_outputs_a_sarif_file_only_when_it_wrote_one(tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "check")
    root = make_repo(tmp_path / "class", {"dags/maria/taxi.py": 'from airflow import DAG\ndag = DAG("taxi")\n'})
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_ACTIONS": ""}

    def step(extra_args: str) -> tuple[int, str]:
        (tmp_path / "output").write_text("")
        done = subprocess.run(["bash", "-e", "-c", script], cwd=root, env={**env, "EXTRA_ARGS": extra_args},
                              capture_output=True, text=True)
        return done.returncode, (tmp_path / "output").read_text()

    assert step("") == (1, f"sarif-file={tmp_path / 'airflow-etiquette.sarif'}\n")  # findings: the job fails
    (tmp_path / "airflow-etiquette.sarif").unlink()
    assert step("--select NOPE") == (2, "")  # a usage error writes no SARIF, so nothing is uploaded
