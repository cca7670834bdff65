"""Building the replacement nodes of a fix: the class's idioms written the way the file already
writes its code (its owner-name constant, its quotes, its argument layout).

A fix replaces whole nodes of the parsed module and nothing else; ``engine/fix.py`` applies the
replacements and prints the module again, so every comment, blank line and bracket outside the
replaced nodes is kept byte for byte.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from airflow_etiquette.analysis.context import Edit, FileContext
from airflow_etiquette.analysis.model import Scope, is_docstring
from airflow_etiquette.analysis.values import Text

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

PLAIN = re.compile(r"[A-Za-z0-9_.\-:]*")  # what a dag_id or a tag may be without escaping
PREFERRED_NAMES = ("STUDENT", "OWNER")


def top_statement(file: FileContext, node: cst.CSTNode) -> int | None:
    """The index in the module's body of the top-level statement that holds ``node``."""
    return file.top_statements.get(id(node))


def in_owner_folder(file: FileContext) -> bool:
    """Directly in ``dags/<owner>/``, where ``Path(__file__).parent.name`` is the owner (in a
    subfolder it is the subfolder's name: the idiom would name the wrong owner)."""
    return file.owner is not None and posixpath.dirname(file.relpath) == f"{file.config.dags_folder}/{file.owner}"


def owner_constant(file: FileContext, scope: Scope | None = None, at: cst.CSTNode | None = None) -> str | None:
    """A module-level name that holds the file's owner, derived from its path (the class idiom
    ``STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name``): every value
    it may have is the owner's name. ``STUDENT`` is preferred where there are several. With
    ``scope`` and ``at``: only a name that code there sees (not shadowed, defined above it)."""
    return constant_holding(file, file.owner, scope, at) if file.owner is not None else None


def constant_holding(
    file: FileContext, text: str, scope: Scope | None = None, at: cst.CSTNode | None = None
) -> str | None:
    """A module-level name every value of which is ``text`` (``STUDENT``, ``OWNER`` preferred),
    assigned once; with ``scope`` and ``at``, one that the code at ``at`` in ``scope`` sees."""
    module = file.index.module_scope
    used_in = top_statement(file, at) if at is not None else None
    found: list[str] = []
    for number, statement in enumerate(file.index.module.body):
        if not isinstance(statement, cst.SimpleStatementLine) or (used_in is not None and number >= used_in):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                continue
            target = small.targets[0].target
            if not isinstance(target, cst.Name) or target.value in found or len(module.bindings[target.value]) != 1:
                continue
            if scope is not None and (seen := scope.lookup(target.value)) is not None and seen[1] is not module:
                continue  # shadowed where it would be used
            values = file.resolver.values(target, module)
            if values and all(isinstance(v, Text) and v.exact == text for v in values):
                found.append(target.value)
    found.sort(
        key=lambda name: (name not in PREFERRED_NAMES, PREFERRED_NAMES.index(name) if name in PREFERRED_NAMES else 0)
    )
    return found[0] if found else None


def free(file: FileContext, name: str, scope: Scope) -> bool:
    """Whether ``name`` is bound nowhere the new code could see or clash with."""
    return file.index.module_scope.lookup(name) is None and scope.lookup(name) is None


def schema_name(file: FileContext, scope: Scope, at: cst.CSTNode) -> tuple[str, tuple[Edit, ...]] | None:
    """The name of a module constant that holds the owner's schema (``SCHEMA``) that the code at
    ``at`` sees, and the edits that add the class's lines where there is none: ``SCHEMA =
    f"airflow_{STUDENT}"`` after the owner constant (or after the imports, with ``STUDENT = ...``
    before it where the module has no owner constant). None where the names are taken, the new
    line would come after ``at``, or the schema setting cannot be written so."""
    if file.owner is None:
        return None
    found = constant_holding(file, file.config.schema_for(file.owner), scope, at)
    if found is not None:
        return found, ()
    if not free(file, "SCHEMA", scope):
        return None  # SCHEMA is something else here: not ours to replace
    owner_name = owner_constant(file, scope, at)
    if owner_name is not None:
        anchor = _after_statement_of(file, owner_name)
        edits: tuple[Edit, ...] = ()
    else:
        anchor = _after_imports(file)
        if anchor is None:
            return None
        derived_owner = owner_idiom(file, scope, anchor)
        if derived_owner is None:
            return None
        owner_name, edits = derived_owner
    used_in = top_statement(file, at)
    if anchor is None or used_in is None or (top_statement(file, anchor) or 0) > used_in:
        return None
    template = schema_template(file, owner_name)
    if template is None:
        return None
    statement = cst.parse_statement(f"SCHEMA = {cst.Module([]).code_for_node(template)}\n")
    return "SCHEMA", merged((*edits, (anchor, cst.FlattenSentinel([statement, anchor]))))


