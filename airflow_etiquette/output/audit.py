"""The audit report as text, Markdown, JSON and one self-contained HTML page."""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Callable, Iterable, Sequence

from airflow_etiquette.engine.audit import AuditReport, Load, OwnerSection
from airflow_etiquette.findings import Finding, severity_counts


def _count(findings: Iterable[Finding]) -> tuple[int, int]:
    return severity_counts(findings)


def headline(report: AuditReport) -> str:
    errors, warnings = _count(report.findings)
    clean = sum(1 for s in report.owners if s.status == "clean" and s.has_directory)
    owners = sum(1 for s in report.owners if s.has_directory)
    verdict = (
        "all in order"
        if not errors and not warnings
        else (f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    )
    waived = sum(len(s.silenced) for s in report.owners)
    if waived:
        verdict += f"; {waived} waived by # noqa"
    return f"{owners} owners, {clean} clean; {report.files_checked} files checked; {verdict}."


def _dag_line(section: OwnerSection) -> list[tuple[str, str, str, str, str]]:
    return [
        (d.dag_id, d.schedule or "(default)", d.catchup or "(default)", ", ".join(d.tags), d.path) for d in section.dags
    ]


def _counts_text(section: OwnerSection) -> str:
    return " ".join(f"{code}×{n}" for code, n in section.counts().items())


def _status(section: OwnerSection) -> str:
    if not section.has_directory:
        return "no directory"
    return section.status


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


# -- text ----------------------------------------------------------------------------------


def format_audit_text(report: AuditReport) -> str:
    rows: list[tuple[str, ...]] = [("owner", "status", "files", "dags", "errors", "warnings", "findings")]
    for section in report.owners:
        errors, warnings = _count(section.findings)
        rows.append(
            (
                section.owner,
                _status(section),
                str(len(section.files)),
                str(len(section.dags)),
                str(errors),
                str(warnings),
                _counts_text(section),
            )
        )
    out = [f"airflow-etiquette audit of {report.root}", "", *_table(rows), ""]
    out += ["Scheduler load", *_table([LOAD_HEADERS, *_load_rows(report)]), ""]
    for section in report.owners:
        if not section.has_directory:
            continue
        out.append(f"{section.owner} ({_status(section)})")
        for dag_id, schedule, catchup, tags, path in _dag_line(section):
            out.append(f"  DAG {dag_id}: schedule {schedule}, catchup {catchup}, tags [{tags}] ({path})")
        if section.schemas:
            out.append(f"  schemas: {', '.join(sorted(section.schemas))}")
        if section.connections:
            out.append(f"  connections: {', '.join(sorted(section.connections))}")
        for f in section.findings:
            out.append(f"  {f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        for f in section.silenced:
            out.append(f"  waived by # noqa: {f.path}:{f.line}:{f.column}: {f.code} {f.message}")
        out.append("")
    out += _lists_text(report)
    if report.history is not None:
        out.append(
            f"History ({report.history_range}): {len(report.history)} commit(s) changed paths outside "
            "their author's own"
        )
        for v in report.history:
            out.append(f"  {v.commit[:7]} {v.date[:10]} {v.author}, attributed to {v.owner} ({v.signal}): {v.subject}")
            out += [f"    {f.message}" for f in v.findings]
        if report.unattributed:
            out.append(f"  {len(report.unattributed)} commit(s) could not be attributed to anyone:")
            out += [f"    {line}" for line in report.unattributed]
        out.append("")
    out.append(headline(report))
    return "\n".join(out) + "\n"


def _lists_text(report: AuditReport) -> list[str]:
    out = []
    if report.missing_directories:
        out += [f"In CODEOWNERS or the roster but without a directory: {', '.join(report.missing_directories)}", ""]
    if report.unlisted_directories:
        out += [f"Directories with no CODEOWNERS or roster entry: {', '.join(report.unlisted_directories)}", ""]
    return out


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip() for row in rows]


# -- markdown --------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def format_audit_markdown(report: AuditReport) -> str:
    icon = {"clean": "✅ clean", "warnings": "⚠️ warnings", "errors": "❌ errors", "no directory": "➖ no directory"}
    out = [
        "# airflow-etiquette audit",
        "",
        headline(report),
        "",
        "| owner | status | files | DAGs | errors | warnings | findings |",
        "|---|---|---|---|---|---|---|",
    ]
    for section in report.owners:
        errors, warnings = _count(section.findings)
        out.append(
            f"| {_md(section.owner)} | {icon[_status(section)]} | {len(section.files)} | {len(section.dags)} | "
            f"{errors} | {warnings} | {_counts_text(section)} |"
        )
    out.append("")
    out += ["## Scheduler load", "", "| " + " | ".join(LOAD_HEADERS) + " |", "|---" * len(LOAD_HEADERS) + "|"]
    out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in _load_rows(report)]
    out.append("")
    dags = [(s.owner, row) for s in report.owners for row in _dag_line(s)]
    if dags:
        out += ["## DAGs", "", "| owner | dag_id | schedule | catchup | tags | file |", "|---|---|---|---|---|---|"]
        out += [
            f"| {_md(o)} | `{_md(d)}` | {_md(s)} | {_md(c)} | {_md(t)} | `{_md(p)}` |" for o, (d, s, c, t, p) in dags
        ]
        out.append("")
    findings = [f for s in report.owners for f in s.findings]
    if findings:
        out += ["## Findings", "", "| file | line | rule | message |", "|---|---|---|---|"]
        out += [f"| `{_md(f.path)}` | {f.line} | {f.code} {f.name} | {_md(f.message)} |" for f in findings]
        out.append("")
    waived = [(s.owner, f) for s in report.owners for f in s.silenced]
    if waived:
        out += ["## Waived by `# noqa`", "", "| owner | file | line | rule | message |", "|---|---|---|---|---|"]
        out += [f"| {_md(o)} | `{_md(f.path)}` | {f.line} | {f.code} {f.name} | {_md(f.message)} |" for o, f in waived]
        out.append("")
    for line in _lists_text(report):
        out.append(line)
    if report.history is not None:
        out += [f"## History ({_md(report.history_range or '')})", ""]
        if report.history:
            out += ["| commit | date | author | attributed to | paths |", "|---|---|---|---|---|"]
            for v in report.history:
                paths = ", ".join(f"`{_md(f.path)}`" for f in v.findings)
                out.append(
                    f"| `{v.commit[:7]}` | {v.date[:10]} | {_md(v.author)} | {_md(v.owner or '?')} "
                    f"({_md(v.signal)}) | {paths} |"
                )
        else:
            out.append("No commit changed paths outside its author's own.")
        if report.unattributed:
            out += [
                "",
                f"{len(report.unattributed)} commit(s) could not be attributed: "
                + "; ".join(_md(u) for u in report.unattributed),
            ]
        out.append("")
    return "\n".join(out) + "\n"


