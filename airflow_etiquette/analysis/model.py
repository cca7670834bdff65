"""One walk over a parsed module that indexes what the rules need.

libcst's generic visitor and its metadata providers (scopes, qualified names,
positions) cost many times the parse itself. The rules only need a few things:
the name bindings of each scope, every call, every string expression and a few
kinds of assignment. This module collects them in a single hand-written walk
that skips whitespace and punctuation nodes; positions are computed later, and
only for nodes that are reported.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


BindingKind = Literal["assign", "import", "loop", "param", "def", "class", "unknown"]
Arms = tuple[tuple[int, int], ...]  # (an if/try/match statement's number, the arm's number in it)


class Binding(NamedTuple):
    """What a name is bound to at one place.

    ``assign``: ``value`` is the assigned expression; ``loop``: ``value`` is the
    iterable of a ``for`` or comprehension; in both, ``unpack`` is the index path
    into a tuple target (``a, (b, c) = ...`` binds ``c`` with ``(1, 1)``).
    ``import``: ``qualname`` is the imported dotted name. ``def``: ``node`` is the
    FunctionDef.
    """

    kind: BindingKind
    value: cst.BaseExpression | None = None
    unpack: tuple[int, ...] = ()
    qualname: str | None = None
    node: cst.CSTNode | None = None


class Scope:
    __slots__ = ("kind", "parent", "bindings", "global_names")

    def __init__(self, kind: Literal["module", "function", "class"], parent: Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.bindings: dict[str, list[Binding]] = {}
        self.global_names: set[str] = set()

    def bind(self, name: str, binding: Binding) -> None:
        target = self.module() if name in self.global_names else self
        target.bindings.setdefault(name, []).append(binding)

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def lookup(self, name: str) -> tuple[list[Binding], Scope] | None:
        """Python's rules: local, enclosing functions (not classes), module."""
        if name in self.global_names:
            module = self.module()
            found = module.bindings.get(name)
            return (found, module) if found else None
        scope: Scope | None = self
        first = True
        while scope is not None:
            if first or scope.kind != "class":
                found = scope.bindings.get(name)
                if found:
                    return found, scope
            first = False
            scope = scope.parent
        return None


class StringSite(NamedTuple):
    """A string expression that is not part of a larger string expression."""

    node: cst.BaseExpression
    scope: Scope
    prose: bool  # a message or documentation: logged, printed, raised, asserted, doc_md=/description=


class AttributeAssignment(NamedTuple):
    target: cst.Attribute
    value: cst.BaseExpression | None
    scope: Scope
    statement: cst.CSTNode


class SubscriptAssignment(NamedTuple):
    target: cst.Subscript
    value: cst.BaseExpression | None
    scope: Scope
    statement: cst.CSTNode


class ModuleIndex:
    """What one walk found in a module."""

    def __init__(self, module: cst.Module, module_scope: Scope) -> None:
        self.module = module
        self.module_scope = module_scope
        self.calls: list[tuple[cst.Call, Scope]] = []
        self.imports: list[cst.Import | cst.ImportFrom] = []
        self.functions: list[tuple[cst.FunctionDef, Scope]] = []
        self.function_scopes: dict[cst.FunctionDef, Scope] = {}
        self.param_owners: dict[cst.Param, tuple[cst.FunctionDef, Scope]] = {}  # function, where defined
        self.function_owners: dict[cst.FunctionDef, Scope] = {}  # where each function is defined
        self.scope_functions: dict[int, cst.FunctionDef] = {}  # id(inner scope) -> its function
        self.sites: list[StringSite] = []  # string expressions, composites included
        self.literals: list[StringSite] = []  # string literal nodes only
        self.attribute_assignments: list[AttributeAssignment] = []
        self.subscript_assignments: list[SubscriptAssignment] = []
        # msg = "..."; raise Failure(msg): a string assigned to a name that is only ever read
        # as a message. name_uses counts each name's reads: [in prose, elsewhere].
        self.message_candidates: dict[cst.BaseExpression, str] = {}
        # calls and decorators inside if/try/match: the arms they sit in, outermost first, each as
        # (the statement's number in the walk, the arm's number in it)
        self.conditional_nodes: dict[cst.CSTNode, Arms] = {}
        # ids of the calls and imports that do not run when the module is imported: in the body of
        # a function or lambda (a task runs it), or under `if __name__ == "__main__":`
        self.deferred: set[int] = set()
        self.main_guarded: set[int] = set()  # ids of the calls and decorators under `if __name__ == "__main__":`
        self.mutated_names: set[str] = set()  # TAGS.append(...), ARGS.update(...): not followed
        self.name_uses: dict[str, list[int]] = {}

    def is_message(self, node: cst.BaseExpression) -> bool:
        """A string expression assigned to a name that is read, and only in messages and docs."""
        name = self.message_candidates.get(node)
        uses = self.name_uses.get(name, [0, 0]) if name is not None else [0, 0]
        return uses[0] > 0 and uses[1] == 0


