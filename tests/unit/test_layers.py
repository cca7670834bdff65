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
    "limits",
    "findings",
    "config",
    "sources",
    "analysis",
    "people",
    "rules",
    "engine",
    "output",
    "server",
    "cli",
    "pytest_plugin",
    "__main__",
]


def stage_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "airflow_etiquette" or len(parts) == 1 or parts[1] == "_version":
        return -1  # the package itself (its version) is data every stage may read
    return STAGES.index(parts[1])


def is_module(name: str) -> bool:
    """Whether ``airflow_etiquette.x.y`` names a module or a package of ours."""
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports."""
    package = ".".join(("airflow_etiquette", *path.relative_to(PACKAGE).parent.parts))
    return imports_of(path.read_text(encoding="utf-8"), package)


def imports_of(source: str, package: str) -> set[str]:
    """Every module of the package that ``source`` (a module of ``package``) imports, at any level
    of its code, with ``from airflow_etiquette import cli`` and relative imports resolved."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if not module.startswith("airflow_etiquette"):
                continue
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names if is_module(f"{module}.{a.name}"))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("airflow_etiquette"))
    return found


def test_every_module_belongs_to_a_stage() -> None:
    for path in PACKAGE.rglob("*.py"):
        top = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        assert top in STAGES or top in ("__init__", "_version"), path  # _version: written by the build


def test_no_module_imports_a_later_stage() -> None:
    backwards = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        module = ".".join(("airflow_etiquette", *relative.parts))
        own = stage_of(module) if relative.parts[0] not in ("__init__", "_version") else -1
        for imported in imports(path):
            if stage_of(imported) > own:
                backwards.append(f"{module} imports {imported}")
    assert backwards == []


def test_the_import_reader_sees_every_spelling_of_an_import() -> None:
    cli_imports = imports(PACKAGE / "cli.py")
    assert "airflow_etiquette.engine.check" in cli_imports  # imported inside `check`, not at the top
    assert stage_of("airflow_etiquette.engine.check") > stage_of("airflow_etiquette.rules.base")
    probe = "from airflow_etiquette import cli, engine\nfrom . import resolve\nfrom ..rules import base\n"
    assert {
        "airflow_etiquette.cli",
        "airflow_etiquette.engine",
        "airflow_etiquette.analysis.resolve",
        "airflow_etiquette.rules.base",
    } <= imports_of(probe, "airflow_etiquette.analysis")
