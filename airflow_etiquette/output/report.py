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


def json_text(value: object) -> str:
    """``value`` as indented JSON that keeps every script as it is, with a lone surrogate (a byte of
    a file name that is not UTF-8, kept by the surrogateescape handler) written as JSON's ``\\udcXX``
    escape: valid UTF-8 for any reader, and the same path for one that reads it back."""
    import json

    return json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace").decode() + "\n"


def printable(text: str) -> str:
    """``text`` as a terminal or a CI log should show it: each character that is not shown as
    itself as its Python escape. A control character (a newline or a tab as ``\\n`` and ``\\t``,
    an escape sequence that would recolour, hide or erase what is shown as ``\\x1b``), a line or
    paragraph separator, an invisible format character (a zero-width space, a right-to-left
    override that reorders what is shown, ``\\u202e``), a private or unassigned code point; each
    byte of a file name that is not UTF-8 as ``\\xNN``. One finding stays one line, and a path or
    a quoted string shows what the file holds, not what it makes the terminal do. Letters of any
    script, a no-break space and the joiners of an emoji are shown as they are."""
    if text.isprintable():
        return text
    return "".join(_escaped(char) if _hidden(char) else char for char in text)


_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner: in Persian, Indic and emoji


def _hidden(char: str) -> bool:
    import unicodedata  # (only for a text that is not all printable)

    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") and char not in _JOINERS


def _escaped(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by the surrogateescape handler
        return f"\\x{code - 0xDC00:02x}"
    return repr(char)[1:-1]