# -- json -------------------------------------------------------------------------------------


def audit_as_dict(report: AuditReport) -> dict[str, object]:
    errors, warnings = _count(report.findings)
    return {
        "root": str(report.root),
        "files_checked": report.files_checked,
        "summary": {
            "errors": errors,
            "warnings": warnings,
            "owners": sum(1 for s in report.owners if s.has_directory),
            "clean_owners": sum(1 for s in report.owners if s.has_directory and s.status == "clean"),
            "load": dataclasses.asdict(report.load),
        },
        "owners": [
            {
                "owner": s.owner,
                "status": _status(s),
                "has_directory": s.has_directory,
                "listed": s.listed,
                "files": s.files,
                "dags": [
                    {
                        "path": d.path,
                        "dag_id": d.dag_id,
                        "schedule": d.schedule,
                        "catchup": d.catchup,
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
                "findings": [f.as_dict() for f in s.findings],
                "silenced": [f.as_dict() for f in s.silenced],
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
                    "owner": v.owner,
                    "signal": v.signal,
                    "subject": v.subject,
                    "findings": [f.as_dict() for f in v.findings],
                }
                for v in report.history
            ],
            "unattributed": report.unattributed,
        },
    }


def format_audit_json(report: AuditReport) -> str:
    return json.dumps(audit_as_dict(report), indent=2, ensure_ascii=False) + "\n"


# -- html --------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}.lead{color:#59636e;margin-top:0}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #d1d9e0;padding:.45rem .6rem;text-align:left;vertical-align:top;font-size:.92rem}
th{background:#f6f8fa}.status{font-weight:600;border-radius:1rem;padding:.1rem .6rem;white-space:nowrap}
.clean{background:#dafbe1;color:#116329}.errors{background:#ffebe9;color:#a40e26}.warnings{background:#fff8c5;color:#7d4e00}
.nodir{background:#eaeef2;color:#59636e}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}
details{border:1px solid #d1d9e0;border-radius:.5rem;margin:.6rem 0;padding:.4rem .8rem}summary{cursor:pointer;font-weight:600}
.finding{margin:.3rem 0;font-size:.9rem}.code-error{color:#a40e26;font-weight:600}.code-warning{color:#7d4e00;font-weight:600}
.muted{color:#59636e}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge(section: OwnerSection) -> str:
    status = _status(section)
    css = {"clean": "clean", "errors": "errors", "warnings": "warnings", "no directory": "nodir"}[status]
    return f'<span class="status {css}">{_e(status)}</span>'


def format_audit_html(report: AuditReport) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>airflow-etiquette audit</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>airflow-etiquette audit</h1>",
        f'<p class="lead">{_e(report.root)} · {_e(headline(report))}</p>',
        '<table id="owners"><thead><tr><th>owner</th><th>status</th><th>files</th><th>DAGs</th><th>errors</th>'
        "<th>warnings</th><th>findings</th></tr></thead><tbody>",
    ]
    for section in report.owners:
        errors, warnings = _count(section.findings)
        parts.append(
            f'<tr data-owner="{_e(section.owner)}"><td><a href="#owner-{_e(section.owner)}">{_e(section.owner)}</a></td>'
            f"<td>{_badge(section)}</td><td>{len(section.files)}</td><td>{len(section.dags)}</td><td>{errors}</td>"
            f"<td>{warnings}</td><td>{_e(_counts_text(section))}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append("<h2>Scheduler load</h2>")
    parts.append(
        '<table id="load"><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in LOAD_HEADERS) + "</tr></thead><tbody>"
    )
    for row in _load_rows(report):
        parts.append("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>")
    parts.append("</tbody></table>")
    for section in report.owners:
        if not section.has_directory:
            continue
        open_attr = " open" if section.findings else ""
        parts.append(
            f'<details id="owner-{_e(section.owner)}"{open_attr}><summary>{_e(section.owner)} {_badge(section)}</summary>'
        )
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
        for f in section.findings:
            parts.append(
                f'<div class="finding"><code>{_e(f.path)}:{f.line}:{f.column}</code> '
                f'<span class="code-{f.severity.value}">{_e(f.code)}</span> {_e(f.message)}</div>'
            )
        for f in section.silenced:
            parts.append(
                f'<div class="finding muted">waived by <code># noqa</code>: <code>{_e(f.path)}:{f.line}:'
                f"{f.column}</code> {_e(f.code)} {_e(f.message)}</div>"
            )
        if not section.findings:
            parts.append('<p class="muted">No findings.</p>')
        parts.append("</details>")
    for line in _lists_text(report):
        if line:
            parts.append(f"<p>{_e(line)}</p>")
    if report.history is not None:
        parts.append(f"<h2>History ({_e(report.history_range)})</h2>")
        if report.history:
            parts.append(
                '<table id="history"><thead><tr><th>commit</th><th>date</th><th>author</th>'
                "<th>attributed to</th><th>outside their own</th></tr></thead><tbody>"
            )
            for v in report.history:
                paths = "<br>".join(f"<code>{_e(f.path)}</code>" for f in v.findings)
                parts.append(
                    f"<tr><td><code>{_e(v.commit[:7])}</code></td><td>{_e(v.date[:10])}</td><td>{_e(v.author)}"
                    f'</td><td>{_e(v.owner)} <span class="muted">({_e(v.signal)})</span></td><td>{paths}</td></tr>'
                )
            parts.append("</tbody></table>")
        else:
            parts.append("<p>No commit changed paths outside its author's own.</p>")
        if report.unattributed:
            parts.append(f'<p class="muted">{len(report.unattributed)} commit(s) could not be attributed.</p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


AUDIT_FORMATS: dict[str, Callable[[AuditReport], str]] = {
    "text": format_audit_text,
    "markdown": format_audit_markdown,
    "json": format_audit_json,
    "html": format_audit_html,
}
