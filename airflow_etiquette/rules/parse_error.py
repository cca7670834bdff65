"""ETQ001 parse-error: a file Python refuses, in Python's own words (CPython's message, line and
column, from ``compile()``; nothing is run), with a hint at a bracket left open."""

from __future__ import annotations

from airflow_etiquette.analysis.parse import Unparsable
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import EngineRule, Example


class ParseError(EngineRule):
    code = "ETQ001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "A file that is not valid Python; every other file is still checked."
    what = (
        "Reports a file in the dags folder that Python refuses to compile: a syntax error, an error\n"
        "only the compiler finds (a keyword given twice, `return` outside a function, a parameter\n"
        "named twice), a binary file named .py, bytes that are not in the file's declared encoding,\n"
        "or code nested past Python's limits. The message, line and column are CPython's own (from\n"
        "`compile()`, which checks the file and runs nothing), with a hint at a bracket left open."
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
            expect=((3, "not valid Python: '(' was never closed"),),
        ),
        Example(
            'CITIES = ["ams", "rtm"]\nTAGS = ["student:lasse" "week11" 3]\n',
            expect=((2, "invalid syntax. Perhaps you forgot a comma?"),),
        ),
        Example(
            "from airflow.sdk import DAG\n\n"
            'with DAG(dag_id="lasse_daily", schedule="@daily", tags=["student:lasse"], schedule=None):\n'
            "    pass\n",
            expect=((3, "keyword argument repeated: schedule"),),
        ),
        Example(
            "def load(rows, rows):\n    return rows\n",
            expect=((1, "duplicate argument 'rows' in function definition"),),
        ),
    ]

    @classmethod
    def for_file(cls, path: str, problem: Unparsable) -> Finding:
        line, column, message = describe(problem)
        return cls.finding(path, line, column, f"not valid Python: {message}")


def describe(problem: Unparsable) -> tuple[int, int, str]:
    """Line, column and reason for a file that Python refuses: CPython's own words and place,
    with a hint at the bracket left open where Python's message does not name it."""
    data, exc = problem.data, problem.cause
    if exc is None:
        line, column = _location(data, problem.nul)
        return line, column, "the file is binary (it contains NUL bytes)"
    if not isinstance(exc, SyntaxError):  # RecursionError or MemoryError from the compiler
        return 1, 1, "it is nested too deeply for Python to compile (the scheduler cannot import it either)"
    bad_line, bad_column, byte = _undecodable(data)
    if byte is not None and ("codec" in str(exc.msg) or "Non-UTF-8" in str(exc.msg)):
        return (
            bad_line,
            bad_column,
            f"byte 0x{byte:02x} is not UTF-8 and the file declares no other encoding; save it as UTF-8",
        )
    lines = data.split(b"\n")
    line = min(max(exc.lineno or 1, 1), len(lines))
    text = lines[line - 1]
    # CPython counts the offset in bytes of the line (from 1); a finding counts characters.
    offset = min(max(exc.offset or 1, 1), len(text) + 1)
    column = len(text[: offset - 1].decode("utf-8", "replace")) + 1
    message = str(exc.msg)
    if "never closed" not in message and "does not match" not in message:
        message += _open_bracket_hint(data, line)
    return line, column, message


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


def _location(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _undecodable(data: bytes) -> tuple[int, int, int | None]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (*_location(data, exc.start), data[exc.start])
    return 1, 1, None
