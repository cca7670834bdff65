"""The standard library's own idioms, as a table: what a call of ``os.environ.get``,
``Path(...)``, ``os.path.dirname`` or ``str(...)`` gives, worked out from its arguments' values.

Each entry takes the resolver (to resolve the arguments), the call's positional and keyword
arguments, its scope and the call's source (for messages), and returns the values, or None
when the call does not have the shape the idiom needs (then the call is resolved as any other).
Adding an idiom is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.model import Scope
from airflow_etiquette.analysis.values import (
    Falsy,
    FilePath,
    Map,
    Seq,
    Text,
    Unknown,
    Value,
    combine_many,
    merge_maps,
    path_attribute,
    path_join,
    products,
    splitext,
)

if TYPE_CHECKING:  # libcst's classes only in annotations: importing this module does not load libcst
    import libcst as cst

    from airflow_etiquette.analysis.resolve import Resolver

    Arguments = Sequence[cst.Arg]
    Idiom = Callable[
        ["Resolver", cst.Call, Arguments, Mapping[str, cst.BaseExpression], Scope, str], "Iterable[Value] | None"
    ]

# Methods of a path that give the same path, and string methods that keep a text a text.
PATH_SAME_METHODS = frozenset({"resolve", "absolute", "expanduser"})
STRING_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "casefold"})


def _environment(
    r: Resolver, call: cst.Call, args: Arguments, kwargs: Mapping[str, cst.BaseExpression], scope: Scope, source: str
) -> Iterable[Value]:
    """``os.environ.get(NAME, default)``: the shared scheduler sets no per-student variable."""
    default = args[1].value if len(args) > 1 else kwargs.get("default")
    env = r.source(args[0].value) if args else "?"
    return r.values(default, scope) if default is not None else (Falsy(f"environment variable {env}"),)


def _path(
    r: Resolver, call: cst.Call, args: Arguments, kwargs: Mapping[str, cst.BaseExpression], scope: Scope, source: str
) -> Iterable[Value] | None:
    if not args:
        return None
    return combine_many([r.values(a.value, scope) for a in args], lambda vs, s: path_join(vs[0], vs[1:], s), source)


def _split(
    r: Resolver, call: cst.Call, args: Arguments, kwargs: Mapping[str, cst.BaseExpression], scope: Scope, source: str
) -> Iterable[Value] | None:
    """``os.path.split(p)``: (head, tail)."""
    if len(args) != 1:
        return None
    return tuple(
        Seq((FilePath(v.parts[:-1]), Text.of(v.parts[-1])))
        if isinstance(v, FilePath) and len(v.parts) > 1
        else Unknown(source)
        for v in r.values(args[0].value, scope)
    )


def _one(convert: Callable[[Value, str], Value]) -> Idiom:
    """An idiom of one argument that converts each of its values."""

    def idiom(
        r: Resolver,
        call: cst.Call,
        args: Arguments,
        kwargs: Mapping[str, cst.BaseExpression],
        scope: Scope,
        source: str,
    ) -> Iterable[Value] | None:
        if len(args) != 1:
            return None
        return tuple(convert(v, source) for v in r.values(args[0].value, scope))

    return idiom


def _dict(
    r: Resolver, call: cst.Call, args: Arguments, kwargs: Mapping[str, cst.BaseExpression], scope: Scope, source: str
) -> Iterable[Value]:
    """``dict(a=1, **other)``."""
    choices: list[tuple[Map, ...]] = []
    for arg in call.args:
        if arg.keyword is not None:
            key = arg.keyword.value
            choices.append(tuple(Map(((key, v),)) for v in r.values(arg.value, scope)))
        else:
            choices.append(tuple(v if isinstance(v, Map) else Map((), False) for v in r.values(arg.value, scope)))
    return products(choices, merge_maps) if choices else (Map(()),)


def _same(value: Value, source: str) -> Value:
    return value


def _text(value: Value, source: str) -> Value:
    return value if isinstance(value, Text) else Unknown(source)


def _sequence(value: Value, source: str) -> Value:
    return value if isinstance(value, Seq) else Unknown(source)


def _identifier(
    r: Resolver, call: cst.Call, args: Arguments, kwargs: Mapping[str, cst.BaseExpression], scope: Scope, source: str
) -> Iterable[Value] | None:
    """psycopg's ``sql.Identifier("public", "raw_trips")``: the quoted, dotted name it renders as,
    when every part is known exactly."""
    if not args or kwargs:
        return None
    parts: list[str] = []
    for arg in args:
        values = r.values(arg.value, scope)
        if len(values) != 1 or not isinstance(values[0], Text) or values[0].exact is None:
            return (Unknown(source),)
        parts.append('"' + values[0].exact.replace('"', '""') + '"')
    return (Text.of(".".join(parts)),)


PSYCOPG_SQL = ("psycopg2.sql", "psycopg.sql")

IDIOMS: dict[str, Idiom] = {
    "os.environ.get": _environment,
    "os.getenv": _environment,
    **{
        name: _path
        for name in ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath", "os.path.join")
    },
    "os.path.split": _split,
    **{name: _one(_same) for name in ("os.path.abspath", "os.path.realpath", "os.path.normpath", "os.path.expanduser")},
    "os.path.dirname": _one(lambda v, s: path_attribute(v, "parent", s)),
    "os.path.basename": _one(lambda v, s: path_attribute(v, "name", s)),
    "os.path.splitext": _one(splitext),
    "str": _one(_text),
    **{name: _one(_sequence) for name in ("list", "tuple", "set", "sorted")},
    "dict": _dict,
    # psycopg's composable SQL: sql.SQL("... {}").format(sql.Identifier(schema, table))
    **{f"{module}.SQL": _one(_text) for module in PSYCOPG_SQL},
    **{f"{module}.Identifier": _identifier for module in PSYCOPG_SQL},
}
