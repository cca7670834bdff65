"""The teacher's scheduled audit workflow (examples/github/airflow-etiquette-audit.yml): its
structure (triggers, least permissions, pinned actions, full history, isolated Python), and its
audit step run with bash as a runner runs it, on a real class repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, make_repo
from test_action import isolation_problems, load, on_section, script_lines, steps_of
from test_audit import TAXI

WORKFLOW = ROOT / "examples" / "github" / "airflow-etiquette-audit.yml"
FULL_SHA = re.compile(r"^\s*(?:-\s*)?uses:\s*(?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40})\s+#\s*v\d+(\.\d+)*\s*$")


def step(name: str) -> dict[str, Any]:
    return next(s for s in steps_of(load(WORKFLOW)) if s.get("name") == name)


def test_it_runs_nightly_and_on_demand_with_a_read_only_token() -> None:
    workflow = load(WORKFLOW)
    triggers = on_section(workflow)
    assert set(triggers) == {"schedule", "workflow_dispatch"}  # never on a pull request's code
    assert [entry["cron"] for entry in triggers["schedule"]] == ["17 3 * * *"]
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_every_action_is_pinned_by_full_commit_sha_with_its_version() -> None:
    lines = [line for line in WORKFLOW.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(-\s*)?uses:", line)]
    pinned = [FULL_SHA.match(line) for line in lines]
    assert all(pinned), [line for line, match in zip(lines, pinned, strict=True) if not match]
    assert {m.group("action") for m in pinned if m} == {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
    }


def test_full_history_no_credentials_and_isolated_python() -> None:
    steps = steps_of(load(WORKFLOW))
    (checkout,) = [s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    runs = [s for s in steps if "run" in s]
    assert {s["name"] for s in runs} == {"Install airflow-etiquette", "Audit the repository"}
    for s in runs:
        assert isolation_problems(s["run"]) == [], s["name"]
        assert "${{" not in s["run"]  # values reach the scripts through env:, never spliced in
        assert "working-directory" not in s and "continue-on-error" not in s
    install = step("Install airflow-etiquette")["run"]
    assert re.findall(r"-m pip install .*", install) == [
        '-m pip install --quiet --disable-pip-version-check "airflow-etiquette==$VERSION"'
    ]
    assert not re.search(r"GITHUB_WORKSPACE|requirements|-e |\s\.\s", install)


def test_the_markdown_goes_to_the_summary_the_html_to_an_artifact_and_the_exit_code_gates() -> None:
    audit = step("Audit the repository")
    lines = script_lines(audit["run"])
    markdown = next(line for line in lines if "--format markdown" in line)
    assert markdown.endswith('>> "$GITHUB_STEP_SUMMARY"') and "--exit-zero" not in audit["run"]
    html = next(line for line in lines if "--format html" in line)
    written = re.search(r'--output "(?P<path>[^"]+)"', html)
    assert written is not None and written.group("path") == "$RUNNER_TEMP/airflow-etiquette-audit/audit.html"
    assert lines[lines.index(markdown) + 1].strip() == "status=$?" and lines[-1].strip() == 'exit "$status"'
    upload = step("Upload the HTML report")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert "always()" in upload["if"]
    assert upload["with"]["path"] == "${{ runner.temp }}/airflow-etiquette-audit/audit.html"
    steps = steps_of(load(WORKFLOW))
    assert steps.index(upload) == len(steps) - 1


@pytest.mark.slow
def test_the_audit_step_runs_as_a_runner_runs_it(tmp_path: Path) -> None:
    """The step's script, with bash as GitHub runs it, from a workspace holding a class repository;
    the virtualenv the install step would make is this test's Python."""
    workspace = make_repo(
        tmp_path / "workspace",
        {"dags/lasse/taxi_pipeline.py": TAXI, "dags/maria/taxi_pipeline.py": TAXI.replace('f"{STUDENT}_taxi', '"taxi')},
    )
    subprocess.run(["git", "add", "-A"], cwd=workspace, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-q", "-m", "init"], cwd=workspace, check=True
    )
    runner_temp = tmp_path / "runner-temp"
    venv_bin = runner_temp / "airflow-etiquette-venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv_bin / "python").chmod(0o755)
    script = runner_temp / "step.sh"
    script.write_text(step("Audit the repository")["run"])
    summary = tmp_path / "summary.md"
    env = {
        **os.environ,
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "SINCE": "8 days ago",
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr  # maria's dag_id: an error, and the job fails on it
    report = summary.read_text(encoding="utf-8")
    assert report.startswith("# airflow-etiquette audit of `workspace`")
    assert "| maria | ❌ errors |" in report
    page = (runner_temp / "airflow-etiquette-audit" / "audit.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'data-owner="maria"' in page