LOG_FUNCTIONS = frozenset({"print"})
# Methods that change a list or dict in place; the resolver does not follow them.
MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "__setitem__"})
# Keyword arguments that hold documentation shown in the UI, never code or SQL.
PROSE_KEYWORDS = frozenset({"doc", "doc_md", "doc_rst", "doc_json", "doc_yaml", "description"})
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})


def is_literal_string(node: object) -> bool:
    """A string written in the source: plain, implicitly concatenated, or an f-string."""
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))


# Fields that only hold whitespace, punctuation or operator tokens: never walked.
_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "equal",
        "semicolon",
        "dot",
        "operator",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "indent",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "colon",
        "asynchronous",
        "star",
        "newline",
        "trailing_whitespace",
        "lpar_tok",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
        "whitespace",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[node_type] = names
    return names


def iter_children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and every node below it (iteratively: a deeply nested tree is no recursion)."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        pending.extend(iter_children(current))


def build_index(module: cst.Module) -> ModuleIndex:
    index = ModuleIndex(module=module, module_scope=Scope("module", None))
    _Walker(index).body(module.body, index.module_scope)
    return index


def _arms(node: cst.CSTNode) -> dict[int, int]:
    """The children of an if/try/match statement that exclude each other, by ``id``: the arm each
    is in. An if's test, a try's ``finally`` always run, so they are in none; a try's ``else`` runs
    after its body, so the two are one arm."""
    if isinstance(node, cst.If):
        return {id(node.body): 0} | ({id(node.orelse): 1} if node.orelse is not None else {})
    if isinstance(node, (cst.Try, cst.TryStar)):
        arms = {id(node.body): 0} | ({id(node.orelse): 0} if node.orelse is not None else {})
        return arms | {id(handler): number for number, handler in enumerate(node.handlers, start=1)}
    if isinstance(node, cst.Match):
        return {id(case): number for number, case in enumerate(node.cases)}
    return {}


def exclusive(a: Arms, b: Arms) -> bool:
    """Two places in different arms of one if/try/match statement: at most one of them runs."""
    where_a = dict(a)
    return any(statement in where_a and where_a[statement] != arm for statement, arm in b)


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round): code the scheduler never runs."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    texts = [side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"]
    return len(names) == 1 and len(texts) == 1


def is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