def schema_template(file: FileContext, owner_name: str) -> cst.BaseExpression | None:
    """``f"airflow_{STUDENT}"``: the schema setting on the owner constant."""
    before, placeholder, after = file.config.schema.partition("{owner}")
    if not placeholder or not PLAIN.fullmatch(before + after):
        return None
    return cst.parse_expression(f'f"{before}{{{owner_name}}}{after}"')


def owner_idiom(file: FileContext, scope: Scope, anchor: cst.CSTNode) -> tuple[str, tuple[Edit, ...]] | None:
    """``STUDENT``, added before ``anchor`` (a top-level statement) with the class's idiom and its
    imports, in a file directly in its owner's folder; None where that cannot be done cleanly."""
    if not in_owner_folder(file) or not free(file, "STUDENT", scope):
        return None
    imports = with_imports(file, (("os", None), ("pathlib", "Path")), anchor)
    if imports is None:
        return None
    idiom = cst.parse_statement('STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n')
    return "STUDENT", merged((*imports, (anchor, cst.FlattenSentinel([idiom, anchor]))))


def merged(edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
    """The edits with the statements inserted before one node joined, in order, into one edit."""
    out: dict[int, Edit] = {}
    for old, new in edits:
        earlier = out.get(id(old))
        if earlier is not None and isinstance(earlier[1], cst.FlattenSentinel) and isinstance(new, cst.FlattenSentinel):
            new = cst.FlattenSentinel([*list(earlier[1].nodes)[:-1], *new.nodes])
        out[id(old)] = (old, new)
    return tuple(out.values())


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


def _after_statement_of(file: FileContext, name: str) -> cst.CSTNode | None:
    """The top-level statement after the one that assigns ``name``."""
    body = list(file.index.module.body)
    for number, statement in enumerate(body[:-1]):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets)
            for small in statement.body
        ):
            return body[number + 1]
    return None


def owned_text(
    file: FileContext,
    before: str,
    after: str,
    like: cst.CSTNode | None = None,
    scope: Scope | None = None,
    at: cst.CSTNode | None = None,
) -> cst.BaseExpression | None:
    """The string ``<before><owner><after>``: an f-string on the module's owner constant where
    the code at ``at`` sees one (``f"{STUDENT}_taxi"``), else the literal (``"lasse_taxi"``), in
    the quotes of ``like`` when it is a string. None when the text would need escaping."""
    if file.owner is None or not PLAIN.fullmatch(before + after):
        return None
    quote = '"'
    if (
        isinstance(like, (cst.SimpleString, cst.FormattedString))
        and "'" in _quote_of(like)
        and '"' not in _quote_of(like)
    ):
        quote = "'"
    name = owner_constant(file, scope, at)
    if name is None:
        return cst.SimpleString(f"{quote}{before}{file.owner}{after}{quote}")
    return cst.parse_expression(f"f{quote}{before}{{{name}}}{after}{quote}")


def _quote_of(node: cst.SimpleString | cst.FormattedString) -> str:
    return node.quote if isinstance(node, cst.SimpleString) else node.end


