"""Building the replacement nodes of a fix: the class's idioms written the way the file already
writes its code (its owner-name constant, its quotes, its argument layout).

A fix replaces whole nodes of the parsed module and nothing else; ``engine/fix.py`` applies the
replacements and prints the module again, so every comment, blank line and bracket outside the
replaced nodes is kept byte for byte.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from airflow_etiquette.analysis.context import Edit, FileContext
from airflow_etiquette.analysis.model import is_docstring
from airflow_etiquette.analysis.values import Text

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

PLAIN = re.compile(r"[A-Za-z0-9_.\-:]*")  # what a dag_id or a tag may be without escaping
PREFERRED_NAMES = ("STUDENT", "OWNER")


def owner_constant(file: FileContext) -> str | None:
    """A module-level name that holds the file's owner, derived from its path (the class idiom
    ``STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name``): every value
    it may have is the owner's name. ``STUDENT`` is preferred where there are several."""
    return constant_holding(file, file.owner) if file.owner is not None else None


def constant_holding(file: FileContext, text: str) -> str | None:
    """A module-level name every value of which is ``text`` (``STUDENT``, ``OWNER`` preferred)."""
    scope = file.index.module_scope
    found: list[str] = []
    for statement in file.index.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                continue
            target = small.targets[0].target
            if not isinstance(target, cst.Name) or target.value in found:
                continue
            values = file.resolver.values(target, scope)
            if values and all(isinstance(v, Text) and v.exact == text for v in values):
                found.append(target.value)
    found.sort(
        key=lambda name: (name not in PREFERRED_NAMES, PREFERRED_NAMES.index(name) if name in PREFERRED_NAMES else 0)
    )
    return found[0] if found else None


def schema_name(file: FileContext) -> tuple[str, tuple[Edit, ...]] | None:
    """The name of a module constant that holds the owner's schema (``SCHEMA``), and the edits that
    add the class's two lines after the imports where there is none (``STUDENT = ...`` unless the
    module has an owner constant, and ``SCHEMA = f"airflow_{STUDENT}"``); None where those names
    are taken or the schema setting cannot be written so."""
    if file.owner is None:
        return None
    found = constant_holding(file, file.config.schema_for(file.owner))
    if found is not None:
        return found, ()
    if file.index.module_scope.lookup("SCHEMA") is not None:
        return None  # SCHEMA is something else here: not ours to replace
    derived = derived_schema(file)
    anchor = _after_imports(file)
    if derived is None or anchor is None:
        return None
    text, edits = derived
    statement = cst.parse_statement(f"SCHEMA = {cst.Module([]).code_for_node(text)}\n")
    return "SCHEMA", merged((*edits, (anchor, cst.FlattenSentinel([statement, anchor]))))


