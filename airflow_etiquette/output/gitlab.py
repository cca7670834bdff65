"""GitLab's Code Quality report: the JSON array a job publishes as ``artifacts:reports:codequality``.

GitLab compares the report of a merge request with its target branch's by ``fingerprint``, so
a fingerprint names the finding, not where it sits: the code, the path and the message, never
the line, so moving a DAG down a file does not make a "new" issue. Findings that share all three
(the same message twice in one file) are told apart by their order among themselves.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.output.report import CheckReport

# GitLab's scale is info, minor, major, critical, blocker: an error blocks the scheduler's
# neighbours (major); a warning is advice (minor).
SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def render(report: CheckReport) -> str:
    seen: Counter[tuple[str, str, str]] = Counter()
    issues = []
    for finding in report.findings:
        path = report.located(finding.path)
        key = (finding.code, path, finding.message)
        issues.append(_issue(finding, path, fingerprint(*key, seen[key])))
        seen[key] += 1
    return json.dumps(issues, indent=2) + "\n"


def fingerprint(code: str, path: str, message: str, occurrence: int = 0) -> str:
    """A stable name for a finding across runs: what it is and where, without its line."""
    text = "\0".join((code, path, message, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _issue(finding: Finding, path: str, print_: str) -> dict[str, object]:
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": f"{finding.code} {finding.message}",
        "fingerprint": print_,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": path, "lines": {"begin": finding.line}},
    }
