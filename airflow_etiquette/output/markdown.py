"""Text inside Markdown (GitHub's step summary, the audit's Markdown): what a student wrote (a
commit subject, a dag_id quoted in a message, a file name) is shown as text, never read as
Markdown or HTML, and never breaks out of its table cell."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\v\f]+")
# Backslash escapes for what Markdown reads as syntax inside a line (emphasis, code, links and
# images, strike-through, a table's cell border); & < > become entities, so no HTML gets in.
_SYNTAX = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"^(\s*(?:\d+)?)([#+\-=]|(?<=\d)[.)])")  # a heading, list or rule at a line's start
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def text(value: object) -> str:
    """``value`` as plain text in a Markdown line or table cell."""
    flat = _LINE_BREAKS.sub(" ", str(value))
    flat = re.sub(r"[&<>]", lambda m: _ENTITIES[m.group()], flat)
    return _SYNTAX.sub(r"\\\1", flat)


def line(value: object) -> str:
    """``value`` as a paragraph of its own: ``text``, and what would start a heading or a list
    escaped too."""
    return _LINE_START.sub(r"\1\\\2", text(value))


def code(value: object) -> str:
    """``value`` as inline code that no backtick in it ends early; in a table, ``|`` is the one
    character GitHub needs escaped inside code."""
    flat = _LINE_BREAKS.sub(" ", str(value)).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
