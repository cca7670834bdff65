"""The CI-facing outputs: SARIF for code scanning, workflow commands, the action and its workflow."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import make_repo, run_installed

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.output.github import format_github
from airflow_etiquette.rules import ALL_RULES


def test_sarif_is_structurally_what_code_scanning_accepts(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/maria/taxi.py": 'from airflow import DAG\n\nSCHEMA = "airflow_maria"\ndag = DAG("taxi")\n',
            "dags/lasse/broken.py": "def broken(:\n",
        },
    )
    result = run_installed("check", "--format", "sarif", cwd=root)
    assert result.exit_code == 1
    log = json.loads(result.out)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "airflow-etiquette" and driver["version"] and driver["informationUri"].startswith("https://")
    )
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
        "ETQ001",
        {"startLine": 1, "startColumn": 12},
    )


def test_workflow_commands_escape_what_github_would_misread() -> None:
    finding = Finding("dags/a,b/x:y.py", 3, 7, "ETQ302", "foreign-schema", Severity.ERROR, "100% wrong\nreally")
    warning = Finding("dags/a/x.py", 1, 1, "ETQ301", "hard-coded-schema", Severity.WARNING, "w")
    assert format_github([finding, warning]).splitlines() == [
        "::error file=dags/a%2Cb/x%3Ay.py,line=3,col=7,title=ETQ302 foreign-schema::100%25 wrong%0Areally",
        "::warning file=dags/a/x.py,line=1,col=1,title=ETQ301 hard-coded-schema::w",
    ]


def test_github_format_is_chosen_inside_actions_and_nothing_breaks_outside_a_pull_request(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r", {"dags/maria/taxi.py": 'from airflow import DAG\ndag = DAG("taxi", tags=["student:maria"])\n'}
    )
    result = run_installed("check", cwd=root, env={"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push"})
    assert result.exit_code == 1
    assert result.lines == [
        '::error file=dags/maria/taxi.py,line=2,col=11,title=ETQ101 dag-id-prefix::dag_id "taxi" must start with '
        '"maria_" (file is in dags/maria/)',
        "Found 1 error in 1 file (1 file checked).",
    ]
