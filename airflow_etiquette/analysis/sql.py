"""Which schemas a piece of SQL text reads and writes.

The text may be a plain SQL string, an f-string with unknown parts, a Jinja
template or a shell command running ``psql -c``. Unknown parts become
placeholder identifiers, so a schema that depends on them is never guessed.

A cheap scan finds candidate references first; only text that may hold a
problem is handed to sqlglot (imported on first use), whose parse tells reads
from writes. Where sqlglot cannot parse the text, the scan's answer stands.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from airflow_etiquette.analysis.values import Text

HOLE = "__etq_hole_{}__"
# sqlglot takes seconds on a megabyte of SQL; no statement a DAG holds is that long, and over this
# size the scan's answer stands.
PARSE_LIMIT = 64 * 1024
HOLE_MARK = "__etq_hole_"
_HOLE_PATTERN = r"__etq_hole_\w*?__"

_IDENT = r'(?:"[^"\n]+"|[A-Za-z_][A-Za-z0-9_$]*)'
_NAME = rf"(?P<name>{_IDENT}(?:\s*\.\s*{_IDENT}){{0,2}})"
# The patterns are compiled where first used (``_pattern``): compiling them costs 5 ms, which a
# run that reads no SQL (a warm run answered from the cache, the ownership hook) need not pay.
# Each pattern that starts with a list of keywords first checks the keywords' first letters:
# Python's engine would otherwise try every keyword at every word boundary of a long text.
_WRITE = (
    r"(?i)\b(?=[ACDIMTUacdimtu])(?P<verb>INSERT\s+INTO|UPDATE(?:\s+ONLY)?(?=\s+\S+(?:\s+(?:AS\s+)?\w+)?\s+SET\b)|DELETE\s+FROM(?:\s+ONLY)?"
    r"|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?(?:\s+ONLY)?|COPY"
    r"|ALTER\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW|SCHEMA)(?:\s+IF\s+EXISTS)?(?:\s+ONLY)?"
    r"|DROP\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW|SCHEMA|INDEX|SEQUENCE|FUNCTION)(?:\s+IF\s+EXISTS)?"
    r"|CREATE\s+(?:UNIQUE\s+)?INDEX(?:\s+CONCURRENTLY)?(?:\s+IF\s+NOT\s+EXISTS)?(?:\s+"
    + _IDENT
    + r")?\s+ON(?:\s+ONLY)?"
    r"|CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL\s+|LOCAL\s+)?(?:TEMP|TEMPORARY)\s+|UNLOGGED\s+)?"
    r"(?:TABLE|VIEW|MATERIALIZED\s+VIEW|SCHEMA|SEQUENCE)(?:\s+IF\s+NOT\s+EXISTS)?)\s+" + _NAME
)
# TRUNCATE and DROP take a list: `TRUNCATE a.x, b.y`.
_MORE_NAMES = rf"\s*,\s*{_NAME}"
_QUALIFIED = rf"(?<![\w$.\"]){_IDENT}\s*\.\s*{_IDENT}(?:\s*\.\s*{_IDENT})?"
# `FROM trips t` / `JOIN public.zones AS z`: then `t.fare` and `z.borough` are columns, not schemas.
_TABLE_AND_ALIAS = rf"(?i)\b(?=[FIJUfiju])(?:FROM|JOIN|UPDATE|INTO)\s+{_NAME}(?:\s+(?:AS\s+)?(?P<alias>{_IDENT}))?"
_NOT_ALIASES = frozenset(
    {
        "where",
        "join",
        "on",
        "left",
        "right",
        "inner",
        "outer",
        "full",
        "cross",
        "natural",
        "group",
        "order",
        "limit",
        "offset",
        "set",
        "using",
        "values",
        "select",
        "union",
        "except",
        "intersect",
        "having",
        "window",
        "returning",
        "as",
        "with",
        "lateral",
        "tablesample",
        "for",
        "default",
    }
)
_SEARCH_PATH = r"(?i)\bsearch_path\s*(?:TO|=)\s*(?P<names>[^;'\n]+)"
_JINJA_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
# A pattern for each set of openers still worth looking for (None: none is).
_JINJA_OPENERS: dict[frozenset[str], str | None] = {
    frozenset(kinds): "|".join(re.escape(k) for k in kinds) if kinds else None
    for size in range(4)
    for kinds in itertools.combinations(_JINJA_CLOSE, size)
}
# A quoted identifier that is a template's parameter, not a name: "{schema}", "{}", "%s",
# "%(schema)s", "${schema}", "$SCHEMA" (str.format, printf-style, string.Template, a shell). No
# white space inside: a shell's quotes around a whole statement (-c "DELETE ... '$DAY'") are no
# identifier, and the schema they hold still counts.
_QUOTED_IDENTIFIER = r'"[^"\s]*"'
_PLACEHOLDER = r"\{[^{}]*\}|%(?:\([^()]*\))?s|\$\{[^{}]*\}|\$[A-Za-z_]"
_CREATE_TEMPORARY = (
    r"(?i)\bCREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?TEMP(?:ORARY)?\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?P<name>[A-Za-z_][\w$]*)\b(?!\s*\.)"
)
_ESCAPE_STRING = r"(?P<lead>(?<![\w$])[eE]')(?P<body>(?:[^'\\]|\\.|''){0,4000})'"
_RAISE_MESSAGE = r"(?i)'(?:[^']|''){0,4000}'|(?P<head>\bRAISE\s+(?:[A-Z]+\s+)?)'(?:[^']|''){0,4000}'"
_QUOTE_OR_COMMENT = r"'|/\*|--"
_COMMENT_START = r"/\*|--"
_PSQL_COMMAND = r"""(?:\s-c|--command)(?:\s+|=)(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)')"""
_SQL_START = (
    r"(?i)\s*(?:--[^\n]*\n\s*)*\(?\s*(?:SELECT|INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|COPY|WITH|SET|BEGIN"
    r"|GRANT|REVOKE|VACUUM|ANALYZE|EXPLAIN|REFRESH|REINDEX|CLUSTER|COMMENT|CALL|DO|LOCK|START|VALUES)\b"
)
_LOOKS_LIKE_SQL = (
    r"(?i)\b(?=[ACDIMSTUacdimstu])(?:SELECT|INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|COPY|search_path)\b"
)


