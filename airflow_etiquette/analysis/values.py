"""The values static resolution works with: text with holes, sequences, mappings, paths, and
what is unknown; and the pure functions that combine them. Nothing here looks at a syntax tree
beyond a literal."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


MAX_ALTERNATIVES = 24


class Snippet:
    """The source code of a node, for messages: generated when first shown, not when made.

    Most unknown values never reach a message, and libcst's code generation costs more
    than the rest of the analysis. Equal when they are the same node.
    """

    __slots__ = ("node", "module", "_text")
    LIMIT = 60

    def __init__(self, node: cst.CSTNode, module: cst.Module) -> None:
        self.node, self.module = node, module
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            code = " ".join(self.module.code_for_node(self.node).split())
            self._text = code if len(code) <= self.LIMIT else code[: self.LIMIT - 1] + "…"
        return self._text

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731 - f-strings show the code

    def __repr__(self) -> str:
        return f"Snippet({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Snippet) and self.node is other.node

    def __hash__(self) -> int:
        return id(self.node)

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return str, (str(self),)  # crossing a process boundary, only the text goes


class _Value:
    """Immutable value objects compared by type and fields.

    Plain slotted classes rather than dataclasses: a frozen dataclass costs half a
    millisecond to define, and a pre-commit run on one file pays every import.
    """

    __slots__: tuple[str, ...] = ()

    def __init__(self, *fields: object) -> None:
        for name, value in zip(self.__slots__, fields, strict=False):
            object.__setattr__(self, name, value)

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._fields()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._fields()!r}"


class Hole(_Value):
    """An unknown part of a string; ``source`` is the code it came from."""

    __slots__ = ("source",)
    source: str


class Text(_Value):
    """A string whose parts are known literals or holes."""

    __slots__ = ("parts",)
    parts: tuple[str | Hole, ...]

    @staticmethod
    def of(*parts: str | Hole) -> Text:
        merged: list[str | Hole] = []
        for part in parts:
            if isinstance(part, str):
                if not part:
                    continue
                if merged and isinstance(merged[-1], str):
                    merged[-1] = merged[-1] + part
                    continue
            merged.append(part)
        return Text(tuple(merged))

    @property
    def exact(self) -> str | None:
        if not self.parts:
            return ""
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        return None

    @property
    def prefix(self) -> str:
        """The literal text before the first hole."""
        return self.parts[0] if self.parts and isinstance(self.parts[0], str) else ""

    @property
    def holes(self) -> tuple[Hole, ...]:
        return tuple(p for p in self.parts if isinstance(p, Hole))

    def __add__(self, other: Text) -> Text:
        return Text.of(*self.parts, *other.parts)

    def render(self, hole: Callable[[int], str]) -> str:
        """The text with each hole replaced by ``hole(i)``."""
        out: list[str] = []
        count = 0
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(hole(count))
                count += 1
        return "".join(out)

    def could_equal(self, value: str) -> bool:
        """Whether some filling of the holes (any text each) gives ``value``: the literal parts in
        order, the first at the start and the last at the end. Each part is found leftmost, once
        (a regular expression of ``.*`` per hole backtracks over every split when it fails)."""
        if not self.holes:
            return self.exact == value
        literals = [part if isinstance(part, str) else None for part in self.parts]
        head = literals[0] if literals[0] is not None else ""
        tail = literals[-1] if literals[-1] is not None else ""
        if len(head) + len(tail) > len(value) or not value.startswith(head) or not value.endswith(tail):
            return False
        position, end = len(head), len(value) - len(tail)
        for middle in literals[1:-1]:
            if middle is None:
                continue
            found = value.find(middle, position, end)
            if found < 0:
                return False
            position = found + len(middle)
        return True

    def describe(self) -> str:
        return '"' + self.render(lambda _: "{…}") + '"' if self.holes else f'"{self.exact}"'


class Seq(_Value):
    """A list, tuple or set; ``complete`` is False when some items are unknown."""

    __slots__ = ("items", "complete")
    items: tuple[Value, ...]
    complete: bool

    def __init__(self, items: tuple[Value, ...], complete: bool = True) -> None:
        super().__init__(items, complete)


class Map(_Value):
    """A dict with string keys; ``complete`` is False when some entries are unknown."""

    __slots__ = ("entries", "complete")
    entries: tuple[tuple[str, Value], ...]
    complete: bool

    def __init__(self, entries: tuple[tuple[str, Value], ...], complete: bool = True) -> None:
        super().__init__(entries, complete)

    def get(self, key: str) -> Value | None:
        for name, value in reversed(self.entries):
            if name == key:
                return value
        return None


class FilePath(_Value):
    """A path known relative to the repository root (``__file__`` and its parents)."""

    __slots__ = ("parts",)
    parts: tuple[str, ...]


class Falsy(_Value):
    """``None``, or an environment variable the shared scheduler does not set."""

    __slots__ = ("source",)
    source: str


class Unknown(_Value):
    __slots__ = ("source",)
    source: str


Value = Text | Seq | Map | FilePath | Falsy | Unknown
Values = tuple[Value, ...]

# Python's escape sequences in a str literal (the language reference's table): one character,
# \x with two hex digits, \u with four, \U with eight, \N{name}, or up to three octal digits.
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^{}]+\}|[0-7]{1,3}|.)", re.DOTALL)
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "\n": "",  # a backslash at a line's end joins the lines
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def text_of(value: Value, source: str) -> Text:
    """A value as it would appear inside a string (holes for anything not a string)."""
    if isinstance(value, Text):
        return value
    return Text.of(Hole(value.source if isinstance(value, Unknown) else source))


def literal(node: cst.SimpleString) -> str | bytes | None:
    prefix = node.prefix.lower()
    if "b" in prefix:
        return None
    quote = node.quote
    body = node.value[len(node.prefix) + len(quote) : -len(quote)]
    return unescape(body, "r" in prefix, fstring=False)


def literal_text(piece: cst.SimpleString | cst.FormattedString) -> str:
    """The literal characters of one string piece, escapes undone; an f-string's holes become NUL
    so that text on either side of a placeholder never runs together."""
    if isinstance(piece, cst.SimpleString):
        value = literal(piece)
        return value if isinstance(value, str) else ""
    raw = "r" in piece.prefix.lower()
    return "\0".join(
        unescape(part.value, raw, fstring=True) if isinstance(part, cst.FormattedStringText) else ""
        for part in piece.parts
    )


def unescape(text: str, raw: bool, fstring: bool) -> str:
    """Undo the escape sequences of a string literal's source text, as Python reads them (no evaluation)."""
    if fstring:
        text = text.replace("{{", "{").replace("}}", "}")
    if raw or "\\" not in text:
        return text
    return _ESCAPE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    """The character one escape sequence stands for. One that Python keeps as written (``\\d``,
    ``\\8``) or refuses (an unknown name, a code point out of range) stays as written, and so does
    a surrogate (``\\ud800``): a lone one is no text any report could encode."""
    sequence = match.group(1)
    kind = sequence[0]
    try:
        if kind in "xuU" and len(sequence) > 1:
            code = int(sequence[1:], 16)
            return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)
        if kind == "N" and len(sequence) > 1:
            import unicodedata  # (rare: only for a \N{...} escape)

            return unicodedata.lookup(sequence[2:-1])
        if kind in "01234567":
            return chr(int(sequence, 8))
    except (ValueError, KeyError):
        return match.group(0)
    return _ESCAPES.get(sequence, match.group(0))


