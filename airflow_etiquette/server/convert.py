"""Findings and fixed text in the editor's terms: LSP diagnostics with ranges, and the text edits
that turn a document's text into its fixed text (only the lines that change, found by difflib).

Findings count lines and columns from 1 in code points; LSP counts from 0, in the units the
client and server agreed on (UTF-16 unless told otherwise), which ``codec`` converts to.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition, ServerTextRange

from airflow_etiquette.findings import Finding, Severity

SOURCE = "airflow-etiquette"
RULES_PAGE = "https://github.com/airflow-etiquette/airflow-etiquette/blob/main/docs/rules.md"
_SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning}
# What a finding points at: a string literal (with its prefix) to its closing quote on that line,
# a bracket to the one that closes it there, else a name or number; anything else is marked to the
# end of the line.
_STRING = re.compile(r"""[rRbBfFuUtT]{0,2}("{3}|'{3}|"|')""")
_WORD = re.compile(r"\w+")
_CLOSING = {"(": ")", "[": "]", "{": "}"}


def rule_href(code: str) -> str:
    """Where the rule is documented (``docs/rules.md`` headings are the codes)."""
    return f"{RULES_PAGE}#{code.lower()}"


def diagnostic(finding: Finding, lines: Sequence[str], codec: PositionCodec) -> types.Diagnostic:
    """The finding as a diagnostic on ``lines`` (the text it was found in, with line ends)."""
    line = min(max(finding.line - 1, 0), max(len(lines) - 1, 0))
    text = lines[line].rstrip("\r\n") if lines else ""
    start = min(max(finding.column - 1, 0), len(text))
    end = _token_end(text, start)
    where = ServerTextRange(ServerTextPosition(line, start), ServerTextPosition(line, end))
    return types.Diagnostic(
        range=codec.range_to_client_units(lines, where),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule_href(finding.code)),
        source=SOURCE,
    )


def _token_end(text: str, start: int) -> int:
    string = _STRING.match(text, start)
    if string is not None:
        quote = string.group(1)
        close = text.find(quote, string.end())
        while close > 0 and len(quote) == 1 and _escaped(text, close):
            close = text.find(quote, close + 1)
        return close + len(quote) if close >= 0 else len(text)
    if start < len(text) and text[start] in _CLOSING:
        return _bracket_end(text, start)
    word = _WORD.match(text, start)
    if word is not None:
        return word.end()
    return len(text) if start < len(text) else start


def _bracket_end(text: str, start: int) -> int:
    """Past the bracket that closes the one at ``start`` (strings skipped), else the line's end."""
    depth, position = 0, start
    while position < len(text):
        char = text[position]
        if char in _CLOSING:
            depth += 1
        elif char in _CLOSING.values():
            depth -= 1
            if depth == 0:
                return position + 1
        elif _STRING.match(text, position) and char in "\"'":
            position = _token_end(text, position) - 1
        position += 1
    return len(text)


def _escaped(text: str, at: int) -> bool:
    """Whether an odd run of backslashes ends at ``at`` (counted back from it, without copying the
    text before it for every quote of a line)."""
    position = at
    while position > 0 and text[position - 1] == "\\":
        position -= 1
    return (at - position) % 2 == 1


_LINE_ENDS = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")


def lines_of(text: str) -> list[str]:
    """``text``'s lines with their ends, as LSP and Python count them: a line ends at ``\n``,
    ``\r\n`` or ``\r`` only (``str.splitlines`` also splits at a form feed, U+2028 and others,
    which put every position after one a line off)."""
    lines = _LINE_ENDS.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


def text_edits(before: str, after: str, codec: PositionCodec) -> list[types.TextEdit]:
    """Edits that turn ``before`` into ``after``: one per run of changed lines."""
    old = lines_of(before)
    new = lines_of(after)
    edits = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        where = ServerTextRange(_line_start(old, i1), _line_start(old, i2))
        edits.append(types.TextEdit(range=codec.range_to_client_units(old, where), new_text="".join(new[j1:j2])))
    return edits


def _line_start(lines: Sequence[str], index: int) -> ServerTextPosition:
    """The start of line ``index``; past the last line, the end of the text (which, without a
    final line end, is on the last line)."""
    if index < len(lines) or not lines or lines[-1].endswith(("\n", "\r")):
        return ServerTextPosition(index, 0)
    return ServerTextPosition(len(lines) - 1, len(lines[-1]))
