"""--format gitlab: GitLab's Code Quality report, as its merge-request widget reads it."""

from __future__ import annotations

import json

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.output import FORMATS, CheckReport


def issues(findings: list[Finding], prefix: str = "") -> list[dict[str, object]]:
    loaded = json.loads(FORMATS["gitlab"](CheckReport(findings, files_checked=3, path_prefix=prefix)))
    assert isinstance(loaded, list)
    return loaded


def test_each_finding_is_an_issue_with_the_fields_gitlab_requires() -> None:
    error = Finding("dags/maria/taxi.py", 12, 4, "ETQ302", "foreign-schema", Severity.ERROR, "uses airflow_lasse")
    warning = Finding("dags/maria/taxi.py", 3, 10, "ETQ301", "hard-coded-schema", Severity.WARNING, "hard-coded")
    first, second = issues([error, warning], prefix="airflow/")
    assert {key: first[key] for key in ("check_name", "description", "severity", "location")} == {
        "check_name": "ETQ302",
        "description": "ETQ302 uses airflow_lasse",
        "severity": "major",
        "location": {"path": "airflow/dags/maria/taxi.py", "lines": {"begin": 12}},
    }
    assert second["severity"] == "minor"
    assert all(isinstance(i["fingerprint"], str) and len(str(i["fingerprint"])) == 64 for i in (first, second))


def test_the_fingerprint_ignores_the_line_and_tells_findings_apart() -> None:
    at = [Finding("dags/a/x.py", line, 1, "ETQ101", "dag-id-prefix", Severity.ERROR, "must start") for line in (4, 9)]
    moved = [
        Finding("dags/a/x.py", line, 1, "ETQ101", "dag-id-prefix", Severity.ERROR, "must start") for line in (7, 30)
    ]
    before, after = issues(at), issues(moved)
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert before[0]["fingerprint"] != before[1]["fingerprint"]  # the same message twice in one file
    other_file = issues([Finding("dags/b/x.py", 4, 1, "ETQ101", "dag-id-prefix", Severity.ERROR, "must start")])
    other_code = issues([Finding("dags/a/x.py", 4, 1, "ETQ102", "owner-tag", Severity.ERROR, "must start")])
    assert len({before[0]["fingerprint"], other_file[0]["fingerprint"], other_code[0]["fingerprint"]}) == 3
    assert issues([]) == []
