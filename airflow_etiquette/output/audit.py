"""The audit report as text, Markdown, JSON and one self-contained HTML page.

Every format says the same things in the same order, the worst first: the class overview (owners
by status, findings per rule), the owners (errors, then warnings, then clean; a commit that changed
someone else's paths counts for its author), the history, then each owner's DAGs and findings, the
scheduler load and the lists. Where the ``origin`` remote is on GitHub or GitLab, files, commits and
pull requests are links.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from airflow_etiquette.engine.audit import STATUSES, AuditReport, CommitViolation, Load, OwnerSection
from airflow_etiquette.findings import Finding, Severity, severity_counts
from airflow_etiquette.output import markdown
from airflow_etiquette.output.report import json_text, printable

SCHEMA_URL = "https://raw.githubusercontent.com/airflow-etiquette/airflow-etiquette/main/docs/audit.schema.json"


def _count(findings: Iterable[Finding]) -> tuple[int, int]:
    return severity_counts(findings)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def headline(report: AuditReport) -> str:
    """One line that adds up with the owner table: its errors and warnings are the sums of the
    table's columns (history included)."""
    errors, warnings = _count(report.findings)
    clean = sum(1 for s in report.owners if s.status == "clean" and s.is_owner)
    owners = sum(1 for s in report.owners if s.has_directory and s.is_owner)
    verdict = (
        "all in order" if not errors and not warnings else f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    )
    waived = len(report.silenced)
    if waived:
        verdict += f"; {waived} waived by # noqa"
    return f"{_plural(owners, 'owner')}, {clean} clean; {_plural(report.files_checked, 'file')} checked; {verdict}."


def status_counts(report: AuditReport) -> dict[str, int]:
    """How many owners have each status, the worst first: their folders' rows of the owner table,
    as the headline counts them (the unowned and the maintainers' rows are no one's standing)."""
    return {status: sum(1 for s in report.owners if s.status == status and s.is_owner) for status in STATUSES}


@dataclass(frozen=True)
class RuleTotal:
    code: str
    name: str
    severity: str
    findings: int
    waived: int
    owners: int  # how many owners have at least one finding of the rule


def rule_totals(report: AuditReport) -> list[RuleTotal]:
    """Per rule that found or waived anything: the errors first, then the most found."""
    names: dict[str, tuple[str, str]] = {}
    found: dict[str, int] = {}
    waived: dict[str, int] = {}
    owners: dict[str, set[str]] = {}
    for section in report.owners:
        for finding in section.all_findings:
            names[finding.code] = (finding.name, finding.severity.value)
            found[finding.code] = found.get(finding.code, 0) + 1
            owners.setdefault(finding.code, set()).add(section.owner)
        for finding in section.silenced:
            names[finding.code] = (finding.name, finding.severity.value)
            waived[finding.code] = waived.get(finding.code, 0) + 1
    totals = [
        RuleTotal(code, name, severity, found.get(code, 0), waived.get(code, 0), len(owners.get(code, ())))
        for code, (name, severity) in names.items()
    ]
    return sorted(totals, key=lambda t: (t.severity != Severity.ERROR.value, -t.findings, -t.waived, t.code))


# -- links -----------------------------------------------------------------------------------


