"""SARIF 2.1.0, as GitHub code scanning accepts it (github/codeql-action/upload-sarif)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from urllib.parse import quote

from airflow_etiquette.findings import Finding
from airflow_etiquette.output.report import CheckReport, json_text


def render(report: CheckReport) -> str:
    return format_sarif(report.findings, report.version, report.located)


def format_sarif(findings: Sequence[Finding], version: str, located: Callable[[str], str] = str) -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts it (github/codeql-action/upload-sarif).

    Each result's ``uri`` is relative to the git root (``located`` puts where the project sits in the
    work tree before a finding's path): code scanning matches results to the repository's files, and a project in a
    subfolder would otherwise point at paths that do not exist there."""
    from airflow_etiquette.rules import ALL_RULES

    rules = []
    for rule in ALL_RULES:
        rules.append(
            {
                "id": rule.code,
                "name": "".join(part.capitalize() for part in rule.name.split("-")),
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": " ".join(rule.what.split())},
                "help": {
                    "text": " ".join(rule.why.split()),
                    "markdown": f"**{rule.code} {rule.name}**\n\n{rule.what}\n\n**Why?** {rule.why}",
                },
                "defaultConfiguration": {"level": rule.severity.value},
                "properties": {"tags": ["airflow", "shared-scheduler"]},
            }
        )
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.severity.value,
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(located(f.path)), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    },
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "airflow-etiquette",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": "https://github.com/airflow-etiquette/airflow-etiquette",
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json_text(log)


def _uri(path: str) -> str:
    """A relative path as the URI reference SARIF's ``uri`` must be (RFC 3986): each byte that may
    not stand in a path (a space, ``#``, ``%``, a letter beyond ASCII, a byte of a name that is not
    UTF-8) percent-encoded, the ``/`` between folders kept; code scanning decodes it to the file."""
    return quote(os.fsencode(path), safe="/")
