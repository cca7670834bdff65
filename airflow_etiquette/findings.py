"""The data every stage passes on: a finding is plain, immutable, and sortable."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How bad a finding is. Errors fail the run (exit 1); warnings are shown only."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One thing to fix, at one place in one file.

    ``path`` is relative to the repository root with ``/`` separators;
    ``line`` and ``column`` are 1-based.
    """

    path: str
    line: int
    column: int
    code: str
    name: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, object]:
        """The stable JSON shape of a finding."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


def severity_counts(findings: Iterable[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    items = list(findings)
    errors = sum(1 for f in items if f.severity is Severity.ERROR)
    return errors, len(items) - errors
