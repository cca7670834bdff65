"""``# noqa``, decided in one place for every rule: only real comments count (Python's tokens),
and only for the codes the configuration lets a comment waive."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import replace

from airflow_etiquette.config import Config
from airflow_etiquette.findings import Finding, Severity

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def noqa_comments(data: bytes) -> dict[int, str]:
    """The real comments that hold ``noqa``, by line: read from Python's tokens, so a ``# noqa``
    inside a string (``hook.run("TRUNCATE t -- # noqa")``) is text, not a waiver."""
    if b"noqa" not in data.lower():
        return {}
    found: dict[int, str] = {}
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.COMMENT and "noqa" in token.string.lower():
                found[token.start[0]] = token.string
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        pass  # what was read so far counts; the rest of the file has no waivers
    return found


def names(comment: str | None, code: str) -> bool:
    """Whether a comment waives ``code``: a bare ``# noqa`` waives every code, ``# noqa: ETQ3`` every
    code starting with ETQ3 (ruff's prefixes), ``# noqa: ETQ301`` that one."""
    if comment is None:
        return False
    match = _NOQA.search(comment)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or any(code.startswith(c.upper()) for c in re.split(r"[\s,]+", codes))


def waive(
    finding: Finding, comments: dict[int, str], config: Config, lines: Sequence[int], strict: bool = False
) -> Finding | None:
    """None when a ``# noqa`` on one of ``lines`` names the finding and the configuration lets
    it; the finding itself when no comment names it; and when the configuration does not let
    it, the finding with a word saying so (a waiver that silently does nothing misleads).
    ``strict``: the finding is an error only because strict mode made it one; the teacher asked
    for exactly these to fail, so no comment waives them."""
    if not any(names(comments.get(line), finding.code) for line in lines):
        return finding
    if not strict and config.noqa_may_silence(finding.code, finding.severity is Severity.WARNING):
        return None
    if strict:
        why = "strict mode lists it"
    elif config.ignore_noqa:
        why = "--ignore-noqa is set"
    elif config.allow_noqa is None:
        why = "by default it waives warnings only; the teacher's allow-noqa setting says what it may waive"
    else:
        why = "the configuration's allow-noqa does not list it"
    return replace(finding, message=f"{finding.message} (# noqa cannot silence {finding.code}: {why})")
