"""GitHub Actions workflow commands: an annotation per finding on exactly the offending file,
a notice with the headline, and the Markdown summary for ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from collections.abc import Sequence

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.output.report import CheckReport
from airflow_etiquette.output.text import summary


def render(report: CheckReport) -> str:
    head = f"::notice title=airflow-etiquette::{report.headline}\n" if report.headline else ""
    return (
        head
        + format_github(report.findings)
        + summary(report.findings, report.files_checked, report.changed_paths, len(report.silenced))
        + "\n"
    )


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
        properties = ",".join(
            [
                f"file={_escape_property(f.path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_property(f'{f.code} {f.name}')}",
            ]
        )
        lines.append(f"::{command} {properties}::{_escape_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_markdown_summary(
    findings: Sequence[Finding],
    files_checked: int,
    headline: str | None = None,
    changed_paths: int | None = None,
    silenced: Sequence[Finding] = (),
) -> str:
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
        out += [
            "Silenced by `# noqa` (allowed by the configuration):",
            "",
            "| file | line | rule | message |",
            "|---|---|---|---|",
        ]
        out += [
            f"| `{f.path}` | {f.line} | {f.code} {f.name} | {f.message.replace('|', chr(92) + '|')} |" for f in silenced
        ]
        out.append("")
    return "\n".join(out) + "\n"
