"""ETQ002 analysis-failed: a file the engine could not finish, with the reason."""

from __future__ import annotations

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import EngineRule, RepositoryExample


class AnalysisFailed(EngineRule):
    code = "ETQ002"
    name = "analysis-failed"
    severity = Severity.ERROR
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
    INVALID = [
        RepositoryExample(
            files={"dags/lasse/bundle.zip": b"PK\x03\x04 the download was cut off"},
            expect=(("dags/lasse/bundle.zip", 1, "cannot read the archive: File is not a zip file"),),
        ),
    ]
    VALID = [
        RepositoryExample(
            files={
                "dags/lasse/taxi_pipeline.py": 'from airflow.sdk import dag\n\n@dag(dag_id="lasse_taxi", tags=["student:lasse"])\ndef taxi():\n    pass\n'
            }
        ),
    ]

    @classmethod
    def for_file(cls, path: str, reason: str) -> Finding:
        """The finding for a file that could not be finished, at its first line."""
        return cls.finding(path, 1, 1, reason)