@functools.cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


class SchemaUse(NamedTuple):
    """One use of a schema: ``verb`` is the writing statement, or None for a read."""

    schema: str
    table: str | None
    verb: str | None

    @property
    def is_write(self) -> bool:
        return self.verb is not None

    @property
    def session_private(self) -> bool:
        """A schema of the session's own (``pg_temp``): no one else sees what is written there."""
        return re.fullmatch(r"pg_temp(?:_\d+)?", self.schema, re.IGNORECASE) is not None

    @property
    def target(self) -> str:
        """How a message names it: a part the analysis could not read shows as "…"."""
        name = f"{self.schema}.{self.table}" if self.table else self.schema
        return _pattern(_HOLE_PATTERN).sub("…", name) if HOLE_MARK in name else name


def schema_uses(text: Text, may_matter: Callable[[SchemaUse], bool], search_path: str | None = None) -> list[SchemaUse]:
    """Every schema-qualified use in ``text`` (holes never count as a schema).

    ``may_matter`` says whether a use found by the cheap scan could be a
    problem; only then is the text parsed for real.
    """
    rendered = _rendered(text)
    if (
        search_path is None
        and "." not in rendered
        and "schema" not in rendered.lower()
        and "search_path" not in rendered.lower()
    ):
        return []
    if not _pattern(_LOOKS_LIKE_SQL).search(rendered):
        return []
    segments = (
        [
            m.group("dq") if m.group("dq") is not None else m.group("sq")
            for m in _pattern(_PSQL_COMMAND).finditer(rendered)
        ]
        if "-c" in rendered or "--command" in rendered
        else []
    )
    if segments:
        return [use for segment in segments for use in _analyse(segment, may_matter, search_path)]
    return _analyse(rendered, may_matter, search_path)