def truth(value: Value) -> bool | None:
    """``bool(value)`` when it is known statically."""
    if falsy(value):
        return False
    if isinstance(value, Text):
        return True if any(isinstance(part, str) for part in value.parts) else None
    if isinstance(value, (Seq, Map)):
        return True if (value.items if isinstance(value, Seq) else value.entries) else None
    return True if isinstance(value, FilePath) else None


def falsy(value: Value) -> bool:
    if isinstance(value, Falsy):
        return True
    if isinstance(value, Text):
        return value.exact == ""
    if isinstance(value, Seq):
        return value.complete and not value.items
    if isinstance(value, Map):
        return value.complete and not value.entries
    return False


def integer(expr: cst.BaseExpression) -> int | None:
    if isinstance(expr, cst.Integer):
        return int(expr.value.replace("_", ""), 0)
    if (
        isinstance(expr, cst.UnaryOperation)
        and isinstance(expr.operator, cst.Minus)
        and isinstance(expr.expression, cst.Integer)
    ):
        return -int(expr.expression.value.replace("_", ""), 0)
    return None


def iterate(value: Value, name: str) -> Iterable[Value]:
    if isinstance(value, Seq):
        return value.items if value.complete else (*value.items, Unknown(name))
    if isinstance(value, Map):
        keys: tuple[Value, ...] = tuple(Text.of(k) for k, _ in value.entries)
        return keys if value.complete else (*keys, Unknown(name))
    return (Unknown(name),)


def unpack(value: Value, path: tuple[int, ...], name: str) -> Value:
    for position in path:
        if isinstance(value, Seq) and value.complete and position < len(value.items):
            value = value.items[position]
        else:
            return Unknown(name)
    return value


def path_attribute(value: Value, attr: str, source: str) -> Value:
    if not isinstance(value, FilePath):
        return Unknown(source)
    if attr == "parent":
        # Above the repository root the directory name depends on the machine.
        return FilePath(value.parts[:-1]) if len(value.parts) > 1 else Unknown(source)
    if attr == "parents":
        return Seq(tuple(FilePath(value.parts[:-k]) for k in range(1, len(value.parts))))
    if attr == "name":
        return Text.of(value.parts[-1]) if value.parts else Unknown(source)
    if attr == "stem" and value.parts:
        return Text.of(value.parts[-1].rsplit(".", 1)[0] if "." in value.parts[-1][1:] else value.parts[-1])
    return Unknown(source)