def _link_path(path: str) -> tuple[str, bool]:
    """The path a link can point at, and whether a line in it means anything: a zip bundle's
    member (``bundle.zip/taxi.py``) is linked as the bundle."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower().endswith(".zip"):
            return "/".join(parts[: i + 1]), False
    return path, True


def finding_url(report: AuditReport, finding: Finding, commit: str | None = None) -> str | None:
    """The finding's file at its line: in the tree at the audited commit, or (a history finding)
    as ``commit`` left it."""
    commit = commit or report.head
    if report.remote is None or commit is None:
        return None
    path, has_lines = _link_path(finding.path)
    return report.remote.blob(commit, report.path_prefix + path, finding.line if has_lines else None)


def commit_url(report: AuditReport, sha: str) -> str | None:
    return report.remote.commit(sha) if report.remote is not None else None


def pull_request_url(report: AuditReport, reference: str | None) -> str | None:
    return report.remote.pull_request(reference) if report.remote is not None and reference else None


# -- shared cells -----------------------------------------------------------------------------


def _dag_line(section: OwnerSection) -> list[tuple[str, str, str, str, str]]:
    return [
        (d.dag_id, d.schedule or "(default)", d.catchup or "(default)", ", ".join(d.tags), d.path) for d in section.dags
    ]


def _counts_text(section: OwnerSection) -> str:
    return " ".join(f"{code}×{n}" for code, n in section.counts().items())


OWNER_HEADERS = ("owner", "status", "files", "dags", "errors", "warnings", "waived", "commits", "findings")


def _owner_cells(section: OwnerSection) -> tuple[str, ...]:
    return (
        section.owner,
        section.status,
        str(len(section.files)),
        str(len(section.dags)),
        str(section.errors),
        str(section.warnings),
        str(len(section.silenced)),
        str(len(section.history)),
        _counts_text(section),
    )


LOAD_HEADERS = (
    "owner",
    "runs/day",
    "not counted",
    "backfill runs",
    "parse-time calls",
    "heavy imports",
    "missing imports",
)


def _load_cells(load: Load) -> tuple[str, ...]:
    return (
        _per_day(load.runs_per_day),
        str(load.uncounted_schedules),
        f"{load.backfill_runs:,}",
        str(load.parse_time_calls),
        str(load.heavy_imports),
        str(load.missing_imports),
    )


def _per_day(runs: float) -> str:
    """``289`` as "289", ``0.0329`` (monthly) as "0.03"."""
    text = f"{runs:,.2f}" if runs < 10 else f"{runs:,.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _load_rows(report: AuditReport) -> list[tuple[str, ...]]:
    """The scheduler load per owner that asks for any, the heaviest first, and the class total:
    scheduled runs a day (schedules that cannot be counted, such as @continuous or asset-driven,
    are listed apart), the runs catching up would queue, and the findings of ETQ604-606."""
    sections = [s for s in report.owners if s.has_directory and (s.dags or s.load != Load())]
    sections.sort(key=lambda s: (-s.load.backfill_runs, -s.load.runs_per_day, s.owner))
    rows = [(s.owner, *_load_cells(s.load)) for s in sections]
    return [*rows, ("class total", *_load_cells(report.load))]


def _lists(report: AuditReport) -> list[str]:
    out = []
    if report.missing_directories:
        out.append(f"In CODEOWNERS or the roster but without a directory: {', '.join(report.missing_directories)}")
    if report.unlisted_directories:
        out.append(f"Directories with no CODEOWNERS or roster entry: {', '.join(report.unlisted_directories)}")
    return out


def _history_title(report: AuditReport) -> str:
    count = len(report.history or ())
    return f"History ({report.history_range}): {count} commit(s) changed paths outside their author's own"


# -- text ----------------------------------------------------------------------------------

_STATUS_WORDS = {
    "errors": "with errors",
    "warnings": "with warnings",
    "clean": "clean",
    "no directory": "without a directory",
}


def format_audit_text(report: AuditReport) -> str:
    out = [f"airflow-etiquette audit of {report.name}", "", *_table([OWNER_HEADERS, *map(_owner_cells, report.owners)])]
    counts = status_counts(report)
    out += ["", "Owners: " + ", ".join(f"{n} {_STATUS_WORDS[status]}" for status, n in counts.items() if n)]
    totals = rule_totals(report)
    if totals:
        rows = [("rule", "name", "severity", "findings", "waived", "owners")]
        rows += [(t.code, t.name, t.severity, str(t.findings), str(t.waived), str(t.owners)) for t in totals]
        out += ["", "Findings per rule", *_table(rows)]
    out.append("")
    if report.history is not None:
        out.append(_history_title(report))
        for v in report.history:
            out.append(f"  {v.commit[:7]} {v.date[:10]} {v.author}, attributed to {v.owner} ({v.signal}): {v.subject}")
            out += [f"    {f.message}" for f in v.findings]
        if report.unattributed:
            out.append(f"  {len(report.unattributed)} commit(s) could not be attributed to anyone:")
            out += [f"    {u.sha[:7]} {u.date[:10]} {u.author}: {u.subject}" for u in report.unattributed]
        out.append("")
    out += ["Scheduler load", *_table([LOAD_HEADERS, *_load_rows(report)]), ""]
    for section in report.owners:
        if not section.has_directory and not section.history:
            continue
        out.append(f"{section.owner} ({section.status})")
        for dag_id, schedule, catchup, tags, path in _dag_line(section):
            out.append(f"  DAG {dag_id}: schedule {schedule}, catchup {catchup}, tags [{tags}] ({path})")
        if section.schemas:
            out.append(f"  schemas: {', '.join(sorted(section.schemas))}")
        if section.connections:
            out.append(f"  connections: {', '.join(sorted(section.connections))}")
        for f in section.findings:
            out.append(f"  {f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        for v in section.history:
            for f in v.findings:
                out.append(f"  commit {v.commit[:7]}: {f.path}: {f.code} {f.message}")
        for f in section.silenced:
            out.append(f"  waived by # noqa: {f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        out.append("")
    for line in _lists(report):
        out += [line, ""]
    out.append(headline(report))
    # A path, a dag_id, a commit's subject or its author's name can hold any character.
    return "".join(printable(line) + "\n" for line in out)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    rows = [[printable(cell) for cell in row] for row in rows]  # escaped first: the widths are of what is shown
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip() for row in rows]


# -- markdown --------------------------------------------------------------------------------


def _md_link(label: str, url: str | None) -> str:
    return f"[{label}](<{url}>)" if url else label


_ICON = {"clean": "✅ clean", "warnings": "⚠️ warnings", "errors": "❌ errors", "no directory": "➖ no directory"}


def format_audit_markdown(report: AuditReport) -> str:
    title = _md_link(markdown.code(report.name), report.remote.web if report.remote else None)
    out = [f"# airflow-etiquette audit of {title}", "", headline(report), ""]
    counts = status_counts(report)
    out.append("**Owners:** " + " · ".join(f"{_ICON[status]}: {n}" for status, n in counts.items()))
    out.append("")
    out += ["| " + " | ".join(OWNER_HEADERS) + " |", "|---" * len(OWNER_HEADERS) + "|"]
    for section in report.owners:
        cells = list(_owner_cells(section))
        cells[1] = _ICON[section.status]
        out.append("| " + " | ".join(markdown.text(c) for c in cells) + " |")
    out.append("")
    totals = rule_totals(report)
    if totals:
        out += ["## Findings per rule", "", "| rule | severity | findings | waived | owners |", "|---|---|---|---|---|"]
        out += [f"| {t.code} {t.name} | {t.severity} | {t.findings} | {t.waived} | {t.owners} |" for t in totals]
        out.append("")
    if report.history is not None:
        out += [f"## {markdown.text(_history_title(report))}", ""]
        if report.history:
            out += ["| commit | date | author | attributed to | paths |", "|---|---|---|---|---|"]
            for v in report.history:
                out.append(
                    f"| {_commit_md(report, v.commit, v.pull_request)} | {v.date[:10]} | {markdown.text(v.author)} | "
                    f"{markdown.text(v.owner or '?')} ({markdown.text(v.signal)}) | {_history_paths_md(report, v)} |"
                )
        else:
            out.append("No commit changed paths outside its author's own.")
        out.append("")
        if report.unattributed:
            out += [
                f"**{len(report.unattributed)} commit(s) could not be attributed to anyone:**",
                "",
                "| commit | date | author | subject |",
                "|---|---|---|---|",
            ]
            out += [
                f"| {_commit_md(report, u.sha, u.pull_request)} | {u.date[:10]} | {markdown.text(u.author)} | {markdown.text(u.subject)} |"
                for u in report.unattributed
            ]
            out.append("")
    out += _findings_md(report, "Findings", [(s.owner, f) for s in report.owners for f in s.findings])
    out += _findings_md(report, "Waived by `# noqa`", [(s.owner, f) for s in report.owners for f in s.silenced])
    out += ["## Scheduler load", "", "| " + " | ".join(LOAD_HEADERS) + " |", "|---" * len(LOAD_HEADERS) + "|"]
    out += ["| " + " | ".join(markdown.text(cell) for cell in row) + " |" for row in _load_rows(report)]
    out.append("")
    dags = [(s.owner, row) for s in report.owners for row in _dag_line(s)]
    if dags:
        out += ["## DAGs", "", "| owner | dag_id | schedule | catchup | tags | file |", "|---|---|---|---|---|---|"]
        out += [
            f"| {markdown.text(o)} | {markdown.code(d)} | {markdown.text(s)} | {markdown.text(c)} | {markdown.text(t)} | {markdown.code(p)} |"
            for o, (d, s, c, t, p) in dags
        ]
        out.append("")
    for line in _lists(report):
        out += [markdown.line(line), ""]
    return "\n".join(out) + "\n"


def _findings_md(report: AuditReport, title: str, findings: Sequence[tuple[str, Finding]]) -> list[str]:
    """A section of findings by owner, each linked to its line; nothing when there are none."""
    if not findings:
        return []
    rows = [
        f"| {markdown.text(owner)} | {_md_link(markdown.code(f'{f.path}:{f.line}'), finding_url(report, f))} | "
        f"{f.code} {f.name} | {markdown.text(f.message)} |"
        for owner, f in findings
    ]
    return [f"## {title}", "", "| owner | file | rule | message |", "|---|---|---|---|", *rows, ""]


def _commit_md(report: AuditReport, sha: str, pull_request: str | None) -> str:
    text = _md_link(markdown.code(sha[:7]), commit_url(report, sha))
    if pull_request:
        text += " " + _md_link(markdown.text(pull_request), pull_request_url(report, pull_request))
    return text


def _history_paths_md(report: AuditReport, v: CommitViolation) -> str:
    return ", ".join(_md_link(markdown.code(f.path), finding_url(report, f, v.commit)) for f in v.findings)


# -- json -------------------------------------------------------------------------------------


def _catchup(text: str | None) -> bool | None:
    """``catchup=True`` / ``False`` as a boolean; None where it is not stated as a literal."""
    return {"True": True, "False": False}.get(text or "")


def _finding(report: AuditReport, finding: Finding, commit: str | None = None) -> dict[str, object]:
    return {**finding.as_dict(), "url": finding_url(report, finding, commit)}


def audit_as_dict(report: AuditReport) -> dict[str, object]:
    """The audit as JSON data, in the shape ``docs/audit.schema.json`` publishes."""
    errors, warnings = _count(report.findings)
    remote = report.remote
    return {
        "$schema": SCHEMA_URL,
        "repository": {
            "name": report.name,
            "url": remote.web if remote else None,
            "host": remote.kind if remote else None,
            "commit": report.head,
        },
        "files_checked": report.files_checked,
        "summary": {
            "errors": errors,
            "warnings": warnings,
            "waived": len(report.silenced),
            "owners": sum(1 for s in report.owners if s.has_directory),
            "clean_owners": sum(1 for s in report.owners if s.status == "clean"),
            "owners_by_status": status_counts(report),
            "rules": [dataclasses.asdict(t) for t in rule_totals(report)],
            "load": dataclasses.asdict(report.load),
        },
        "owners": [
            {
                "owner": s.owner,
                "status": s.status,
                "has_directory": s.has_directory,
                "listed": s.listed,
                "errors": s.errors,
                "warnings": s.warnings,
                "files": s.files,
                "dags": [
                    {
                        "path": d.path,
                        "dag_id": d.dag_id,
                        "schedule": d.schedule,
                        "catchup": _catchup(d.catchup),
                        "catchup_text": d.catchup,
                        "tags": list(d.tags),
                        "runs_per_day": d.runs_per_day,
                        "backfill_runs": d.backfill_runs,
                    }
                    for d in s.dags
                ],
                "schemas": sorted(s.schemas),
                "connections": sorted(s.connections),
                "counts": s.counts(),
                "load": dataclasses.asdict(s.load),
                "findings": [_finding(report, f) for f in s.findings],
                "silenced": [_finding(report, f) for f in s.silenced],
                "history": [v.commit for v in s.history],
            }
            for s in report.owners
        ],
        "missing_directories": report.missing_directories,
        "unlisted_directories": report.unlisted_directories,
        "history": None
        if report.history is None
        else {
            "range": report.history_range,
            "violations": [
                {
                    "commit": v.commit,
                    "date": v.date,
                    "author": v.author,
                    "author_email": v.author_email,
                    "owner": v.owner,
                    "signal": v.signal,
                    "subject": v.subject,
                    "pull_request": v.pull_request,
                    "url": commit_url(report, v.commit),
                    "pull_request_url": pull_request_url(report, v.pull_request),
                    "findings": [_finding(report, f, v.commit) for f in v.findings],
                }
                for v in report.history
            ],
            "unattributed": [
                {
                    "sha": u.sha,
                    "date": u.date,
                    "subject": u.subject,
                    "author_name": u.author_name,
                    "author_email": u.author_email,
                    "pull_request": u.pull_request,
                    "url": commit_url(report, u.sha),
                    "pull_request_url": pull_request_url(report, u.pull_request),
                }
                for u in report.unattributed
            ],
        },
    }


def format_audit_json(report: AuditReport) -> str:
    return json_text(audit_as_dict(report))


# -- html --------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}.lead{color:#59636e;margin-top:0}h2{margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #d1d9e0;padding:.45rem .6rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f6f8fa}td.num,th.num{text-align:right}.status{font-weight:600;border-radius:1rem;padding:.1rem .6rem;white-space:nowrap}
.clean{background:#dafbe1;color:#116329}.errors{background:#ffebe9;color:#a40e26}.warnings{background:#fff8c5;color:#7d4e00}
.nodir{background:#eaeef2;color:#59636e}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}
details{border:1px solid #d1d9e0;border-radius:.5rem;margin:.6rem 0;padding:.4rem .8rem}summary{cursor:pointer;font-weight:600}
.finding{margin:.3rem 0;font-size:.9rem}.code-error{color:#a40e26;font-weight:600}.code-warning{color:#7d4e00;font-weight:600}
.muted{color:#59636e}a{color:#0969da}
.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}.card{border:1px solid #d1d9e0;border-radius:.5rem;padding:.6rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.6rem}.chart{margin:.5rem 0}
"""