def _rendered(text: Text) -> str:
    """The text as the scans read it: unknown parts, Jinja and quoted template parameters as holes."""
    return _without_placeholders(_without_jinja(text.render(HOLE.format)))


def _without_jinja(text: str) -> str:
    """Each Jinja tag, expression or comment replaced by a hole. An opener with no closer is left
    as text (a hook runs its SQL unrendered: what follows a stray ``{#`` still runs). One pass: an
    opener whose closer is missing once is not looked for again."""
    if "{" not in text:
        return text
    parts: list[str] = []
    position = 0
    remaining = frozenset(_JINJA_CLOSE)
    while (openers := _JINJA_OPENERS[remaining]) is not None and (opened := _pattern(openers).search(text, position)):
        start = opened.start()
        end = text.find(_JINJA_CLOSE[opened.group(0)], start + 2)
        if end < 0:  # not Jinja from here on, only its opener: text, as an unrendered string has it
            remaining -= {opened.group(0)}  # (at most three rescans of a stretch: linear)
            continue
        parts += [text[position:start], HOLE.format("j")]
        position = end + 2
    parts.append(text[position:])
    return "".join(parts)


def _without_placeholders(text: str) -> str:
    """Each quoted identifier that holds a template's parameter (``"{schema}".raw_trips``, a
    reusable statement filled in by ``.format``, ``%`` or a shell) replaced by a hole: the schema
    is whatever the code fills in, so it is never guessed."""
    if '"' not in text or not any(mark in text for mark in "{%$"):
        return text
    placeholder = _pattern(_PLACEHOLDER)
    return _pattern(_QUOTED_IDENTIFIER).sub(
        lambda quoted: HOLE.format("p") if placeholder.search(quoted.group(0)) else quoted.group(0), text
    )


def _standard_escapes(sql: str) -> str:
    """Postgres escape strings written the standard way: ``E'it\\'s'`` as ``E'it''s'``, which
    every sqlglot version reads (older ones stop at the backslash and give up the parse)."""
    if "'" not in sql or ("E'" not in sql and "e'" not in sql):
        return sql
    return _pattern(_ESCAPE_STRING).sub(
        lambda found: found.group("lead") + found.group("body").replace("\\'", "''") + "'", sql
    )


def _without_messages(sql: str) -> str:
    """A plpgsql ``RAISE NOTICE '...'`` message emptied: it is text a log shows (``'skipping delete
    from public.trips'``), where an ``EXECUTE '...'`` string would be a statement."""
    if "raise" not in sql.lower():
        return sql
    # a literal is passed over whole: a "raise '" inside one is its text, not a RAISE
    return _pattern(_RAISE_MESSAGE).sub(
        lambda found: found.group(0) if found.group("head") is None else found.group("head") + "''", sql
    )


def _without_comments(sql: str) -> str:
    """``/* comments */`` and ``-- comments`` replaced by a space, quoted literals (which may hold
    either) kept as they are; an unclosed comment runs to the end, and a quote with no partner is
    an ordinary character (``-- don't`` is a comment, not the start of a literal). One pass."""
    if "/*" not in sql and "--" not in sql:
        return sql
    parts: list[str] = []
    position = 0
    quotes = True  # False once a quote had no partner: there are none further on
    while (found := _pattern(_QUOTE_OR_COMMENT if quotes else _COMMENT_START).search(sql, position)) is not None:
        start, token = found.start(), found.group(0)
        if token == "'":
            end = start + 1
            while (end := sql.find("'", end)) >= 0 and sql.startswith("''", end):
                end += 2  # a doubled quote inside the literal
            if end < 0:
                quotes = False
                parts.append(sql[position : start + 1])
                position = start + 1
                continue
            parts.append(sql[position : end + 1])
            position = end + 1
        else:
            end = sql.find("*/", start + 2) if token == "/*" else sql.find("\n", start + 2)
            parts += [sql[position:start], " "]
            if end < 0:
                return "".join(parts)
            position = end + 2 if token == "/*" else end
    parts.append(sql[position:])
    return "".join(parts)


