"""ETQ001 parse-error: the wording of a file that is not Python, as close to what Python says as
libcst lets us get (the line and column of the offending token, and a hint at an unclosed bracket)."""

from __future__ import annotations

import re

import libcst as cst

from airflow_etiquette.analysis.parse import Unparsable
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import EngineRule, Example


class ParseError(EngineRule):
    code = "ETQ001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "A file that is not valid Python; every other file is still checked."
    what = (
        "Reports a file in the dags folder that is not valid Python: a syntax error, a binary file\n"
        "named .py, or bytes that are not in the file's declared encoding. The finding points at the\n"
        "line and column where parsing stopped."
    )
    why = (
        "The dag-processor cannot import the file, so every DAG in it disappears from the shared UI\n"
        "and an import error banner greets everyone who logs in. The other rules cannot look inside\n"
        "the file either, until it parses."
    )
    VALID = [
        Example(
            'from airflow.sdk import dag\n\n@dag(dag_id="lasse_ok", tags=["student:lasse"])\ndef ok():\n    pass\n'
        ),
    ]
    INVALID = [
        Example(
            'from airflow.sdk import dag\n\n@dag(dag_id="lasse_broken", tags=["student:lasse"]\ndef broken():\n    pass\n',
            expect=((4, "not valid Python: unexpected 'broken'; is the ( on line 3 closed?"),),
        ),
        Example('CITIES = ["ams", "rtm"]\nTAGS = ["student:lasse" "week11" 3]\n', expect=((2, "unexpected '3'"),)),
    ]

    @classmethod
    def for_file(cls, path: str, problem: Unparsable) -> Finding:
        line, column, message = describe(problem)
        return cls.finding(path, line, column, f"not valid Python: {message}")


def describe(problem: Unparsable) -> tuple[int, int, str]:
    """Line, column and reason for a file that does not parse."""
    data, exc = problem.data, problem.cause
    if exc is None:
        line, column = _location(data, problem.nul)
        return line, column, "the file is binary (it contains NUL bytes)"
    if isinstance(exc, cst.ParserSyntaxError):
        line, column = _error_position(exc, data)
        return line, column, _syntax_detail(exc, data, line, column) + _open_bracket_hint(data, line)
    line, column, byte = _undecodable(data)
    if byte is None:
        return 1, 1, str(getattr(exc, "msg", None) or exc)
    return line, column, (f"byte 0x{byte:02x} is not UTF-8 and the file declares no other encoding; save it as UTF-8")


def _error_position(exc: cst.ParserSyntaxError, data: bytes) -> tuple[int, int]:
    """Where the parser stopped. The native parser's message names the offending token
    ("error at 2:14"), which is often more precise than the error's own position."""
    line, column = max(exc.editor_line, 1), max(exc.editor_column, 1)
    found = re.search(r"error at (\d+):(\d+)", str(exc.message or ""))
    if found:
        at_line, at_column = int(found.group(1)), int(found.group(2))
        lines = data.split(b"\n")
        if 1 <= at_line <= len(lines) and 1 <= at_column <= len(lines[at_line - 1]) + 1:
            text = lines[at_line - 1].decode("utf-8", "replace")
            # It names the token's last character: step back to where the token starts.
            while (
                1 < at_column <= len(text)
                and (text[at_column - 1].isalnum() or text[at_column - 1] == "_")
                and (text[at_column - 2].isalnum() or text[at_column - 2] == "_")
            ):
                at_column -= 1
            return at_line, at_column
    return line, column


def _open_bracket_hint(data: bytes, error_line: int) -> str:
    """ "; is the ( on line 3 closed?" when a bracket opened on an earlier line is still open
    where the parser gave up: the usual cause of an error reported lines later."""
    import io
    import tokenize

    stack: list[tuple[str, int]] = []
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.start[0] >= error_line:
                break
            if token.type == tokenize.OP and token.string in "([{":
                stack.append((token.string, token.start[0]))
            elif token.type == tokenize.OP and token.string in ")]}" and stack:
                stack.pop()
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        pass  # the tokenizer stops where the source breaks; what it saw so far still counts
    if not stack or stack[-1][1] >= error_line:
        return ""
    bracket, line = stack[-1]
    # Inside a multi-line call the next argument is indented deeper than the line that opened
    # it (a missing comma); a statement at the opener's indentation means it was never closed.
    lines = data.split(b"\n")

    def indent(number: int) -> int:
        return len(lines[number - 1]) - len(lines[number - 1].lstrip())

    if error_line <= len(lines) and indent(error_line) <= indent(line):
        return f"; is the {bracket} on line {line} closed?"
    return ""


def _syntax_detail(exc: cst.ParserSyntaxError, data: bytes, line: int, column: int) -> str:
    """A short reason: libcst lists every token it expected, which helps nobody."""
    detail = str(exc.message).splitlines()[0] if exc.message else "syntax error"
    if "expected one of" not in detail and len(detail) <= 100:
        return detail
    text = data.split(b"\n")[line - 1].decode("utf-8", "replace") if line <= data.count(b"\n") + 1 else ""
    token = re.match(r"\s*(\w+|\S)", text[column - 1 :]) if column <= len(text) else None
    return f"unexpected {token.group(1)!r}" if token else "unexpected end of file"


def _location(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _undecodable(data: bytes) -> tuple[int, int, int | None]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (*_location(data, exc.start), data[exc.start])
    return 1, 1, None
