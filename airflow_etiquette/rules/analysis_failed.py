"""ETQ002 analysis-failed."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Rule


class AnalysisFailed(Rule):
    code = "ETQ002"
    name = "analysis-failed"
    severity = Severity.ERROR
    kind = "engine"
    summary = "A file the analyzer could not finish (unreadable, too large, too slow, parser crash)."
    what = (
        "Reports a file the analyzer could not finish, and why: it could not be read (permissions, a\n"
        "symlink loop), it is larger than `max-file-size-mb`, its analysis took longer than `timeout`\n"
        "seconds, or the parser crashed on it. The run goes on with the other files."
    )
    why = (
        "A file nobody could check is a file nobody vouched for. Generated or pathological files (very\n"
        "long expressions, thousands of nested brackets) can also slow down or crash the\n"
        "dag-processor of the shared scheduler."
    )