def _analyse(sql: str, may_matter: Callable[[SchemaUse], bool], search_path: str | None = None) -> list[SchemaUse]:
    sql = _standard_escapes(_without_messages(_without_comments(sql)))
    starts_like_sql = _pattern(_SQL_START).match(sql) is not None
    # Text that does not start like SQL is a shell script or prose ("cannot insert into
    # public.x"): there only an upper-case statement counts as SQL.
    scanned = list(_scanned(sql, not starts_like_sql, search_path))
    if not any(may_matter(use) for use in scanned):
        return scanned
    if starts_like_sql and len(sql) <= PARSE_LIMIT:
        parsed = _parse(sql, search_path)
        if parsed is not None:
            return parsed
    return scanned


@functools.lru_cache(maxsize=64)
def _scanned(sql: str, uppercase_only: bool, search_path: str | None = None) -> tuple[SchemaUse, ...]:
    """Each use the scan finds, once, in the order found: the rules and the audit's facts ask
    about the same texts, and a megabyte of one statement repeated is one use."""
    return tuple(dict.fromkeys(_scan(sql, uppercase_only, search_path)))


def _scan(sql: str, uppercase_only: bool = False, search_path: str | None = None) -> Iterator[SchemaUse]:
    """The tolerant scan: regular expressions over text that may not parse."""
    sql = _without_comments(sql)
    writes: set[tuple[str, str | None]] = set()
    paths = [(-1, search_path), *_search_paths(sql)] if search_path else _search_paths(sql)
    copies = _CopyDirection(sql)
    temporary: set[str] = set()  # tables CREATE TEMP made: unqualified, they are the session's own
    for match in _pattern(_WRITE).finditer(sql):
        if uppercase_only and not match.group("verb").isupper():
            continue
        kind = " ".join(match.group("verb").upper().split())
        verb = "CREATE INDEX" if kind.startswith("CREATE") and " INDEX" in kind else kind.split()[0]
        if verb == "COPY" and copies.is_read(match.end()):
            continue
        names = [match.group("name")]
        if verb in ("TRUNCATE", "DROP"):
            end = match.end()
            while more := _pattern(_MORE_NAMES).match(sql, end):
                names.append(more.group("name"))
                end = more.end()
        for name in names:
            parts = _split_name(name)
            if "SCHEMA" in kind:
                use = SchemaUse(parts[-1], None, verb)
            elif len(parts) >= 2:
                use = SchemaUse(parts[-2], parts[-1], verb)
            elif "TEMP" in kind or parts[-1] in temporary:
                temporary.add(parts[-1])  # pg_temp, whatever the search path says
                continue
            elif (path := _path_at(paths, match.start())) is not None:
                use = SchemaUse(path, parts[-1], verb)  # unqualified, after SET search_path TO path
            else:
                continue
            if HOLE_MARK not in use.schema:
                writes.add((use.schema, use.table))
                yield use
    relations = _relation_names(sql)
    if "conflict" in sql.lower():  # INSERT ... ON CONFLICT DO UPDATE SET v = EXCLUDED.v: a row, not a schema
        relations.add("excluded")
    for match in _pattern(_QUALIFIED).finditer(sql):
        parts = _split_name(match.group(0))
        schema, table = parts[-2], parts[-1]
        if HOLE_MARK in schema or (schema, table) in writes or schema.isdigit():
            continue
        if len(parts) == 2 and schema in relations:
            continue  # alias.column or table.column
        yield SchemaUse(schema, table, None)
    for match in _pattern(_SEARCH_PATH).finditer(sql):
        for name in match.group("names").split(","):
            name = name.strip().strip('"')
            if name and HOLE_MARK not in name and re.fullmatch(r"[A-Za-z_][\w$]*", name):
                yield SchemaUse(name, None, None)


