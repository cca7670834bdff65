"""Output formats. Each turns sorted findings into text; nothing here decides anything."""

from __future__ import annotations

import json
from collections.abc import Sequence

from airflow_etiquette.findings import Finding, Severity

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def format_text(findings: Sequence[Finding], files_checked: int, color: bool, changed_paths: int | None = None,
                silenced: int = 0) -> str:
    """``path:line:col: CODE message`` per finding, then one summary line."""
    lines = []
    for f in findings:
        code = f.code
        if color:
            tint = _RED if f.severity is Severity.ERROR else _YELLOW
            code = f"{tint}{_BOLD}{f.code}{_RESET}"
            location = f"{_BOLD}{f.path}{_RESET}{_DIM}:{f.line}:{f.column}:{_RESET}"
        else:
            location = f"{f.path}:{f.line}:{f.column}:"
        lines.append(f"{location} {code} {f.message}")
    lines.append(summary(findings, files_checked, changed_paths, silenced))
    return "\n".join(lines) + "\n"


def summary(findings: Sequence[Finding], files_checked: int, changed_paths: int | None = None,
            silenced: int = 0) -> str:
    """The closing line. For a change, ETQ201 looks at every changed path but only the Python
    files among them are analysed, so both counts are given; waivers are counted, so a
    reviewer sees them."""
    files = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    if changed_paths is not None:
        files = f"{changed_paths} changed path{'s' if changed_paths != 1 else ''}, {files}"
    if silenced:
        files += f", {silenced} silenced by # noqa"
    if not findings:
        return f"All good: no findings ({files})."
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = len(findings) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    affected = len({f.path for f in findings})
    return f"Found {' and '.join(parts)} in {affected} file{'s' if affected != 1 else ''} ({files})."


def format_json(findings: Sequence[Finding]) -> str:
    """A JSON array of findings with stable keys (see ``Finding.as_dict``)."""
    return json.dumps([f.as_dict() for f in findings], indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_error(message: str) -> str:
    """A run-level annotation (no file), so a usage or configuration error shows on the run page."""
    return f"::error title=airflow-etiquette::{_escape_data(message)}"


def format_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding on the pull request's files."""
    lines = []
    for f in findings:
        command = "error" if f.severity is Severity.ERROR else "warning"
        properties = ",".join([
            f"file={_escape_property(f.path)}", f"line={f.line}", f"col={f.column}",
            f"title={_escape_property(f'{f.code} {f.name}')}",
        ])
        lines.append(f"::{command} {properties}::{_escape_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_markdown_summary(findings: Sequence[Finding], files_checked: int, headline: str | None = None,
                            changed_paths: int | None = None, silenced: Sequence[Finding] = ()) -> str:
    """A Markdown report for ``$GITHUB_STEP_SUMMARY``; the waived findings are listed too."""
    out = ["## airflow-etiquette", ""]
    if headline:
        out += [headline, ""]
    out += [summary(findings, files_checked, changed_paths, len(silenced)), ""]
    if findings:
        out += ["| | file | line | rule | message |", "|---|---|---|---|---|"]
        for f in findings:
            icon = "❌" if f.severity is Severity.ERROR else "⚠️"
            message = f.message.replace("|", "\\|")
            out.append(f"| {icon} | `{f.path}` | {f.line} | {f.code} {f.name} | {message} |")
        out.append("")
    if silenced:
        out += ["Silenced by `# noqa` (allowed by the configuration):", "", "| file | line | rule | message |",
                "|---|---|---|---|"]
        out += [f"| `{f.path}` | {f.line} | {f.code} {f.name} | {f.message.replace('|', chr(92) + '|')} |"
                for f in silenced]
        out.append("")
    return "\n".join(out) + "\n"


def format_sarif(findings: Sequence[Finding], version: str) -> str:
    """SARIF 2.1.0, as GitHub code scanning accepts it (github/codeql-action/upload-sarif)."""
    from airflow_etiquette.rules import ALL_RULES

    rules = []
    for rule in ALL_RULES:
        rules.append({
            "id": rule.code,
            "name": "".join(part.capitalize() for part in rule.name.split("-")),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": " ".join(rule.what.split())},
            "help": {"text": " ".join(rule.why.split()),
                     "markdown": f"**{rule.code} {rule.name}**\n\n{rule.what}\n\n**Why?** {rule.why}"},
            "defaultConfiguration": {"level": rule.severity.value},
            "properties": {"tags": ["airflow", "shared-scheduler"]},
        })
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    results = [{
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "level": f.severity.value,
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": f.line, "startColumn": f.column},
            },
        }],
    } for f in findings]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "airflow-etiquette",
                "version": version,
                "semanticVersion": version,
                "informationUri": "https://github.com/airflow-etiquette/airflow-etiquette",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
