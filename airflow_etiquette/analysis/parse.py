"""Parsing a file's bytes with libcst, and nothing else: the file is never imported or run.

Identifiers are brought to the NFKC form Python gives them when it compiles a file (``ＤＡＧ``
is ``DAG``), so the analysis sees the names the interpreter would. A file that cannot be
parsed raises ``Unparsable``, which says what went wrong; the parse-error rule words it.
"""

from __future__ import annotations

import keyword
import unicodedata

import libcst as cst


class Unparsable(Exception):
    """Not Python: ``cause`` is libcst's syntax error, a decoding error, or None for a binary
    file (``nul`` is then the offset of its first NUL byte)."""

    def __init__(self, data: bytes, cause: Exception | None, nul: int = -1) -> None:
        super().__init__(str(cause) if cause else "binary file")
        self.data, self.cause, self.nul = data, cause, nul


def parse_module(data: bytes) -> cst.Module:
    """The module's syntax tree; ``Unparsable`` when it is not Python. libcst itself may also
    fail in other ways (RecursionError, a crash of its native parser): those are the engine's."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise Unparsable(data, None, nul)
    try:
        return cst.parse_module(nfkc_identifiers(data))
    except (cst.ParserSyntaxError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise Unparsable(data, exc) from None


def nfkc_identifiers(data: bytes) -> bytes:
    """The source with every identifier in the NFKC form Python gives it when it compiles the
    file (``ＤＡＧ`` is ``DAG``), and everything else, strings included, untouched: libcst keeps
    identifiers as written, so a fullwidth DAG would otherwise be no DAG to the analyzer."""
    if data.isascii():
        return data
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        renames = [
            (token.start, token.end, unicodedata.normalize("NFKC", token.string))
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.NAME
            and not token.string.isascii()
            and unicodedata.normalize("NFKC", token.string) != token.string
            # ｉｍｐｏｒｔ is no keyword to Python (a SyntaxError): left as it is, it is none to libcst
            and not keyword.iskeyword(unicodedata.normalize("NFKC", token.string))
        ]
        if not renames:
            return data
        lines = io.StringIO(text, newline="").readlines()  # the lines as tokenize counts them
        for (row, start), (_, end), name in reversed(renames):
            line = lines[row - 1]
            lines[row - 1] = line[:start] + name + line[end:]
        return "".join(lines).encode(encoding)
    except (tokenize.TokenError, SyntaxError, UnicodeError, LookupError, IndexError):
        return data  # the parser reports what is wrong with it