def search_path_after(text: Text, current: str | None) -> str | None:
    """The schema unqualified names land in after this text ran in a session where they landed
    in ``current``: the last ``SET search_path`` in it, if it sets one."""
    rendered = _rendered(text)
    if "search_path" not in rendered.lower():
        return current
    paths = _search_paths(_without_comments(rendered))
    return paths[-1][1] if paths else current


def temporary_tables(text: Text) -> set[str]:
    """The unqualified tables this text creates as temporary (``CREATE TEMP TABLE t``): later
    statements of the same session that name ``t`` unqualified write the session's own table."""
    raw = text.render(HOLE.format)
    if "temp" not in raw.lower():  # (before the Jinja and placeholder passes: most texts stop here)
        return set()
    rendered = _without_placeholders(_without_jinja(raw))
    return {
        match.group("name").lower()
        for match in _pattern(_CREATE_TEMPORARY).finditer(_without_comments(rendered))
        if HOLE_MARK not in match.group("name")
    }


def _search_paths(sql: str) -> list[tuple[int, str | None]]:
    """Where the text sets ``search_path``, and the schema an unqualified name then lands in (its
    first entry; None when that is a placeholder or ``$user``)."""
    found: list[tuple[int, str | None]] = []
    for match in _pattern(_SEARCH_PATH).finditer(sql):
        first = match.group("names").split(",")[0].strip().strip('"')
        known = re.fullmatch(r"[A-Za-z_][\w$]*", first) is not None and HOLE_MARK not in first
        found.append((match.start(), first.lower() if known else None))
    return found


def _path_at(paths: list[tuple[int, str | None]], position: int) -> str | None:
    """The search path in force at ``position``: the last one set before it (a binary search)."""
    index = bisect.bisect_right(paths, position, key=lambda path: path[0])
    return paths[index - 1][1] if index else None


def _relation_names(sql: str) -> set[str]:
    """Names that stand for a relation in this SQL: unqualified tables and aliases."""
    names: set[str] = set()
    for match in _pattern(_TABLE_AND_ALIAS).finditer(sql):
        parts = _split_name(match.group("name"))
        if len(parts) == 1:
            names.add(parts[0])
        alias = match.group("alias")
        if alias and alias.lower() not in _NOT_ALIASES:
            names.add(_split_name(alias)[0])
    return names


_TO = r"(?i)\s*TO\b"
_SPACES = r"\s*"


