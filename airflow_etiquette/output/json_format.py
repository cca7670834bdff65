"""A JSON array of findings with stable keys: an interface (see ``Finding.as_dict``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from airflow_etiquette.findings import Finding
from airflow_etiquette.output.report import CheckReport


def render(report: CheckReport) -> str:
    return format_json(report.findings)


def format_json(findings: Sequence[Finding]) -> str:
    """A JSON array of findings with stable keys (see ``Finding.as_dict``)."""
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


def render_statistics(report: CheckReport) -> str:
    """``--statistics`` as JSON: per rule that found something, its count and whether --fix fixes it."""
    counts = Counter(f.code for f in report.findings)
    names = {f.code: f.name for f in report.findings}
    rows = [
        {"code": code, "name": names[code], "count": count, "fixable": code in report.fixable}
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return json.dumps(rows, indent=2) + "\n"
