"""engine.noqa: the one place every finding's `# noqa` is decided."""

from __future__ import annotations

from pathlib import Path

from airflow_etiquette.config import config_from_table
from airflow_etiquette.engine.noqa import names, noqa_comments, waive
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules import RULES_BY_CODE

SOURCE = b'x = 1  # noqa: ETQ301\nhook.run("TRUNCATE t -- # noqa")\ny = 2  # NOQA\n'


def config(**table: object):  # type: ignore[no-untyped-def]
    return config_from_table(Path("/repo"), None, table, RULES_BY_CODE)


def finding(code: str, severity: Severity, line: int = 1) -> Finding:
    return Finding("dags/lasse/a.py", line, 1, code, "name", severity, "message")


def test_only_real_comments_count() -> None:
    assert noqa_comments(SOURCE) == {1: "# noqa: ETQ301", 3: "# NOQA"}
    assert names("# noqa: ETQ301, ETQ302", "ETQ302") and names("# noqa", "ETQ999")
    assert not names("# noqa: ETQ301", "ETQ302") and not names(None, "ETQ301")


def test_by_default_a_comment_waives_warnings_only() -> None:
    comments = noqa_comments(SOURCE)
    assert waive(finding("ETQ301", Severity.WARNING), comments, config(), (1,)) is None
    refused = waive(finding("ETQ302", Severity.ERROR, 3), comments, config(), (3,))
    assert refused is not None and refused.message.endswith(
        "(# noqa cannot silence ETQ302: by default it waives warnings only; the teacher's allow-noqa setting says what it may waive)"
    )


def test_the_teacher_widens_it_and_strict_mode_and_ignore_noqa_override() -> None:
    comments = noqa_comments(SOURCE)
    wide = config(**{"allow-noqa": ["ETQ3"]})
    assert waive(finding("ETQ302", Severity.ERROR, 3), comments, wide, (3,)) is None
    strict = waive(
        finding("ETQ103", Severity.ERROR, 3), comments, config(**{"allow-noqa": ["ETQ103"]}), (3,), strict=True
    )
    assert strict is not None and strict.message.endswith("(# noqa cannot silence ETQ103: strict mode lists it)")
    from dataclasses import replace

    ignoring = replace(config(), ignore_noqa=True)
    assert waive(finding("ETQ301", Severity.WARNING), comments, ignoring, (1,)) is not None
    untouched = finding("ETQ101", Severity.ERROR, 2)
    assert waive(untouched, comments, config(), (2,)) is untouched