def merged(edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
    """The edits with the statements inserted before one node joined, in order, into one edit."""
    out: dict[int, Edit] = {}
    for old, new in edits:
        earlier = out.get(id(old))
        if earlier is not None and isinstance(earlier[1], cst.FlattenSentinel) and isinstance(new, cst.FlattenSentinel):
            new = cst.FlattenSentinel([*list(earlier[1].nodes)[:-1], *new.nodes])
        out[id(old)] = (old, new)
    return tuple(out.values())


def derived_schema(file: FileContext) -> tuple[cst.BaseExpression, tuple[Edit, ...]] | None:
    """``f"airflow_{STUDENT}"`` (the schema setting on the module's owner constant), and the edits
    that add ``STUDENT = ...`` (with its imports) after the imports where the module has none."""
    before, placeholder, after = file.config.schema.partition("{owner}")
    if not placeholder or not PLAIN.fullmatch(before + after):
        return None
    owner_name = owner_constant(file)
    edits: list[Edit] = []
    if owner_name is None:
        if file.index.module_scope.lookup("STUDENT") is not None:
            return None
        imports = with_imports(file, (("os", None), ("pathlib", "Path")))
        anchor = _after_imports(file)
        if imports is None or anchor is None:
            return None
        owner_name = "STUDENT"
        idiom = cst.parse_statement('STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n')
        edits.extend(imports)
        edits.append((anchor, cst.FlattenSentinel([idiom, anchor])))
    return cst.parse_expression(f'f"{before}{{{owner_name}}}{after}"'), tuple(edits)


def _after_imports(file: FileContext) -> cst.CSTNode | None:
    """The first statement after the module's docstring and its leading imports."""
    for statement in file.index.module.body:
        if is_docstring(statement):
            continue
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            continue
        return statement
    return None


def owned_text(
    file: FileContext, before: str, after: str, like: cst.CSTNode | None = None
) -> cst.BaseExpression | None:
    """The string ``<before><owner><after>``: an f-string on the module's owner constant where
    there is one (``f"{STUDENT}_taxi"``), else the literal (``"lasse_taxi"``), in the quotes of
    ``like`` when it is a string. None when the text would need escaping."""
    if file.owner is None or not PLAIN.fullmatch(before + after):
        return None
    quote = '"'
    if (
        isinstance(like, (cst.SimpleString, cst.FormattedString))
        and "'" in _quote_of(like)
        and '"' not in _quote_of(like)
    ):
        quote = "'"
    name = owner_constant(file)
    if name is None:
        return cst.SimpleString(f"{quote}{before}{file.owner}{after}{quote}")
    return cst.parse_expression(f"f{quote}{before}{{{name}}}{after}{quote}")


def _quote_of(node: cst.SimpleString | cst.FormattedString) -> str:
    return node.quote if isinstance(node, cst.SimpleString) else node.end


def with_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``keyword=value`` added after its last argument, laid out as the call lays out
    its arguments (on one line, or one per line with a trailing comma)."""
    arg = cst.Arg(
        value=value,
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    return call.with_changes(args=_appended(list(call.args), arg, call.whitespace_before_args))


def with_element(sequence: cst.List | cst.Tuple, value: cst.BaseExpression) -> cst.List | cst.Tuple:
    """A list or tuple literal with ``value`` added at the end, in its layout."""
    opener = sequence.lbracket.whitespace_after if isinstance(sequence, cst.List) else sequence.lpar[0].whitespace_after
    items = _appended(list(sequence.elements), cst.Element(value=value), opener)
    if isinstance(sequence, cst.Tuple) and len(items) == 1:
        items[0] = items[0].with_changes(comma=cst.Comma())  # ("x",)
    return sequence.with_changes(elements=items)


def _appended(items: list[Any], item: Any, opener: cst.BaseParenthesizableWhitespace) -> list[Any]:
    """``items`` (arguments or elements) with ``item`` after the last: one per line with a trailing
    comma stays so; else ``, item`` on the same line."""
    if not items:
        return [item]
    last = items[-1]
    comma = last.comma
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        before = items[-2].comma if len(items) > 1 else None
        between = before.whitespace_after if isinstance(before, cst.Comma) else opener
        items[-1] = last.with_changes(comma=comma.with_changes(whitespace_after=between))
        return [*items, item.with_changes(comma=comma)]
    items[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    return [*items, item]


def decorator_with_keyword(decorator: cst.Decorator, keyword: str, value: cst.BaseExpression) -> cst.Decorator:
    """``@dag`` becomes ``@dag(keyword=value)``; ``@dag(...)`` gets the keyword added."""
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        return decorator.with_changes(decorator=with_keyword(expr, keyword, value))
    return decorator.with_changes(decorator=with_keyword(cst.Call(func=expr), keyword, value))


def with_imports(file: FileContext, wanted: tuple[tuple[str, str | None], ...]) -> tuple[Edit, ...] | None:
    """The edit that adds the imports ``wanted`` (``("os", None)``: ``import os``; ``("pathlib",
    "Path")``: ``from pathlib import Path``) that the module does not have, before its first
    statement after the docstring and ``__future__`` imports; no edit when it has them all, None
    when one of the names is bound to something else."""
    scope = file.index.module_scope
    missing: list[str] = []
    for module, name in wanted:
        local = name or module
        qualname = f"{module}.{name}" if name else module
        if scope.lookup(local) is not None:
            if file.resolver.qualname(cst.Name(local), scope) != qualname:
                return None
            continue
        missing.append(f"from {module} import {name}\n" if name else f"import {module}\n")
    if not missing:
        return ()
    body = list(file.index.module.body)
    anchor = next((s for s in body if not is_docstring(s) and not _future_import(s)), None)
    if anchor is None:
        return None
    statements = [cst.parse_statement(line) for line in missing]
    return ((anchor, cst.FlattenSentinel([*statements, anchor])),)


def _future_import(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.ImportFrom)
        and isinstance(statement.body[0].module, cst.Name)
        and statement.body[0].module.value == "__future__"
    )
