"""ETQ302 on a string that is exactly another owner's schema: its text is what its quotes
enclose, or, with escapes in it, what they stand for."""

from __future__ import annotations

import pytest

from airflow_etiquette.engine.examples import run_example
from airflow_etiquette.rules.base import Example

MARIAS = 'airflow_maria.trips is the schema of owner "maria"'


def etq302(source: str) -> list[tuple[int, str]]:
    findings = run_example(Example(source, "dags/lasse/pipeline.py", owners=("lasse", "maria")))
    return [(f.line, f.message.split("; ")[0]) for f in findings if f.code == "ETQ302"]


@pytest.mark.parametrize(
    "literal",
    ['"airflow_maria.trips"', "'airflow_maria.trips'", 'r"airflow_maria.trips"', '"""airflow_maria.trips"""'],
)
def test_a_literal_naming_another_owners_table_is_reported(literal: str) -> None:
    assert etq302(f"TABLE = {literal}\n") == [(1, MARIAS)]


def test_escapes_in_it_are_undone() -> None:
    assert etq302('TABLE = "airflow_maria.\\"trips\\""\n') == [(1, MARIAS)]  # airflow_maria."trips"
    assert etq302('TABLE = "airflow\\\\maria.trips"\n') == []  # a backslash, not an underscore


@pytest.mark.parametrize(
    "source",
    [
        'TABLE = "airflow_lasse.trips"\n',  # the owner's own
        'import logging\nlogging.info("airflow_maria.trips")\n',  # a log message is prose
        'TABLE = "airflow_maria trips"\n',  # not one name
    ],
)
def test_other_literals_stay_quiet(source: str) -> None:
    assert etq302(source) == []