class _CopyDirection:
    """Whether ``COPY name`` at a position reads (``COPY t (a, b) TO ...``); the positions asked
    about only grow, so the next ``)`` is searched for once per stretch: linear in all."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.close = -1  # the next ")" at or after the last position asked about, or len(sql)

    def is_read(self, end: int) -> bool:
        sql = self.sql
        start = _pattern(_SPACES).match(sql, end).end()  # type: ignore[union-attr]
        if start < len(sql) and sql[start] == "(":
            if self.close < start:
                found = sql.find(")", start)
                self.close = len(sql) if found < 0 else found
            if self.close >= len(sql):
                return False
            start = self.close + 1
        return _pattern(_TO).match(sql, start) is not None


@functools.lru_cache(maxsize=1024)
def _split_name(name: str) -> tuple[str, ...]:
    """The parts of a dotted name as Postgres sees them: unquoted names fold to lower case."""
    return tuple(p[1:-1] if p.startswith('"') else p.lower() for p in re.findall(_IDENT, name))


_SQLGLOT: Any = None


def _sqlglot() -> Any:
    global _SQLGLOT  # a lazily imported module, not state: sqlglot costs 0.2 s to import
    if _SQLGLOT is None:
        import logging

        import sqlglot
        from sqlglot import exp

        # sqlglot logs a warning for every statement it falls back on; to the user of a
        # pre-commit hook that is noise about our internals, and the scan covers the case.
        logging.getLogger("sqlglot").setLevel(logging.ERROR)

        _SQLGLOT = (sqlglot, exp)
    return _SQLGLOT


def _parse(sql: str, search_path: str | None = None) -> list[SchemaUse] | None:
    """Reads and writes from sqlglot's parse tree, or None when it cannot parse."""
    try:
        sqlglot, exp = _sqlglot()
        statements = sqlglot.parse(sql, read="postgres")
    except Exception:  # sqlglot raises several error types; any means "use the scan"
        return None
    uses: list[SchemaUse] = []
    temporary: set[str] = set()  # tables CREATE TEMP made: unqualified, they are the session's own
    # where unqualified names land: as the session left it, then as a statement here sets it
    for statement in statements:
        if statement is None:
            continue
        if isinstance(statement, exp.Command):
            return None  # sqlglot gave up on this statement; the scan knows more
        if isinstance(statement, exp.Set):
            paths = _search_paths(statement.sql(dialect="postgres"))
            if paths:
                search_path = paths[-1][1]
        write_verb = _write_verb(statement, exp)
        targets = _write_targets(statement, exp) if write_verb else []
        target_ids = {id(t) for t in targets}
        creates_temporary = isinstance(statement, exp.Create) and statement.find(exp.TemporaryProperty) is not None
        for target in targets:
            schema, table = _table_parts(target, exp)
            if not schema and target.name and (creates_temporary or target.name.lower() in temporary):
                temporary.add(target.name.lower())  # pg_temp, whatever the search path says
                continue
            if not schema and search_path is not None and target.name:
                schema, table = search_path, target.name
            if schema and HOLE_MARK not in schema:
                uses.append(SchemaUse(schema, table, write_verb))
        if isinstance(statement, (exp.Create, exp.Drop)) and str(statement.args.get("kind", "")).upper() == "SCHEMA":
            continue
        for table in statement.find_all(exp.Table):
            if id(table) in target_ids:
                continue
            schema = table.args.get("db")
            name = _folded(schema) if schema is not None else ""
            if name and HOLE_MARK not in name:
                uses.append(SchemaUse(name, table.name or None, None))
        if isinstance(statement, exp.Set):
            uses.extend(u for u in _scanned(sql, False) if u.table is None and not u.is_write)
    return uses


def _write_verb(statement: Any, exp: Any) -> str | None:
    kinds = [
        (exp.Insert, "INSERT"),
        (exp.Update, "UPDATE"),
        (exp.Delete, "DELETE"),
        (exp.Merge, "MERGE"),
        (exp.Create, "CREATE"),
        (exp.Drop, "DROP"),
        (exp.Alter, "ALTER"),
        (exp.TruncateTable, "TRUNCATE"),
        (exp.Copy, "COPY"),
    ]
    for kind, verb in kinds:
        if isinstance(statement, kind):
            if kind is exp.Copy and not statement.args.get("kind"):
                return None  # COPY ... TO reads
            if kind is exp.Create and isinstance(statement.this, exp.Index):
                return "CREATE INDEX"
            return verb
    return None


def _write_targets(statement: Any, exp: Any) -> list[Any]:
    if isinstance(statement, (exp.TruncateTable, exp.Drop)):
        # sqlglot keeps the list in `expressions` (TRUNCATE, DROP before 30.2x) or `tables` (DROP since)
        listed = statement.args.get("tables") or statement.expressions
        if listed:
            return [t for t in listed if isinstance(t, exp.Table)]
    target = statement.this
    if isinstance(target, exp.Index):  # CREATE INDEX ... ON target (see _write_verb)
        target = target.args.get("table")
    if isinstance(target, exp.Schema):
        target = target.this
    return [target] if isinstance(target, exp.Table) else []


def _table_parts(table: Any, exp: Any) -> tuple[str, str | None]:
    schema = table.args.get("db")
    if schema is None:
        return "", None
    if not table.name:  # CREATE SCHEMA x parses as a table with only a db part
        return _folded(schema), None
    return _folded(schema), table.name


def _folded(identifier: Any) -> str:
    """An identifier's name as Postgres stores it: unquoted names fold to lower case."""
    name = str(identifier.name)
    return name if identifier.args.get("quoted") else name.lower()
