"""Every rule's VALID and INVALID examples, run through the real engine (Fixit style).

The examples are also what `explain` shows, so documentation and behaviour
cannot drift apart.
"""

from __future__ import annotations

import pytest

from airflow_etiquette.engine.analyze import run_example
from airflow_etiquette.rules import ALL_RULES
from airflow_etiquette.rules.base import Example, Rule

VALID = [(rule, example) for rule in ALL_RULES for example in rule.VALID]
INVALID = [(rule, example) for rule in ALL_RULES for example in rule.INVALID]


def _id(case: tuple[type[Rule], Example]) -> str:
    rule, example = case
    return f"{rule.code}-{(rule.VALID if example in rule.VALID else rule.INVALID).index(example)}"


@pytest.mark.parametrize("case", VALID, ids=[_id(c) for c in VALID])
def test_valid_example_produces_no_finding(case: tuple[type[Rule], Example]) -> None:
    rule, example = case
    findings = run_example(example.code, example.path, example.owners, dict(example.config))
    assert findings == [], f"{rule.code} VALID example produced findings"


@pytest.mark.parametrize("case", INVALID, ids=[_id(c) for c in INVALID])
def test_invalid_example_reports_exactly_the_expected_lines(case: tuple[type[Rule], Example]) -> None:
    rule, example = case
    findings = run_example(example.code, example.path, example.owners, dict(example.config))
    mine = [f for f in findings if f.code == rule.code]
    assert [f.line for f in mine] == [line for line, _ in example.expect], mine
    for finding, (_, message) in zip(mine, example.expect):
        assert message in finding.message
        assert finding.name == rule.name and finding.severity == (example.severity or rule.severity)
        assert finding.path == example.path


def test_every_rule_has_examples_and_documentation() -> None:
    for rule in ALL_RULES:
        assert rule.what and rule.why and rule.summary, rule.code
        if rule.kind == "content" or rule.code == "ETQ001":
            assert rule.VALID and rule.INVALID, rule.code
        elif rule.kind in ("change", "repository"):  # documented with text, run on real repositories in their tests
            assert rule.example_text and rule.fix_text, rule.code