def mentions(expr: cst.CSTNode, name: str) -> bool:
    """Whether ``name`` appears as a plain name inside ``expr`` (outside nested functions)."""
    if isinstance(expr, cst.Name):
        return expr.value == name
    if isinstance(expr, (cst.Lambda, cst.FunctionDef)):
        return False
    return any(mentions(child, name) for child in expr.children)


def component(path: FilePath, number: int, source: str) -> Value:
    """Item ``number`` of a path's components counted from the end (only the end is known)."""
    if -len(path.parts) <= number < 0:
        return Text.of(path.parts[number])
    return Unknown(source)


def splitext(value: Value, source: str) -> Value:
    if isinstance(value, FilePath):
        value = Text.of("/".join(value.parts))
    if not isinstance(value, Text) or value.exact is None:
        return Unknown(source)
    root, dot, extension = value.exact.rpartition(".")
    if not dot or "/" in extension or not root or root.endswith("/"):
        return Seq((value, Text.of("")))
    return Seq((Text.of(root), Text.of("." + extension)))


def map_view(method: str, key: str, value: Value) -> Value:
    """One element of ``d.items()``, ``d.keys()`` or ``d.values()``."""
    if method == "items":
        return Seq((Text.of(key), value))
    return Text.of(key) if method == "keys" else value


def path_join(base: Value, others: Sequence[Value], source: str) -> Value:
    if not isinstance(base, FilePath):
        return base if isinstance(base, Text) and not others else Unknown(source)
    parts = list(base.parts)
    for other in others:
        if not isinstance(other, Text) or other.exact is None or other.exact.startswith("/"):
            return Unknown(source)
        for piece in other.exact.split("/"):
            if piece in ("", "."):
                continue
            if piece == "..":
                if not parts:
                    return Unknown(source)
                parts.pop()
            else:
                parts.append(piece)
    return FilePath(tuple(parts))


# What follows a % (and its "(key)"): flags, width, precision, the conversion. A width starts with
# 1-9, so a run of zeros (a flag, and a digit) is read one way only, not split every way first.
_PERCENT_SPEC = re.compile(r"(?P<flags>[-#0 +]*(?:\*|[1-9]\d*)?(?:\.(?:\*|\d*))?)[hlL]?(?P<kind>[a-zA-Z%])")


def percent_format(template: Value, args: Value, source: str) -> Value:
    if not isinstance(template, Text) or template.exact is None:
        return Unknown(source)
    items = args.items if isinstance(args, Seq) and args.complete else (args,)
    pieces: list[str | Hole] = []
    position = 0
    text = template.exact
    last = 0
    # One pass from each % to the next; a % that Python cannot read (no closing ")" for a key, no
    # conversion character) makes the % operator raise, and so the value is unknown.
    cursor = text.find("%")
    while cursor >= 0:
        pieces.append(text[last:cursor])
        key: str | None = None
        start = cursor + 1
        if text.startswith("(", start):
            close = text.find(")", start + 1)
            if close < 0:
                return Unknown(source)
            key, start = text[start + 1 : close], close + 1
        match = _PERCENT_SPEC.match(text, start)
        if match is None:
            return Unknown(source)
        last = match.end()
        cursor = text.find("%", last)
        if match.group("kind") == "%":
            pieces.append("%")
            continue
        position += match.group("flags").count("*")  # (a * width or precision takes an argument first)
        if key is not None:
            found = args.get(key) if isinstance(args, Map) else None
            value: Value = found if found is not None else Unknown(source)
        elif position < len(items):
            value = items[position]
            position += 1
        else:
            value = Unknown(source)
        if match.group("kind") == "s" and not match.group("flags"):
            pieces.extend(text_of(value, source).parts)
        else:
            pieces.append(Hole(source))
    pieces.append(text[last:])
    return Text.of(*pieces)


def merge_maps(maps: Sequence[Map]) -> Map:
    return Map(tuple(itertools.chain.from_iterable(m.entries for m in maps)), all(m.complete for m in maps))


def cap(values: Iterable[Value], unknown: Callable[[], Value]) -> Values:
    unique = tuple(dict.fromkeys(values))
    return unique if len(unique) <= MAX_ALTERNATIVES else (unknown(),)


def products(choices: Sequence[tuple[object, ...]], build: Callable[..., Value]) -> Values:
    total = 1
    for options in choices:
        total *= max(1, len(options))
        if total > MAX_ALTERNATIVES:
            return (Unknown("too many possible values"),)
    return tuple(build(combo) for combo in itertools.product(*choices))


def combine(left: Values, right: Values, op: Callable[[Value, Value, str], Value], source: str) -> Values:
    if len(left) * len(right) > MAX_ALTERNATIVES:
        return (Unknown(source),)
    return tuple(op(a, b, source) for a in left for b in right)


def combine_many(choices: list[Values], op: Callable[[tuple[Value, ...], str], Value], source: str) -> Values:
    return products(choices, lambda combo: op(tuple(combo), source))
