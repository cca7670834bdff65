"""The package's folders follow the data, and imports point only forward along it: a module never
imports a later stage (the engine feeds the rules, a rule uses analysis and people, nothing below
the faces imports the CLI)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "airflow_etiquette"
# Earliest first. A module may import its own stage and the ones before it.
STAGES = [
    "findings",
    "config",
    "sources",
    "analysis",
    "people",
    "rules",
    "engine",
    "output",
    "cli",
    "pytest_plugin",
    "__main__",
]


def stage_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "airflow_etiquette" or len(parts) == 1:
        return -1  # the package itself (its version) is data every stage may read
    return STAGES.index(parts[1])


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("airflow_etiquette"):
            found.add(node.module)
            found.update(
                f"{node.module}.{a.name}"
                for a in node.names
                if (PACKAGE / node.module.split(".", 1)[-1].replace(".", "/") / f"{a.name}.py").exists()
            )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("airflow_etiquette"))
    return found


def test_every_module_belongs_to_a_stage() -> None:
    for path in PACKAGE.rglob("*.py"):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert top in STAGES or top == "__init__", path


def test_no_module_imports_a_later_stage() -> None:
    backwards = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        module = ".".join(("airflow_etiquette", *relative.parts))
        own = stage_of(module) if relative.parts[0] != "__init__" else -1
        for imported in imports(path):
            if stage_of(imported) > own:
                backwards.append(f"{module} imports {imported}")
    assert backwards == []


def test_the_import_reader_sees_function_level_imports_too() -> None:
    cli_imports = imports(PACKAGE / "cli.py")
    assert "airflow_etiquette.engine.check" in cli_imports  # imported inside `check`, not at the top
    assert stage_of("airflow_etiquette.engine.check") > stage_of("airflow_etiquette.rules.base")
