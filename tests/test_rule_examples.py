"""Every rule's VALID and INVALID examples, of every scope, run through the real engine (Fixit style).

The examples are also what `explain` shows, so documentation and behaviour cannot drift apart.
"""

from __future__ import annotations

import pytest

from airflow_etiquette.engine.examples import run_example
from airflow_etiquette.rules import ALL_RULES
from airflow_etiquette.rules.base import AnyExample, Example, FileRule, Rule

VALID = [(rule, example) for rule in ALL_RULES for example in rule.VALID]
INVALID = [(rule, example) for rule in ALL_RULES for example in rule.INVALID]


def _id(case: tuple[type[Rule], AnyExample]) -> str:
    rule, example = case
    return f"{rule.code}-{(rule.VALID if example in rule.VALID else rule.INVALID).index(example)}"


@pytest.mark.parametrize("case", VALID, ids=[_id(c) for c in VALID])
def test_valid_example_produces_no_finding(case: tuple[type[Rule], AnyExample]) -> None:
    rule, example = case
    assert run_example(example) == [], f"{rule.code} VALID example produced findings"


@pytest.mark.parametrize("case", INVALID, ids=[_id(c) for c in INVALID])
def test_invalid_example_reports_exactly_the_expected_places(case: tuple[type[Rule], AnyExample]) -> None:
    rule, example = case
    mine = [f for f in run_example(example) if f.code == rule.code]
    if isinstance(example, Example):
        expected = [(example.path, line, message) for line, message in example.expect]
    else:
        expected = list(example.expect)
    assert [(f.path, f.line) for f in mine] == [(path, line) for path, line, _ in expected], mine
    for finding, (_, _, message) in zip(mine, expected, strict=False):
        assert message in finding.message
        severity = example.severity if isinstance(example, Example) else None
        assert finding.name == rule.name and finding.severity == (severity or rule.severity)


def test_every_rule_has_examples_and_documentation() -> None:
    for rule in ALL_RULES:
        assert rule.what and rule.why and rule.summary, rule.code
        assert rule.VALID and rule.INVALID, rule.code
        assert rule.scope in ("file", "repository", "change", "engine"), rule.code
        assert issubclass(rule, FileRule) == (rule.scope == "file"), rule.code


def test_explain_paragraphs_are_wrapped_as_the_terminal_shows_them() -> None:
    """`explain` prints what, why and the fix note line by line, indented by two: a line the
    source did not wrap runs past a 100-column terminal and the paragraph reads ragged."""
    too_long = [
        (rule.code, part, line)
        for rule in ALL_RULES
        for part in ("what", "why", "fix_note")
        for line in (getattr(rule, part) or "").splitlines()
        if len(line) > 98
    ]
    assert too_long == []
