"""The rule documentation in files is generated from the rules: a stale copy fails here."""

from __future__ import annotations

from conftest import ROOT

from airflow_etiquette.output.docs import rule_table, rules_reference, with_table


def test_the_readme_rule_table_is_the_registrys() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_table(readme) == readme, "run `python -m airflow_etiquette.output.docs` to regenerate"
    assert rule_table().count("\n") == 2 + readme.count("](docs/rules.md#etq")


def test_docs_rules_md_is_every_rules_explain_output() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_reference(), (
        "run `python -m airflow_etiquette.output.docs` to regenerate"
    )