def with_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``keyword=value`` added after its last argument, laid out as the call lays out
    its arguments: on the same line, or on a line of its own (with the trailing comma, if the
    call has one); a comment after the last argument stays with it."""
    arg = cst.Arg(
        value=value,
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[arg])
    last = args[-1]
    between = _between(args, call.whitespace_before_args)
    comma = last.comma
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        if between is None:
            return call  # unreachable: a one-per-line layout has a line break to copy
        closing = comma.whitespace_after
        args[-1] = last.with_changes(comma=comma.with_changes(whitespace_after=_keep_comment(between, closing)))
        args.append(arg.with_changes(comma=comma.with_changes(whitespace_after=_no_comment(closing))))
    elif isinstance(last.whitespace_after_arg, cst.ParenthesizedWhitespace) and between is not None:
        closing = last.whitespace_after_arg  # one per line without a trailing comma
        args[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=_keep_comment(between, closing)),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
        args.append(arg.with_changes(whitespace_after_arg=_no_comment(closing)))
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(arg.with_changes(whitespace_after_arg=last.whitespace_after_arg))
        args[-2] = args[-2].with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
    return call.with_changes(args=args)


def with_element(sequence: cst.List | cst.Tuple, value: cst.BaseExpression) -> cst.List | cst.Tuple:
    """A list or tuple literal with ``value`` added at the end, in its layout (a list written one
    element per line gets a line of its own, keeping a trailing comma)."""
    items = list(sequence.elements)
    element = cst.Element(value=value)
    if not items:
        return sequence.with_changes(
            elements=[element.with_changes(comma=cst.Comma())] if isinstance(sequence, cst.Tuple) else [element]
        )
    last = items[-1]
    if isinstance(sequence, cst.List) and isinstance(sequence.rbracket.whitespace_before, cst.ParenthesizedWhitespace):
        between = _between(items, sequence.lbracket.whitespace_after)
        if between is not None:
            items[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between))
            items.append(element.with_changes(comma=last.comma))
            return sequence.with_changes(elements=items)
    trailing = isinstance(last.comma, cst.Comma)
    items[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    items.append(element.with_changes(comma=cst.Comma()) if trailing and isinstance(sequence, cst.Tuple) else element)
    return sequence.with_changes(elements=items)


def _between(items: list[Any], opener: cst.BaseParenthesizableWhitespace) -> cst.ParenthesizedWhitespace | None:
    """The line break and indentation between two items of a one-per-line layout."""
    before = items[-2].comma if len(items) > 1 else None
    if isinstance(before, cst.Comma) and isinstance(before.whitespace_after, cst.ParenthesizedWhitespace):
        return before.whitespace_after
    return opener if isinstance(opener, cst.ParenthesizedWhitespace) else None


def _keep_comment(
    between: cst.ParenthesizedWhitespace, closing: cst.ParenthesizedWhitespace
) -> cst.ParenthesizedWhitespace:
    """The break after what was the last item: the item's own trailing comment, then the indent."""
    return between.with_changes(first_line=closing.first_line)


def _no_comment(closing: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    return closing.with_changes(first_line=cst.TrailingWhitespace())


def decorator_with_keyword(decorator: cst.Decorator, keyword: str, value: cst.BaseExpression) -> cst.Decorator:
    """``@dag`` becomes ``@dag(keyword=value)``; ``@dag(...)`` gets the keyword added."""
    expr = decorator.decorator
    if isinstance(expr, cst.Call):
        return decorator.with_changes(decorator=with_keyword(expr, keyword, value))
    return decorator.with_changes(decorator=with_keyword(cst.Call(func=expr), keyword, value))


def with_imports(
    file: FileContext, wanted: tuple[tuple[str, str | None], ...], before: cst.CSTNode
) -> tuple[Edit, ...] | None:
    """The edit that adds the imports ``wanted`` (``("os", None)``: ``import os``; ``("pathlib",
    "Path")``: ``from pathlib import Path``) that the module does not import above ``before`` (a
    top-level statement), before its first statement after the docstring and ``__future__``
    imports; no edit when it has them all, None when a name is bound to something else, or only
    below ``before``."""
    scope = file.index.module_scope
    limit = top_statement(file, before)
    missing: list[str] = []
    for module, name in wanted:
        local = name or module
        qualname = f"{module}.{name}" if name else module
        if scope.lookup(local) is not None:
            imported_at = _imported_at(file, local, qualname)
            if imported_at is None or limit is None or imported_at >= limit:
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


def _imported_at(file: FileContext, local: str, qualname: str) -> int | None:
    """The index of the top-level statement that imports ``qualname`` as ``local``, if that is
    what ``local`` is in the module."""
    if file.resolver.qualname(cst.Name(local), file.index.module_scope) != qualname:
        return None
    for number, statement in enumerate(file.index.module.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        bound = alias.asname.name if alias.asname else alias.name
                        if isinstance(bound, cst.Name) and bound.value == local:
                            return number
                        if isinstance(bound, cst.Attribute) and local == qualname.split(".")[0]:
                            return number
    return None


def _future_import(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.ImportFrom)
        and isinstance(statement.body[0].module, cst.Name)
        and statement.body[0].module.value == "__future__"
    )
