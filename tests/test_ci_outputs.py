"""The CI-facing outputs: SARIF for code scanning, workflow commands, the action and its workflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_repo, run_installed

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.output.github import format_github, format_markdown_summary, render_summary
from airflow_etiquette.output.report import CheckReport
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
    # A message quotes what the file holds: its newline or escape sequence is shown, not obeyed.
    message = '100% wrong: "a\nb\x1b[8m"'
    finding = Finding("dags/a,b/x:y.py", 3, 7, "ETQ302", "foreign-schema", Severity.ERROR, message)
    warning = Finding("dags/a/x.py", 1, 1, "ETQ301", "hard-coded-schema", Severity.WARNING, "w")
    assert format_github([finding, warning]).splitlines() == [
        '::error file=dags/a%2Cb/x%3Ay.py,line=3,col=7,title=ETQ302 foreign-schema::100%25 wrong: "a\\nb\\x1b[8m"',
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


# ---------------------------------------------------------------------------------------------
# A project in a subfolder of its git repository: GitHub reads every path against the git root.
# ---------------------------------------------------------------------------------------------


def test_annotations_and_sarif_name_paths_from_the_git_root_when_the_project_is_in_a_subfolder(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "the class\n"})
    project = make_repo(
        repo / "airflow",
        {"dags/maria/taxi.py": 'from airflow import DAG\ndag = DAG("taxi", tags=["student:maria"])\n'},
        config="",
        init_git=False,
    )
    sarif_file = tmp_path / "out.sarif"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push"}
    result = run_installed("check", "--sarif-output", str(sarif_file), "airflow", cwd=repo, env=env)
    assert result.exit_code == 1, result.err
    assert result.lines[0].startswith("::error file=airflow/dags/maria/taxi.py,line=2,col=11,title=ETQ101"), result.out
    (run,) = json.loads(sarif_file.read_text(encoding="utf-8"))["runs"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]]
    assert uris == ["airflow/dags/maria/taxi.py"]
    assert (repo / uris[0]).is_file()
    # Run from inside the project, the same: the prefix is the project's place in the work tree.
    inside = run_installed("check", "--format", "sarif", cwd=project, env=env)
    (run,) = json.loads(inside.out)["runs"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == uris
    # The text and JSON formats stay relative to the project, where a person runs them.
    text = run_installed("check", cwd=project)
    assert text.lines[0].startswith("dags/maria/taxi.py:2:11: ETQ101"), text.out


def test_the_step_summary_names_paths_from_the_git_root() -> None:
    finding = Finding("dags/maria/taxi.py", 2, 11, "ETQ101", "dag-id-prefix", Severity.ERROR, 'dag_id "taxi"')
    waived = Finding("dags/maria/taxi.py", 5, 1, "ETQ301", "hard-coded-schema", Severity.WARNING, "schema")
    report = CheckReport([finding], 1, silenced=[waived], headline="Checked x.", path_prefix="airflow/")
    text = render_summary(report)
    assert '| ❌ | `airflow/dags/maria/taxi.py` | 2 | ETQ101 dag-id-prefix | dag\\_id "taxi" |' in text.splitlines()
    assert "| `airflow/dags/maria/taxi.py` | 5 | ETQ301 hard-coded-schema | schema |" in text.splitlines()
    assert "Checked x." in text
    annotations = format_github(report.findings, report.located)
    assert annotations.startswith("::error file=airflow/dags/maria/taxi.py,line=2,col=11,")


# ---------------------------------------------------------------------------------------------
# GitHub's limits: 10 annotations of each type per step (50 per job), a step summary of 1 MiB.
# ---------------------------------------------------------------------------------------------


def findings_of(errors: int, warnings: int, message: str = "m") -> list[Finding]:
    made = [
        Finding(f"dags/o{i:05}/x.py", 1, 1, "ETQ101", "dag-id-prefix", Severity.ERROR, message) for i in range(errors)
    ]
    made += [
        Finding(f"dags/w{i:05}/x.py", 1, 1, "ETQ301", "hard-coded-schema", Severity.WARNING, message)
        for i in range(warnings)
    ]
    return made


@pytest.mark.parametrize(
    ("errors", "warnings", "hidden"),
    [(10, 10, 0), (11, 0, 1), (12, 13, 5), (0, 40, 30)],
)
def test_the_summary_says_how_many_findings_github_does_not_annotate(errors: int, warnings: int, hidden: int) -> None:
    findings = findings_of(errors, warnings)
    text = format_markdown_summary(findings, errors + warnings)
    note = f"**{hidden} of the {errors + warnings} findings are not shown as annotations**"
    if hidden:
        assert note in text
        assert "The table below and the SARIF file (`--sarif-output`) carry all of them." in text
    else:
        assert "not shown as annotations" not in text
    # ... and the table still lists every finding.
    assert sum(line.startswith(("| ❌ |", "| ⚠️ |")) for line in text.splitlines()) == errors + warnings


def test_the_summary_stays_under_githubs_1_mib_limit_and_says_how_many_rows_it_left_out() -> None:
    findings = findings_of(4000, 1000, message="x" * 300)  # about 1.8 MB of rows
    silenced = findings_of(50, 0, message="waived")
    text = format_markdown_summary(findings, 5000, headline="Checked everything.", silenced=silenced)
    assert len(text.encode("utf-8")) < 1024 * 1024
    lines = text.splitlines()
    rows = [line for line in lines if line.startswith(("| ❌ |", "| ⚠️ |"))]
    assert 1000 < len(rows) < 5000
    assert f"*{5000 - len(rows)} more rows left out: GitHub's step summary is limited to 1 MiB." in text
    assert "Found 4000 errors and 1000 warnings" in text  # the counts stay whole
    assert "**4980 of the 5000 findings are not shown as annotations**" in text
    # The waived table is cut too (no room left), and says so.
    assert "Silenced by `# noqa` (allowed by the configuration):" in lines
    assert "*50 more rows left out: GitHub's step summary is limited to 1 MiB." in text


def test_a_summary_within_the_limit_is_whole() -> None:
    findings = findings_of(3, 2)
    text = format_markdown_summary(findings, 5, limit=100_000)
    assert "left out" not in text
    assert sum(line.startswith(("| ❌ |", "| ⚠️ |")) for line in text.splitlines()) == 5
    small = format_markdown_summary(findings, 5, limit=len(text.encode("utf-8")) - 1)
    assert len(small.encode("utf-8")) <= len(text.encode("utf-8")) - 1
    shown = sum(line.startswith(("| ❌ |", "| ⚠️ |")) for line in small.splitlines())
    assert shown < 5
    assert f"*{5 - shown} more row{'s' if 5 - shown != 1 else ''} left out: " in small