_CSS_CLASS = {"clean": "clean", "errors": "errors", "warnings": "warnings", "no directory": "nodir"}
_COLOR = {"errors": "#cf222e", "warnings": "#d4a72c", "clean": "#1a7f37", "no directory": "#8c959f"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _a(label_html: str, url: str | None) -> str:
    """A link when there is somewhere to go; the label alone otherwise."""
    return f'<a href="{_e(url)}">{label_html}</a>' if url else label_html


def _badge(section: OwnerSection) -> str:
    return f'<span class="status {_CSS_CLASS[section.status]}">{_e(section.status)}</span>'


def _anchor(index: int, owner: str) -> str:
    return f"owner-{index}-{re.sub(r'[^A-Za-z0-9_-]+', '-', owner).strip('-')}"


def _status_chart(counts: dict[str, int]) -> str:
    """One bar, a segment per status, each as wide as its share of the owners."""
    total = sum(counts.values()) or 1
    width, x = 600.0, 0.0
    parts = [f'<svg class="chart" id="status-chart" role="img" width="{width:.0f}" height="28" viewBox="0 0 600 28">']
    parts.append("<title>Owners by status</title>")
    for status, n in counts.items():
        if not n:
            continue
        w = width * n / total
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="28" fill="{_COLOR[status]}" data-status="{_e(status)}">'
            f"<title>{_e(status)}: {n}</title></rect>"
        )
        if w > 24:
            parts.append(f'<text x="{x + w / 2:.1f}" y="19" fill="#fff" font-size="13" text-anchor="middle">{n}</text>')
        x += w
    parts.append("</svg>")
    return "".join(parts)


