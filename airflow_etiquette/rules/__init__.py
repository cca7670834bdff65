"""The rule registry: every rule of the package, found by looking, in code order.

Adding a rule means adding one module here with one ``Rule`` subclass; nothing else names it.
Codes are stable and never reused.
"""

from __future__ import annotations

import importlib
import pkgutil

from airflow_etiquette.rules.base import ChangeRule, EngineRule, Example, FileRule, RepositoryRule, Rule


def _discover() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name == "base":
            continue
        namespace = importlib.import_module(f"{__name__}.{module.name}")
        for value in vars(namespace).values():
            # type(value), not isinstance: isinstance would read the lazily loaded libcst's __class__
            if issubclass(type(value), type) and issubclass(value, Rule) and "code" in vars(value):
                if value.code in found and found[value.code] is not value:
                    raise RuntimeError(f"two rules claim {value.code}: {found[value.code].__name__}, {value.__name__}")
                found[value.code] = value
    return tuple(found[code] for code in sorted(found))


ALL_RULES: tuple[type[Rule], ...] = _discover()
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
FILE_RULES: tuple[type[FileRule], ...] = tuple(r for r in ALL_RULES if issubclass(r, FileRule))
REPOSITORY_RULES: tuple[type[RepositoryRule], ...] = tuple(r for r in ALL_RULES if issubclass(r, RepositoryRule))
CHANGE_RULES: tuple[type[ChangeRule], ...] = tuple(r for r in ALL_RULES if issubclass(r, ChangeRule))
ENGINE_RULES: tuple[type[EngineRule], ...] = tuple(r for r in ALL_RULES if issubclass(r, EngineRule))

__all__ = [
    "ALL_RULES",
    "CHANGE_RULES",
    "ENGINE_RULES",
    "FILE_RULES",
    "REPOSITORY_RULES",
    "RULES_BY_CODE",
    "Example",
    "Rule",
]
