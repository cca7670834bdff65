"""What every check format renders: the findings of a run and what a reader needs around them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    # The repository root (where the configuration is) relative to the git work tree's top, with a
    # trailing "/", or "": formats read against the git root (GitHub annotations, SARIF, GitLab's
    # Code Quality) put it before each finding's path, so a project in a subfolder lands on the diff.
    path_prefix: str = ""
    known: Sequence[Finding] = field(default_factory=tuple)  # in the baseline: reported as known, never failing
    quiet: bool = False  # the findings and nothing else (no headline, no summary line)
    fixable: frozenset[str] = frozenset()  # codes whose findings `check --fix` can fix
    excerpts: Mapping[tuple[str, int], str] = field(default_factory=dict)  # (path, line) -> source line

    def located(self, path: str) -> str:
        """A finding's path as the git root sees it."""
        return self.path_prefix + path


def printable(text: str) -> str:
    """``text`` as a terminal or a CI log should show it: each character that is not printable
    as its Python escape (a newline or a tab as ``\\n`` and ``\\t``, an escape sequence that would
    recolour, hide or erase what is shown as ``\\x1b``, a right-to-left override as ``\\u202e``),
    and each byte of a file name that is not UTF-8 as ``\\xNN``. One finding stays one line, and a
    path or a quoted string shows what the file holds, not what it makes the terminal do."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by the surrogateescape handler
        return f"\\x{code - 0xDC00:02x}"
    return repr(char)[1:-1]