def _rule_chart(totals: Sequence[RuleTotal]) -> str:
    """A bar per rule, as long as its count of findings."""
    shown = [t for t in totals if t.findings]
    if not shown:
        return ""
    most = max(t.findings for t in shown)
    row, label, bar = 22, 230, 330
    parts = [
        f'<svg class="chart" id="rule-chart" role="img" width="{label + bar + 50}" height="{row * len(shown)}" '
        f'viewBox="0 0 {label + bar + 50} {row * len(shown)}"><title>Findings per rule</title>'
    ]
    for i, t in enumerate(shown):
        y = i * row
        w = max(2.0, bar * t.findings / most)
        color = _COLOR["errors"] if t.severity == Severity.ERROR.value else _COLOR["warnings"]
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{_e(t.code)} {_e(t.name)}</text>'
            f'<rect x="{label}" y="{y + 4}" width="{w:.1f}" height="14" fill="{color}" data-rule="{_e(t.code)}">'
            f"<title>{_e(t.code)}: {t.findings}</title></rect>"
            f'<text x="{label + w + 6:.1f}" y="{y + 15}" font-size="12">{t.findings}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _finding_html(report: AuditReport, f: Finding, commit: str | None = None, waived: bool = False) -> str:
    where = _a(f"<code>{_e(f.path)}:{f.line}:{f.column}</code>", finding_url(report, f, commit))
    if waived:
        return f'<div class="finding muted waived">waived by <code># noqa</code>: {where} {_e(f.code)} {_e(f.message)}</div>'
    return (
        f'<div class="finding">{where} <span class="code-{f.severity.value}">{_e(f.code)}</span> {_e(f.message)}</div>'
    )


