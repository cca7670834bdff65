"""The rule documentation in files is generated from the rules: a stale copy fails here."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT

from airflow_etiquette.config import _KEYS, config_from_table, tomllib
from airflow_etiquette.output.docs import rule_table, rules_reference, with_table
from airflow_etiquette.rules import RULES_BY_CODE


def test_the_readme_rule_table_is_the_registrys() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_table(readme) == readme, "run `python -m airflow_etiquette.output.docs` to regenerate"
    assert rule_table().count("\n") == 2 + readme.count("](docs/rules.md#etq")


def test_docs_rules_md_is_every_rules_explain_output() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_reference(), (
        "run `python -m airflow_etiquette.output.docs` to regenerate"
    )


def test_the_readme_configuration_block_names_every_key_and_is_valid() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") :]
    block = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    assert block is not None
    table = tomllib.loads(block.group(1))["tool"]["airflow-etiquette"]
    assert sorted(table) == sorted(set(_KEYS) - {"owners"})  # the roster has its own section
    assert "[tool.airflow-etiquette.owners]" in readme
    config = config_from_table(Path("/repo"), None, table, RULES_BY_CODE)
    assert config.min_schedule_interval == 300 and config.max_active_runs == 3


def test_an_example_that_needs_settings_shows_them_as_pyproject_lines() -> None:
    """What `explain` prints above an example is the configuration that example runs with."""
    from airflow_etiquette.output.explain import explain_rule

    shown = 0
    for rule in RULES_BY_CODE.values():
        text = explain_rule(rule)
        bad, _, good = text.partition("\nUse instead\n")
        for section, examples in ((bad, rule.INVALID[:1]), (good, rule.VALID[:1])):
            if not examples:
                continue
            config = dict(examples[0].config)
            if not config:
                assert "[tool.airflow-etiquette]" not in section, rule.code
                continue
            lines = section[section.index("  [tool.airflow-etiquette]") :].splitlines()
            settings = "\n".join(line[2:] for line in lines[: 1 + len(config)])
            assert tomllib.loads(settings)["tool"]["airflow-etiquette"] == config, rule.code
            shown += 1
    assert shown >= 2
