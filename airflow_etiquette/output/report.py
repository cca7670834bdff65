"""What every check format renders: the findings of a run and what a reader needs around them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from airflow_etiquette.findings import Finding


@dataclass(frozen=True)
class CheckReport:
    findings: Sequence[Finding]
    files_checked: int
    changed_paths: int | None = None  # for a change: every path it touches (the ownership rules see them all)
    silenced: Sequence[Finding] = field(default_factory=tuple)  # waived by an allowed noqa comment
    headline: str | None = None  # "Checked changes since main ... by maria (identified by ...)."
    color: bool = False
    version: str = ""
