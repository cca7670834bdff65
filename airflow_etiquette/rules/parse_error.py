"""ETQ001 parse-error."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, Rule


class ParseError(Rule):
    code = "ETQ001"
    name = "parse-error"
    severity = Severity.ERROR
    kind = "engine"
    summary = "A file that is not valid Python; every other file is still checked."
    what = (
        "Reports a file in the dags folder that is not valid Python: a syntax error, a binary file\n"
        "named .py, or bytes that are not in the file's declared encoding. The finding points at the\n"
        "line and column where parsing stopped."
    )
    why = (
        "The dag-processor cannot import the file, so every DAG in it disappears from the shared UI\n"
        "and an import error banner greets everyone who logs in. The other rules cannot look inside\n"
        "the file either, until it parses."
    )
    VALID = [
        Example('from airflow.sdk import dag\n\n@dag(dag_id="lasse_ok", tags=["student:lasse"])\ndef ok():\n    pass\n'),
    ]
    INVALID = [
        Example(
            'from airflow.sdk import dag\n\n@dag(dag_id="lasse_broken", tags=["student:lasse"]\ndef broken():\n    pass\n',
            expect=((4, "not valid Python: unexpected 'broken'; is the ( on line 3 closed?"),),
        ),
        Example('CITIES = ["ams", "rtm"]\nTAGS = ["student:lasse" "week11" 3]\n', expect=((2, "unexpected '3'"),)),
    ]
