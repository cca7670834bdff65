"""GitHub Actions workflow commands: an annotation per finding on exactly the offending file,
a notice with the headline, and the Markdown summary for ``$GITHUB_STEP_SUMMARY``.

Paths are the git root's (``CheckReport.located``): GitHub places annotations and reads summary
links against the repository, so a project in a subfolder (the action's ``working-directory``)
still lands on the pull request's diff."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from airflow_etiquette.findings import Finding, Severity, severity_counts
from airflow_etiquette.output import markdown
from airflow_etiquette.output.report import CheckReport, printable
from airflow_etiquette.output.text import summary

# GitHub shows at most this many annotations of each type (error, warning, notice) per step, and
# 50 per job; the rest are in the log only. The step summary says so and carries every finding.
ANNOTATIONS_PER_TYPE = 10
ANNOTATIONS_PER_JOB = 50
# GitHub refuses a step summary over 1 MiB (and then shows none of it): stay well below.
SUMMARY_LIMIT = 1024 * 1024
SUMMARY_BUDGET = SUMMARY_LIMIT - 64 * 1024


def render(report: CheckReport) -> str:
    head = f"::notice title=airflow-etiquette::{_escape_data(report.headline)}\n" if report.headline else ""
    return (
        head
        + format_github(report.findings, report.located)
        + summary(report.findings, report.files_checked, report.changed_paths, len(report.silenced), len(report.known))
        + "\n"
    )


def render_summary(report: CheckReport) -> str:
    """The Markdown step summary of a report, its paths as the git root sees them."""
    return format_markdown_summary(
        report.findings,
        report.files_checked,
        report.headline,
        report.changed_paths,
        report.silenced,
        path_prefix=report.path_prefix,
        known=len(report.known),
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_error(message: str) -> str:
    """A run-level annotation (no file), so a usage or configuration error shows on the run page."""
    return f"::error title=airflow-etiquette::{_escape_data(message)}"


def format_github(findings: Sequence[Finding], located: Callable[[str], str] = str) -> str:
    """GitHub Actions workflow commands: one annotation per finding on the pull request's files.

    ``located`` turns a finding's path (relative to the project root) into the git root's."""
    lines = []
    for f in findings:
        command = "error" if f.severity is Severity.ERROR else "warning"
        properties = ",".join(
            [
                f"file={_escape_property(located(f.path))}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_property(f'{f.code} {f.name}')}",
            ]
        )
        # printable: a quoted string's newline or escape sequence shown as written, as in the text log
        lines.append(f"::{command} {properties}::{_escape_data(printable(f.message))}")
    return "\n".join(lines) + ("\n" if lines else "")


def not_annotated(findings: Sequence[Finding]) -> int:
    """How many findings GitHub will not show as annotations of this step (only 10 per type)."""
    errors, warnings = severity_counts(findings)
    return max(0, errors - ANNOTATIONS_PER_TYPE) + max(0, warnings - ANNOTATIONS_PER_TYPE)


def format_markdown_summary(
    findings: Sequence[Finding],
    files_checked: int,
    headline: str | None = None,
    changed_paths: int | None = None,
    silenced: Sequence[Finding] = (),
    path_prefix: str = "",
    limit: int = SUMMARY_BUDGET,
    known: int = 0,
) -> str:
    """A Markdown report for ``$GITHUB_STEP_SUMMARY``; the waived findings are listed too.

    It stays under ``limit`` bytes (GitHub drops a summary over 1 MiB whole): the tables are cut
    short with a line saying how many rows were left out."""
    out = ["## airflow-etiquette", ""]
    if headline:
        out += [headline, ""]
    out += [summary(findings, files_checked, changed_paths, len(silenced), known), ""]
    hidden = not_annotated(findings)
    if hidden:
        out += [
            f"GitHub shows at most {ANNOTATIONS_PER_TYPE} error and {ANNOTATIONS_PER_TYPE} warning annotations "
            f"per step ({ANNOTATIONS_PER_JOB} per job): **{hidden} of the {len(findings)} findings are not shown "
            "as annotations**. The table below and the SARIF file (`--sarif-output`) carry all of them.",
            "",
        ]
    tables: list[tuple[list[str], list[str]]] = []
    if findings:
        tables.append(
            (
                ["| | file | line | rule | message |", "|---|---|---|---|---|"],
                [
                    f"| {'❌' if f.severity is Severity.ERROR else '⚠️'} | {markdown.code(path_prefix + f.path)} | {f.line} "
                    f"| {f.code} {f.name} | {markdown.text(f.message)} |"
                    for f in findings
                ],
            )
        )
    if silenced:
        tables.append(
            (
                [
                    "Silenced by `# noqa` (allowed by the configuration):",
                    "",
                    "| file | line | rule | message |",
                    "|---|---|---|---|",
                ],
                [
                    f"| {markdown.code(path_prefix + f.path)} | {f.line} | {f.code} {f.name} | {markdown.text(f.message)} |"
                    for f in silenced
                ],
            )
        )
    # Room for every table's head and for each "rows left out" line, decided before any row.
    size = _size(out) + sum(_size(head) + 200 for head, _ in tables)
    full = False  # once a row did not fit, the rows of later tables are left out too: read in order
    for head, rows in tables:
        out += head
        shown = 0
        for row in rows:
            row_size = len(row.encode("utf-8", "surrogatepass")) + 1
            full = full or size + row_size > limit
            if full:
                break
            out.append(row)
            size += row_size
            shown += 1
        if shown < len(rows):
            left = len(rows) - shown
            out.append("")
            out.append(
                f"*{left} more row{'s' if left != 1 else ''} left out: GitHub's step summary is limited to 1 MiB. "
                "The SARIF file and the job's log list every finding.*"
            )
        out.append("")
    return "\n".join(out) + "\n"


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode("utf-8", "surrogatepass")) + 1 for line in lines)
