"""``explain CODE``: a rule's documentation, in the shape ruff made familiar.

The Example and Use instead sections are the rule's own first INVALID and VALID examples, and
the findings shown are computed by running them through the engine, so the documentation
cannot say something the rule does not do.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping

from airflow_etiquette.engine.examples import run_example
from airflow_etiquette.rules.base import AnyExample, ChangeExample, Example, Link, RepositoryExample, Rule, Submodule


def explain_rule(rule: type[Rule]) -> str:
    out = [f"{rule.code} {rule.name} ({rule.severity.value})", "", rule.summary, ""]
    out += ["What it does", textwrap.indent(rule.what, "  "), ""]
    out += ["Why is this bad?", textwrap.indent(rule.why, "  "), ""]
    if rule.fix_note:
        out += ["Fix (check --fix)", textwrap.indent(rule.fix_note, "  "), ""]
    if rule.INVALID:
        example = rule.INVALID[0]
        out += ["Example", *describe_example(example), ""]
        findings = [f for f in run_example(example) if f.code == rule.code]
        if findings:
            out.append("  reports:")
            out += [f"    {f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]
            out.append("")
    if rule.VALID:
        out += ["Use instead", *describe_example(rule.VALID[0]), ""]
    return "\n".join(out) + "\n"


def describe_example(example: AnyExample) -> list[str]:
    """An example as a reader sees it: the configuration it needs, then the file (and the owner
    folders beside it), the files, or the base and the change."""
    return _configuration(example.config) + _contents(example)


def _contents(example: AnyExample) -> list[str]:
    if isinstance(example, Example):
        owners = ", ".join(f"dags/{owner}/" for owner in example.owners)
        return [f"  # (in a repository with {owners})", *_file(example.path, example.code)]
    if isinstance(example, RepositoryExample):
        return [line for path, content in example.files.items() for line in _file(path, content)]
    assert isinstance(example, ChangeExample)
    lines = ["  # on main:"] + [f"  #   {path}" for path in example.base]
    lines.append(f"  # the pull request by @{example.author} changes:")
    for path, content in example.change.items():
        lines += _file(path, content, prefix="  #   ") if not isinstance(content, str) else _file(path, content)
    return lines


def _configuration(config: Mapping[str, object]) -> list[str]:
    """The settings an example runs with, as the pyproject.toml lines that give them."""
    if not config:
        return []
    return ["  # pyproject.toml", "  [tool.airflow-etiquette]"] + [
        f"  {key} = {_toml(value)}" for key, value in config.items()
    ]


def _toml(value: object) -> str:
    """A setting's value in TOML: strings, numbers, booleans, lists of them and inline tables."""
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return json.dumps(value)  # a TOML basic string, integer, float or boolean is JSON's


def _file(path: str, content: object, prefix: str = "  # ") -> list[str]:
    if isinstance(content, Link):
        return [f"{prefix}{path} -> {content.target}  (a symlink)"]
    if isinstance(content, Submodule):
        return [f"{prefix}{path}  (a git submodule at {content.commit[:12]})"]
    if content is None:
        return [f"{prefix}{path}  (deleted)"]
    if isinstance(content, bytes):
        return [f"{prefix}{path}  ({len(content)} bytes of binary data)"]
    lines = [f"  # {path}"]
    lines += [f"  {line}".rstrip() for line in str(content).rstrip("\n").splitlines()]
    return lines
