"""``check --show-settings``: the configuration a run would use, every key with its value and where
the value came from, written as TOML that could be pasted into the settings file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from airflow_etiquette.config import Config, RosterEntry, settings_of


def format_settings(config: Config, options: Mapping[str, str], policy: str) -> str:
    """``options``: key -> the command-line option that set it; ``policy``: where the settings
    were read (the work tree, or the base commit of a change)."""
    where = f"{config.source.name} [tool.airflow-etiquette]" if config.source else None
    if config.source is not None and config.source.name != "pyproject.toml":
        where = config.source.name
    lines = [
        f"# Settings for {config.root}",
        f"# read from: {where or 'no settings file (every value is a default)'}, in {policy}",
    ]
    rows = [(key, _value(key, value), _origin(key, given, options, where)) for key, value, given in settings_of(config)]
    width = min(max(len(f"{key} = {value}") for key, value, _ in rows if value is not None), 48)
    for key, value, origin in rows:
        if value is None:
            meaning = _UNSET.get(key, "off") if origin == "default" else origin
            lines.append(f"# {key} is not set: {meaning}")
        else:
            lines.append(f"{f'{key} = {value}':<{width}}  # {origin}")
    return "\n".join(lines) + "\n"


def _origin(key: str, given: bool, options: Mapping[str, str], where: str | None) -> str:
    if key in options:
        return options[key] + (f" (over {where})" if given else "")
    return (where or "default") if given else "default"


_UNSET = {
    "allow-noqa": "a # noqa comment may silence warnings only",
    "preinstalled": "what Airflow's official image installs",
    "new-template": "`new` writes the built-in first DAG",
    "baseline": "every finding counts",
}
_TABLES = ("owners", "per-file-ignores", "import-names")


def _value(key: str, value: object) -> str | None:
    if key == "min-schedule-interval" and isinstance(value, float):
        return f'"{value:g}s"'
    if key in _TABLES and not value:
        return "{}"
    return _toml(value)


def _toml(value: object) -> str | None:
    """``value`` as a TOML value (None: not set)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, frozenset):
        value = tuple(sorted(value))
    if isinstance(value, tuple) and value and isinstance(value[0], RosterEntry):
        entries = []
        for entry in value:
            fields = []
            if entry.github:
                fields.append(f"github = {_toml(entry.github)}")
            if entry.emails:
                fields.append(f"emails = {_toml(entry.emails)}")
            key = entry.owner if re.fullmatch(r"[A-Za-z0-9_-]+", entry.owner) else json.dumps(entry.owner)
            entries.append(f"{key} = {{ {', '.join(fields)} }}")
        return "{ " + ", ".join(entries) + " }"
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # per-file-ignores, import-names
        pairs = [f"{_toml(k)} = {_toml(v)}" for k, v in value]
        return "{ " + ", ".join(pairs) + " }"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(_toml(item)) for item in value) + "]"
    return json.dumps(str(value))
