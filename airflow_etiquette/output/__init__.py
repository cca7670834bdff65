"""Output: formatters chosen by name from a registry. Each turns data into text and decides nothing."""

from __future__ import annotations

from collections.abc import Callable

from airflow_etiquette.output import github, gitlab, json_format, junit, sarif, text
from airflow_etiquette.output.report import CheckReport

FORMATS: dict[str, Callable[[CheckReport], str]] = {
    "text": text.render,
    "json": json_format.render,
    "github": github.render,
    "sarif": sarif.render,
    "gitlab": gitlab.render,
    "junit": junit.render,
}

__all__ = ["FORMATS", "CheckReport"]