class _Walker:
    """Fills a ModuleIndex. Each method takes the node and the scope it evaluates in."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.arms: Arms = ()  # the if/try/match arms the walk is in, outermost first
        self.branchings = 0  # if/try/match statements seen so far: each one's number
        self.deferring = 0  # inside this many function bodies, lambda bodies and __main__ blocks
        self.main_guard = 0  # inside this many __main__ blocks (a local test run: no scheduler runs it)

    # -- statements ------------------------------------------------------------
    def body(self, statements: Sequence[cst.CSTNode], scope: Scope) -> None:
        for statement in statements:
            if is_docstring(statement):
                continue  # a docstring is prose, not a schema or SQL
            self.node(statement, scope)

    def node(self, node: cst.CSTNode, scope: Scope, in_string: bool = False, prose: bool = False) -> None:
        handler = _handlers().get(type(node))
        if handler is not None:
            handler(self, node, scope, in_string, prose)
            return
        for child in iter_children(node):
            self.node(child, scope, in_string, prose)

    def function_def(self, node: cst.FunctionDef, scope: Scope, in_string: bool, prose: bool) -> None:
        for decorator in node.decorators:
            if self.arms:
                self.index.conditional_nodes[decorator] = self.arms
            if self.main_guard:
                self.index.main_guarded.add(id(decorator))
            self.node(decorator.decorator, scope)
        inner = Scope("function", scope)
        self._params(node.params, scope, inner)
        for param in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
            self.index.param_owners[param] = (node, scope)
        self.index.function_owners[node] = scope
        self.index.scope_functions[id(inner)] = node
        if node.returns is not None:
            self.node(node.returns, scope)
        scope.bind(node.name.value, Binding("def", node=node))
        self.index.functions.append((node, scope))
        self.index.function_scopes[node] = inner
        body = node.body
        self.deferring += 1
        try:
            if isinstance(body, cst.IndentedBlock):
                self.body(body.body, inner)
            else:
                self.node(body, inner)
        finally:
            self.deferring -= 1

    def _params(self, params: cst.Parameters, outer: Scope, inner: Scope) -> None:
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            inner.bind(param.name.value, Binding("param", node=param))
            if param.default is not None:
                self.node(param.default, outer)

    def lambda_(self, node: cst.Lambda, scope: Scope, in_string: bool, prose: bool) -> None:
        inner = Scope("function", scope)
        self._params(node.params, scope, inner)
        self.deferring += 1
        try:
            self.node(node.body, inner, in_string, prose)
        finally:
            self.deferring -= 1

    def class_def(self, node: cst.ClassDef, scope: Scope, in_string: bool, prose: bool) -> None:
        for decorator in node.decorators:
            self.node(decorator.decorator, scope)
        for arg in (*node.bases, *node.keywords):
            self.node(arg.value, scope)
        scope.bind(node.name.value, Binding("class", node=node))
        inner = Scope("class", scope)
        body = node.body
        if isinstance(body, cst.IndentedBlock):
            self.body(body.body, inner)
        else:
            self.node(body, inner)

    def assign(self, node: cst.Assign, scope: Scope, in_string: bool, prose: bool) -> None:
        for target in node.targets:
            self.target(target.target, node.value, scope, node, "assign")
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and (is_literal_string(node.value) or isinstance(node.value, (cst.BinaryOperation, cst.Call)))
        ):
            self.index.message_candidates[node.value] = node.targets[0].target.value
        self.node(node.value, scope)

    def name(self, node: cst.Name, scope: Scope, in_string: bool, prose: bool) -> None:
        uses = self.index.name_uses.setdefault(node.value, [0, 0])
        uses[0 if prose else 1] += 1

    def ann_assign(self, node: cst.AnnAssign, scope: Scope, in_string: bool, prose: bool) -> None:
        if node.value is not None:
            self.target(node.target, node.value, scope, node, "assign")
            self.node(node.value, scope)

    def aug_assign(self, node: cst.AugAssign, scope: Scope, in_string: bool, prose: bool) -> None:
        self.target(node.target, None, scope, node, "unknown")
        if isinstance(node.target, cst.Name):
            self.index.mutated_names.add(node.target.value)
        self.node(node.value, scope)

    def named_expr(self, node: cst.NamedExpr, scope: Scope, in_string: bool, prose: bool) -> None:
        self.target(node.target, node.value, scope, node, "assign")
        self.node(node.value, scope, in_string, prose)

    def if_or_try(self, node: cst.CSTNode, scope: Scope, in_string: bool, prose: bool) -> None:
        """The arms of an if/else, a try/except and a match exclude each other: what is defined in
        them is remembered with its arms (ETQ104 does not compare two DAGs of one file that sit in
        different arms of one statement)."""
        self.branchings += 1
        number = self.branchings
        arms = _arms(node)
        outer = self.arms
        guard = isinstance(node, cst.If) and is_main_guard(node.test)
        try:
            for child in iter_children(node):
                arm = arms.get(id(child))
                self.arms = outer if arm is None else (*outer, (number, arm))
                if guard and child is node.body:  # type: ignore[attr-defined]
                    self.deferring += 1
                    self.main_guard += 1
                    try:
                        self.node(child, scope)
                    finally:
                        self.deferring -= 1
                        self.main_guard -= 1
                else:
                    self.node(child, scope)
        finally:
            self.arms = outer

    def for_(self, node: cst.For, scope: Scope, in_string: bool, prose: bool) -> None:
        self.node(node.iter, scope)
        self.target(node.target, node.iter, scope, node, "loop")
        self.node(node.body, scope)
        if node.orelse is not None:
            self.node(node.orelse, scope)

    def comprehension(self, node: cst.CSTNode, scope: Scope, in_string: bool, prose: bool) -> None:
        inner = Scope("function", scope)
        comp: cst.CompFor | None = node.for_in  # type: ignore[attr-defined]
        first = True
        while comp is not None:
            self.node(comp.iter, scope if first else inner)
            self.target(comp.target, comp.iter, inner, comp, "loop")
            for condition in comp.ifs:
                self.node(condition.test, inner)
            first = False
            comp = comp.inner_for_in
        for name in ("elt", "key", "value"):
            part = getattr(node, name, None)
            if part is not None:
                self.node(part, inner, in_string, prose)

    def with_(self, node: cst.With, scope: Scope, in_string: bool, prose: bool) -> None:
        for item in node.items:
            self.node(item.item, scope)
            if item.asname is not None:
                self.target(item.asname.name, item.item, scope, node, "assign")
        self.node(node.body, scope)

    def except_handler(self, node: cst.ExceptHandler, scope: Scope, in_string: bool, prose: bool) -> None:
        if node.type is not None:
            self.node(node.type, scope)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            scope.bind(node.name.name.value, Binding("unknown"))
        self.node(node.body, scope)

    def import_(self, node: cst.Import, scope: Scope, in_string: bool, prose: bool) -> None:
        self.index.imports.append(node)
        if self.deferring:
            self.index.deferred.add(id(node))
        for alias in node.names:
            dotted = dotted_name(alias.name)
            if dotted is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                scope.bind(alias.asname.name.value, Binding("import", qualname=dotted))
            else:
                head = dotted.split(".", 1)[0]
                scope.bind(head, Binding("import", qualname=head))

    def import_from(self, node: cst.ImportFrom, scope: Scope, in_string: bool, prose: bool) -> None:
        self.index.imports.append(node)
        if self.deferring:
            self.index.deferred.add(id(node))
        if isinstance(node.names, cst.ImportStar):
            return
        base = dotted_name(node.module) if node.module is not None else ""
        relative = bool(node.relative)
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            bound = (
                alias.asname.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                else name
            )
            qualname = None if relative or base is None else f"{base}.{name}"
            scope.bind(bound, Binding("import", qualname=qualname) if qualname else Binding("unknown"))

    def global_(self, node: cst.Global, scope: Scope, in_string: bool, prose: bool) -> None:
        for item in node.names:
            scope.global_names.add(item.name.value)

    # -- expressions -----------------------------------------------------------
    def call(self, node: cst.Call, scope: Scope, in_string: bool, prose: bool) -> None:
        self.index.calls.append((node, scope))
        if self.deferring:
            self.index.deferred.add(id(node))
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in MUTATORS:
            self.index.mutated_names.add(func.value.value)
        if self.arms:
            self.index.conditional_nodes[node] = self.arms
        if self.main_guard:
            self.index.main_guarded.add(id(node))
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("format", "join") and not in_string:
            self.index.sites.append(StringSite(node, scope, prose))
            in_string = True
        logs = (
            prose
            or (isinstance(func, cst.Name) and func.value in LOG_FUNCTIONS)
            or (isinstance(func, cst.Attribute) and func.attr.value in LOG_METHODS)
        )
        self.node(func, scope, in_string, prose)
        for arg in node.args:
            documents = arg.keyword is not None and arg.keyword.value in PROSE_KEYWORDS
            self.node(arg.value, scope, in_string, logs or documents)

    def raise_(self, node: cst.Raise, scope: Scope, in_string: bool, prose: bool) -> None:
        """An exception's message says what went wrong; it runs no SQL and changes no connection."""
        for part in (node.exc, node.cause.item if node.cause else None):
            if part is not None:
                self.node(part, scope, in_string, True)

    def assert_(self, node: cst.Assert, scope: Scope, in_string: bool, prose: bool) -> None:
        self.node(node.test, scope, in_string, prose)
        if node.msg is not None:
            self.node(node.msg, scope, in_string, True)

    def string(self, node: cst.BaseExpression, scope: Scope, in_string: bool, prose: bool) -> None:
        if isinstance(node, cst.SimpleString) and "b" in node.prefix.lower():
            return
        site = StringSite(node, scope, prose)
        self.index.literals.append(site)
        if not in_string:
            self.index.sites.append(site)
        for piece in string_pieces(node):
            if isinstance(piece, cst.FormattedString):
                for part in piece.parts:
                    if isinstance(part, cst.FormattedStringExpression):
                        self.node(part.expression, scope, False, prose)

    def binary_operation(self, node: cst.BinaryOperation, scope: Scope, in_string: bool, prose: bool) -> None:
        if isinstance(node.operator, (cst.Add, cst.Modulo)) and not in_string:
            self.index.sites.append(StringSite(node, scope, prose))
            in_string = True
        self.node(node.left, scope, in_string, prose)
        self.node(node.right, scope, in_string, prose)

    def expr(self, node: cst.Expr, scope: Scope, in_string: bool, prose: bool) -> None:
        if is_literal_string(node.value):
            return  # a bare string statement is a comment in disguise
        self.node(node.value, scope)

    # -- assignment targets ----------------------------------------------------
    def target(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression | None,
        scope: Scope,
        statement: cst.CSTNode,
        kind: BindingKind,
        unpack: tuple[int, ...] = (),
    ) -> None:
        if isinstance(target, cst.Name):
            scope.bind(target.value, Binding(kind, value=value, unpack=unpack))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for position, element in enumerate(target.elements):
                if isinstance(element, cst.StarredElement):
                    self.target(element.value, None, scope, statement, "unknown")
                else:
                    self.target(element.value, value, scope, statement, kind, (*unpack, position))
        elif isinstance(target, cst.Attribute):
            self.index.attribute_assignments.append(
                AttributeAssignment(target, value if not unpack else None, scope, statement)
            )
            self.node(target.value, scope)
        elif isinstance(target, cst.Subscript):
            self.index.subscript_assignments.append(
                SubscriptAssignment(target, value if not unpack else None, scope, statement)
            )
            self.node(target.value, scope)
            for subscript in target.slice:
                self.node(subscript, scope)
        elif isinstance(target, cst.StarredElement):
            self.target(target.value, None, scope, statement, "unknown")


