"""``path:line:col: CODE message`` per finding, then one summary line (flake8's shape)."""

from __future__ import annotations

from collections.abc import Sequence

from airflow_etiquette.findings import Finding, Severity, severity_counts
from airflow_etiquette.output.report import CheckReport


def render(report: CheckReport) -> str:
    head = f"{report.headline}\n" if report.headline else ""
    return head + format_text(
        report.findings, report.files_checked, report.color, report.changed_paths, len(report.silenced)
    )


_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def format_text(
    findings: Sequence[Finding], files_checked: int, color: bool, changed_paths: int | None = None, silenced: int = 0
) -> str:
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


def summary(
    findings: Sequence[Finding], files_checked: int, changed_paths: int | None = None, silenced: int = 0
) -> str:
    """The closing line. For a change, the change rules look at every changed path but only the
    files the checks read are analysed, so both counts are given; waivers are counted, so a
    reviewer sees them."""
    files = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    if changed_paths is not None:
        files = f"{changed_paths} changed path{'s' if changed_paths != 1 else ''}, {files}"
    if silenced:
        files += f", {silenced} silenced by # noqa"
    if not findings:
        return f"All good: no findings ({files})."
    errors, warnings = severity_counts(findings)
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    affected = len({f.path for f in findings})
    return f"Found {' and '.join(parts)} in {affected} file{'s' if affected != 1 else ''} ({files})."
