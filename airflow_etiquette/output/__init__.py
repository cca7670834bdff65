"""Output: formatters chosen by name from a registry. Each turns data into text and decides nothing.

A format's module is imported when the format is used: a pre-commit hook that prints text never
loads the XML of JUnit or the hashing of GitLab's fingerprints."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

from airflow_etiquette.output.report import CheckReport

Render = Callable[[CheckReport], str]

# name -> (module of this package, its function). ruff's names for the text format: concise (the
# default, one line per finding) and full (with each source line).
_REGISTRY = {
    "text": ("text", "render"),
    "concise": ("text", "render"),
    "full": ("text", "render_full"),
    "json": ("json_format", "render"),
    "github": ("github", "render"),
    "sarif": ("sarif", "render"),
    "gitlab": ("gitlab", "render"),
    "junit": ("junit", "render"),
}


class _Formats(Mapping[str, Render]):
    def __getitem__(self, name: str) -> Render:
        module, function = _REGISTRY[name]
        render: Render = getattr(importlib.import_module(f"{__name__}.{module}"), function)
        return render

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTRY)

    def __len__(self) -> int:
        return len(_REGISTRY)


FORMATS: Mapping[str, Render] = _Formats()
TEXT_FORMATS = ("text", "concise", "full")  # for people: colour, --statistics

__all__ = ["FORMATS", "TEXT_FORMATS", "CheckReport", "Render"]