def string_pieces(node: cst.BaseExpression) -> Iterator[cst.SimpleString | cst.FormattedString]:
    """The literal pieces of a string literal, implicit concatenations flattened."""
    if isinstance(node, cst.ConcatenatedString):
        yield from string_pieces(node.left)
        yield from string_pieces(node.right)
    elif isinstance(node, (cst.SimpleString, cst.FormattedString)):
        yield node


def imported_names(statement: cst.Import | cst.ImportFrom) -> Iterator[tuple[str, str]]:
    """Each absolute module an import statement needs, and the statement as a student reads it:
    ``from google.cloud import storage`` needs ``google.cloud.storage`` (below a namespace package
    the imported name decides the distribution)."""
    if isinstance(statement, cst.ImportFrom):
        if statement.relative or statement.module is None:
            return
        base = dotted_name(statement.module)
        if base is None:
            return
        if isinstance(statement.names, cst.ImportStar):
            yield base, f"from {base} import *"
            return
        for alias in statement.names:
            name = dotted_name(alias.name)
            if name is not None:
                yield f"{base}.{name}", f"from {base} import {name}"
        return
    for alias in statement.names:
        name = dotted_name(alias.name)
        if name is not None:
            yield name, f"import {name}"


def dotted_name(node: cst.BaseExpression | cst.CSTNode | None) -> str | None:
    """``a.b.c`` for a name or a chain of attributes, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr.value}" if head else None
    return None


@functools.cache
def _handlers() -> dict[type[cst.CSTNode], Callable[[_Walker, Any, Scope, bool, bool], None]]:
    """The walker's method for each node type (built on first use: libcst loads only when needed)."""
    return {
        cst.FunctionDef: _Walker.function_def,
        cst.ClassDef: _Walker.class_def,
        cst.Lambda: _Walker.lambda_,
        cst.Assign: _Walker.assign,
        cst.AnnAssign: _Walker.ann_assign,
        cst.AugAssign: _Walker.aug_assign,
        cst.NamedExpr: _Walker.named_expr,
        cst.For: _Walker.for_,
        cst.ListComp: _Walker.comprehension,
        cst.SetComp: _Walker.comprehension,
        cst.GeneratorExp: _Walker.comprehension,
        cst.DictComp: _Walker.comprehension,
        cst.With: _Walker.with_,
        cst.ExceptHandler: _Walker.except_handler,
        cst.Import: _Walker.import_,
        cst.ImportFrom: _Walker.import_from,
        cst.Global: _Walker.global_,
        cst.Call: _Walker.call,
        cst.SimpleString: _Walker.string,
        cst.ConcatenatedString: _Walker.string,
        cst.FormattedString: _Walker.string,
        cst.BinaryOperation: _Walker.binary_operation,
        cst.Expr: _Walker.expr,
        cst.If: _Walker.if_or_try,
        cst.Try: _Walker.if_or_try,
        cst.TryStar: _Walker.if_or_try,
        cst.Match: _Walker.if_or_try,
        cst.Name: _Walker.name,
        cst.Raise: _Walker.raise_,
        cst.Assert: _Walker.assert_,
    }
