"""A JSON array of findings with stable keys: an interface (see ``Finding.as_dict``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from airflow_etiquette.findings import Finding
from airflow_etiquette.output.report import CheckReport


def render(report: CheckReport) -> str:
    return format_json(report.findings)


def format_json(findings: Sequence[Finding]) -> str:
    """A JSON array of findings with stable keys (see ``Finding.as_dict``)."""
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"
