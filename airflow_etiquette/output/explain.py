"""``explain CODE``: a rule's documentation, in the shape ruff made familiar.

The Example and Use instead sections are the rule's own first INVALID and
VALID examples, and the finding shown is computed by running the rule, so the
documentation cannot say something the rule does not do.
"""

from __future__ import annotations

import textwrap

from airflow_etiquette.engine.analyze import run_example
from airflow_etiquette.rules.base import Example, Rule


def explain_rule(rule: type[Rule]) -> str:
    out = [f"{rule.code} {rule.name} ({rule.severity.value})", "", rule.summary, ""]
    out += ["What it does", textwrap.indent(rule.what, "  "), ""]
    out += ["Why is this bad?", textwrap.indent(rule.why, "  "), ""]
    if rule.INVALID:
        example = rule.INVALID[0]
        out += ["Example", *_snippet(example), ""]
        findings = [f for f in _findings(example) if f.code == rule.code]
        if findings:
            out.append("  reports:")
            out += [f"    {f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]
            out.append("")
    elif rule.example_text:
        out += ["Example", rule.example_text, ""]
    if rule.VALID:
        out += ["Use instead", *_snippet(rule.VALID[0]), ""]
    elif rule.fix_text:
        out += ["Use instead", rule.fix_text, ""]
    return "\n".join(out) + "\n"


def _snippet(example: Example) -> list[str]:
    lines = [f"  # {example.path}"]
    lines += [f"  {line}".rstrip() for line in example.code.rstrip("\n").splitlines()]
    return lines


def _findings(example: Example) -> list:  # type: ignore[type-arg]
    return run_example(example.code, example.path, example.owners, dict(example.config))
