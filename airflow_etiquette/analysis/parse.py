"""Parsing a file's bytes, and nothing else: the file is never imported or run.

Python's own ``compile()`` says first whether the interpreter accepts the file (the code object
is thrown away, never executed): it finds what the scheduler's import would refuse, a repeated
keyword or a ``return`` outside a function, with CPython's own message, and it refuses the deeply
nested sources that would crash libcst's native parser. Only a file Python accepts goes on to
libcst, whose tree the analysis reads.

Identifiers are brought to the NFKC form Python gives them when it compiles a file (``ＤＡＧ``
is ``DAG``), so the analysis sees the names the interpreter would. A file that cannot be
parsed raises ``Unparsable``, which says what went wrong; the parse-error rule words it.
"""

from __future__ import annotations

import keyword
import sys
import unicodedata
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


class Unparsable(Exception):
    """Not Python: ``cause`` is the SyntaxError Python's compiler raised (or its RecursionError or
    MemoryError for a source nested too deeply), or None for a binary file (``nul`` is then the
    offset of its first NUL byte)."""

    def __init__(self, data: bytes, cause: BaseException | None, nul: int = -1) -> None:
        super().__init__(str(cause) if cause else "binary file")
        self.data, self.cause, self.nul = data, cause, nul


class BeyondParser(Exception):
    """Python accepts the file but libcst cannot parse it (a construct or a size beyond it)."""


# What Python 3.11 says of syntax that later versions accept (``type X = int``, PEP 701's
# f-strings such as ``f"{row["id"]}"``): for these, libcst, which knows that syntax, decides, since
# the scheduler may run a newer Python. Every other message is an error on every version.
NEWER_SYNTAX = (
    "invalid syntax",
    "f-string: expecting '}'",
    "f-string: unmatched",
    "f-string expression part cannot include",
)


def maybe_newer_syntax(error: SyntaxError) -> bool:
    """Whether a newer Python than this one might accept what this one refused."""
    return sys.version_info < (3, 12) and str(error.msg).startswith(NEWER_SYNTAX)


def parse_module(data: bytes, filename: str = "<dag file>") -> cst.Module:
    """The module's syntax tree; ``Unparsable`` when Python refuses it, ``BeyondParser`` when
    Python accepts it and libcst cannot parse it. A crash of libcst's native parser is the
    engine's to contain (it runs files in worker processes)."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise Unparsable(data, None, nul)
    try:
        with warnings.catch_warnings():  # a SyntaxWarning ("is" with a literal) is no error to Python
            warnings.simplefilter("ignore")
            compile(data, filename, "exec", dont_inherit=True)  # checked only: the code object is discarded
    except SyntaxError as exc:
        if not maybe_newer_syntax(exc):
            raise Unparsable(data, exc) from None
        try:
            return cst.parse_module(nfkc_identifiers(data))
        except Exception:
            raise Unparsable(data, exc) from None
    except (RecursionError, MemoryError, ValueError) as exc:  # nested past the compiler's limits
        raise Unparsable(data, exc) from None
    try:
        return cst.parse_module(nfkc_identifiers(data))
    except (cst.ParserSyntaxError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        detail = str(getattr(exc, "message", None) or exc).splitlines()[0][:200]
        raise BeyondParser(f"Python accepts the file but libcst cannot parse it ({detail})") from None


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
