"""The formats for people: ``concise`` (the default, flake8's ``path:line:col: CODE message``),
``full`` (ruff's: each finding with its source line and a caret under the column), and the
``--statistics`` table; each ends with one summary line unless ``--quiet``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from airflow_etiquette.findings import Finding, Severity, severity_counts
from airflow_etiquette.output.report import CheckReport, printable

_RED, _YELLOW, _BLUE, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[34m", "\033[1m", "\033[2m", "\033[0m"


def render(report: CheckReport) -> str:
    """The concise format."""
    return _framed(report, [_location_line(f, report, marked=False) for f in report.findings])


def render_full(report: CheckReport) -> str:
    """Each finding, then the line it points at with a caret under its column."""
    lines: list[str] = []
    for f in report.findings:
        lines.append(_location_line(f, report, marked=True))
        lines += _excerpt(f, report)
    return _framed(report, lines)


def render_statistics(report: CheckReport) -> str:
    """One line per rule that found something: count, code, ``[*]`` if ``--fix`` fixes it, name;
    the most frequent first."""
    counts = Counter((f.code, f.name) for f in report.findings)
    width = len(str(max(counts.values(), default=0)))
    lines = [
        f"{count:>{width}}\t{code}\t{'[*] ' if code in report.fixable else ''}{name}"
        for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    ]
    # Per rule, not per finding: whether one finding's fix is safe (a committed dag_id's rename is
    # not) is decided when the fix is made, so no count is promised here.
    if any(code in report.fixable for code, _ in counts) and not report.quiet:
        lines.append("[*] --fix fixes these where it is safe (--diff shows what it would change).")
    return _framed(report, lines)


def _framed(report: CheckReport, lines: list[str]) -> str:
    if not report.quiet:
        if report.headline:  # (it names the author: a git user.name can hold any character)
            lines.insert(0, printable(report.headline))
        lines.append(
            summary(
                report.findings, report.files_checked, report.changed_paths, len(report.silenced), len(report.known)
            )
        )
    return "".join(line + "\n" for line in lines)


def _location_line(f: Finding, report: CheckReport, marked: bool) -> str:
    """``path:line:col: CODE message``; ``marked``: ruff's ``[*]`` after a code ``--fix`` fixes."""
    code = f.code
    fix = " [*]" if marked and f.code in report.fixable else ""
    path = printable(f.path)
    if report.color:
        tint = _RED if f.severity is Severity.ERROR else _YELLOW
        code = f"{tint}{_BOLD}{f.code}{_RESET}"
        location = f"{_BOLD}{path}{_RESET}{_DIM}:{f.line}:{f.column}:{_RESET}"
    else:
        location = f"{path}:{f.line}:{f.column}:"
    return f"{location} {code}{fix} {printable(f.message)}"


def _excerpt(f: Finding, report: CheckReport) -> list[str]:
    """ruff's frame: the line number in a gutter, the line, a caret under the column."""
    text = report.excerpts.get((f.path, f.line))
    if text is None:
        return [""]
    gutter = " " * len(str(f.line))
    bar = f"{_BLUE}|{_RESET}" if report.color else "|"
    caret = f"^ {f.code}"
    if report.color:
        caret = f"{_RED if f.severity is Severity.ERROR else _YELLOW}{caret}{_RESET}"
    column = max(f.column - 1, 0)
    # the caret stays under the column after tabs are expanded and control characters escaped
    offset = len(printable(text[:column].expandtabs(4)))
    return [
        f"{gutter} {bar}",
        f"{f.line} {bar} {printable(text.expandtabs(4))}",
        f"{gutter} {bar} {' ' * offset}{caret}",
        f"{gutter} {bar}",
        f"{gutter} = help: `airflow-etiquette explain {f.code}`",
        "",
    ]


def summary(
    findings: Sequence[Finding],
    files_checked: int,
    changed_paths: int | None = None,
    silenced: int = 0,
    known: int = 0,
) -> str:
    """The closing line. For a change, the change rules look at every changed path but only the
    files the checks read are analysed, so both counts are given; waivers and baseline entries are
    counted, so a reviewer sees them."""
    files = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    if changed_paths is not None:
        files = f"{changed_paths} changed path{'s' if changed_paths != 1 else ''}, {files}"
    if silenced:
        files += f", {silenced} silenced by # noqa"
    if known:
        files += f", {known} known from the baseline"
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
