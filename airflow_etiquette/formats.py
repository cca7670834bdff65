"""Output formats. Each turns sorted findings into text; nothing here decides anything."""

from __future__ import annotations

import json
from collections.abc import Sequence

from airflow_etiquette.findings import Finding, Severity

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def format_text(findings: Sequence[Finding], files_checked: int, color: bool) -> str:
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
    lines.append(summary(findings, files_checked))
    return "\n".join(lines) + "\n"


def summary(findings: Sequence[Finding], files_checked: int) -> str:
    files = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
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


FORMATS = ("text", "json")