def _commit_html(report: AuditReport, sha: str, pull_request: str | None) -> str:
    text = _a(f"<code>{_e(sha[:7])}</code>", commit_url(report, sha))
    if pull_request:
        text += " " + _a(_e(pull_request), pull_request_url(report, pull_request))
    return text


def format_audit_html(report: AuditReport) -> str:
    counts = status_counts(report)
    totals = rule_totals(report)
    errors, warnings = _count(report.findings)
    title = _a(_e(report.name), report.remote.web if report.remote else None)
    head = ""
    if report.head:
        head = f" · at {_commit_html(report, report.head, None)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>airflow-etiquette audit of {_e(report.name)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<h1>airflow-etiquette audit of <span id="repository">{title}</span></h1>',
        f'<p class="lead">{_e(headline(report))}{head}</p>',
        '<section id="overview"><h2>Overview</h2><div class="cards">',
    ]
    for status, n in counts.items():
        parts.append(
            f'<div class="card" data-status="{_e(status)}"><b>{n}</b><span class="status {_CSS_CLASS[status]}">'
            f"{_e(status)}</span></div>"
        )
    parts.append(f'<div class="card" data-total="errors"><b>{errors}</b>errors</div>')
    parts.append(f'<div class="card" data-total="warnings"><b>{warnings}</b>warnings</div>')
    parts.append(f'<div class="card" data-total="waived"><b>{len(report.silenced)}</b>waived by # noqa</div>')
    if report.history is not None:
        parts.append(
            f'<div class="card" data-total="commits"><b>{len(report.history)}</b>commits outside their own</div>'
        )
    parts.append("</div>")
    parts.append(_status_chart(counts))
    if totals:
        parts.append(_rule_chart(totals))
        parts.append(
            '<table id="rules"><thead><tr><th>rule</th><th>severity</th><th class="num">findings</th>'
            '<th class="num">waived</th><th class="num">owners</th></tr></thead><tbody>'
        )
        for t in totals:
            parts.append(
                f'<tr data-rule="{_e(t.code)}"><td>{_e(t.code)} {_e(t.name)}</td><td class="code-{_e(t.severity)}">'
                f'{_e(t.severity)}</td><td class="num">{t.findings}</td><td class="num">{t.waived}</td>'
                f'<td class="num">{t.owners}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</section>")

    parts.append('<h2>Owners</h2><table id="owners"><thead><tr>')
    parts.append(
        "".join(f"<th{' class=num' if i in range(2, 8) else ''}>{_e(h)}</th>" for i, h in enumerate(OWNER_HEADERS))
    )
    parts.append("</tr></thead><tbody>")
    for index, section in enumerate(report.owners):
        cells = _owner_cells(section)
        numbers = "".join(f'<td class="num" data-col="{_e(OWNER_HEADERS[i])}">{_e(cells[i])}</td>' for i in range(2, 8))
        parts.append(
            f'<tr data-owner="{_e(section.owner)}" data-status="{_e(section.status)}">'
            f'<td><a href="#{_anchor(index, section.owner)}">{_e(section.owner)}</a></td>'
            f"<td>{_badge(section)}</td>{numbers}<td>{_e(cells[8])}</td></tr>"
        )
    parts.append("</tbody></table>")

    if report.history is not None:
        parts.append(f'<section id="history"><h2>{_e(_history_title(report))}</h2>')
        if report.history:
            parts.append(
                '<table id="violations"><thead><tr><th>commit</th><th>date</th><th>author</th>'
                "<th>attributed to</th><th>outside their own</th></tr></thead><tbody>"
            )
            for v in report.history:
                paths = "<br>".join(_finding_html(report, f, v.commit) for f in v.findings)
                parts.append(
                    f'<tr data-commit="{_e(v.commit)}"><td>{_commit_html(report, v.commit, v.pull_request)}</td>'
                    f"<td>{_e(v.date[:10])}</td><td>{_e(v.author)}</td><td>{_e(v.owner)} "
                    f'<span class="muted">({_e(v.signal)})</span><br><span class="muted">{_e(v.subject)}</span></td>'
                    f"<td>{paths}</td></tr>"
                )
            parts.append("</tbody></table>")
        else:
            parts.append("<p>No commit changed paths outside its author's own.</p>")
        if report.unattributed:
            parts.append(f"<h3>{len(report.unattributed)} commit(s) could not be attributed to anyone</h3>")
            parts.append(
                '<table id="unattributed"><thead><tr><th>commit</th><th>date</th><th>author</th><th>subject</th>'
                "</tr></thead><tbody>"
            )
            for u in report.unattributed:
                parts.append(
                    f'<tr data-commit="{_e(u.sha)}"><td>{_commit_html(report, u.sha, u.pull_request)}</td>'
                    f"<td>{_e(u.date[:10])}</td><td>{_e(u.author)}</td><td>{_e(u.subject)}</td></tr>"
                )
            parts.append("</tbody></table>")
        parts.append("</section>")

    parts.append('<h2>Per owner</h2><div id="details">')
    for index, section in enumerate(report.owners):
        open_attr = " open" if section.all_findings else ""
        parts.append(
            f'<details id="{_anchor(index, section.owner)}"{open_attr}><summary>{_e(section.owner)} '
            f"{_badge(section)}</summary>"
        )
        if not section.has_directory:
            parts.append('<p class="muted">No directory in the dags folder.</p>')
        if section.dags:
            parts.append(
                "<table><thead><tr><th>dag_id</th><th>schedule</th><th>catchup</th><th>tags</th><th>file</th>"
                "</tr></thead><tbody>"
            )
            for dag_id, schedule, catchup, tags, path in _dag_line(section):
                parts.append(
                    f"<tr><td><code>{_e(dag_id)}</code></td><td>{_e(schedule)}</td><td>{_e(catchup)}</td>"
                    f"<td>{_e(tags)}</td><td><code>{_e(path)}</code></td></tr>"
                )
            parts.append("</tbody></table>")
        facts = []
        if section.schemas:
            facts.append(f"schemas: {_e(', '.join(sorted(section.schemas)))}")
        if section.connections:
            facts.append(f"connections: {_e(', '.join(sorted(section.connections)))}")
        if facts:
            parts.append(f'<p class="muted">{" · ".join(facts)}</p>')
        parts += [_finding_html(report, f) for f in section.findings]
        for v in section.history:
            parts.append(
                f'<div class="finding">commit {_commit_html(report, v.commit, v.pull_request)}: {_e(v.subject)}</div>'
            )
            parts += [_finding_html(report, f, v.commit) for f in v.findings]
        parts += [_finding_html(report, f, waived=True) for f in section.silenced]
        if not section.all_findings:
            parts.append('<p class="muted">No findings.</p>')
        parts.append("</details>")
    parts.append("</div>")

    parts.append("<h2>Scheduler load</h2>")
    parts.append(
        '<table id="load"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in LOAD_HEADERS) + "</tr></thead><tbody>"
    )
    for row in _load_rows(report):
        parts.append("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>")
    parts.append("</tbody></table>")
    for line in _lists(report):
        parts.append(f'<p class="list">{_e(line)}</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


AUDIT_FORMATS: dict[str, Callable[[AuditReport], str]] = {
    "text": format_audit_text,
    "markdown": format_audit_markdown,
    "json": format_audit_json,
    "html": format_audit_html,
}
