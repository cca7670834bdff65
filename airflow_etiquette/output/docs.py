"""The rule documentation that lives in files: the README's rule table and ``docs/rules.md``,
both generated from the registry (``python -m airflow_etiquette.output.docs`` rewrites them; a
test fails when they are stale), so no rule is documented twice by hand."""

from __future__ import annotations

import sys
from pathlib import Path

from airflow_etiquette.output.explain import explain_rule
from airflow_etiquette.rules import ALL_RULES

TABLE_START, TABLE_END = "<!-- rules:start -->", "<!-- rules:end -->"
SCOPES = {"file": "each file", "repository": "across files", "change": "a change", "engine": "each file"}


def rule_table() -> str:
    """The README's table: one row per rule, linking to its full documentation."""
    rows = ["| code | name | severity | looks at | `--fix` | flags |", "|---|---|---|---|---|---|"]
    for rule in ALL_RULES:
        fix = "yes" if rule.fix_note else ""
        rows.append(
            f"| [{rule.code}](docs/rules.md#{rule.code.lower()}) | {rule.name} | {rule.severity.value} | "
            f"{SCOPES[rule.scope]} | {fix} | {rule.summary.replace('|', chr(92) + '|')} |"
        )
    return "\n".join(rows) + "\n"


def rules_reference() -> str:
    """``docs/rules.md``: every rule as ``explain`` prints it, with its examples run live."""
    out = [
        "# Rules",
        "",
        "Generated from the rule registry by `python -m airflow_etiquette.output.docs`; "
        "`airflow-etiquette explain CODE` prints the same text.",
        "",
    ]
    for rule in ALL_RULES:
        out += [f"## {rule.code}", "", "```text", explain_rule(rule).rstrip("\n"), "```", ""]
    return "\n".join(out)


def with_table(readme: str) -> str:
    start, end = readme.index(TABLE_START) + len(TABLE_START), readme.index(TABLE_END)
    return readme[:start] + "\n" + rule_table() + readme[end:]


def main(root: Path) -> int:
    readme = root / "README.md"
    readme.write_text(with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "rules.md").write_text(rules_reference(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    # By default the checkout this package sits in (an editable install), wherever it is run from.
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]))
