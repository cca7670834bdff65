"""Static value resolution: what a dag_id, a tag list, a schema or a SQL string is, worked out
from the source alone.

Nothing is evaluated. Literals, module constants, ``+``, f-strings, ``.format``, ``%``,
``"sep".join``, list/dict literals, ``**kwargs``, loop variables, one-line helpers, factories and
the standard library's idioms (``idioms``: ``Path(__file__).parent.name``,
``os.environ.get(...) or ...``) are followed; anything else becomes a *hole*. A value with holes
still carries what is known: ``f"maria_{city}"`` is known to start with ``maria_``.

A resolution returns every value the expression may have (a loop variable has one per item), at
most ``MAX_ALTERNATIVES``. The values themselves live in ``values``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection, Iterable, Sequence
from string import Formatter
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.idioms import IDIOMS, PATH_SAME_METHODS, STRING_METHODS
from airflow_etiquette.analysis.model import Binding, ModuleIndex, Scope, is_docstring
from airflow_etiquette.analysis.values import (
    Falsy,
    FilePath,
    Hole,
    Map,
    Seq,
    Snippet,
    Text,
    Unknown,
    Value,
    Values,
    cap,
    combine,
    combine_many,
    component,
    falsy,
    integer,
    iterate,
    literal,
    map_view,
    mentions,
    merge_maps,
    path_attribute,
    path_join,
    percent_format,
    products,
    text_of,
    truth,
    unescape,
    unpack,
)

if TYPE_CHECKING:
    import libcst as cst

    from airflow_etiquette.analysis.modules import OwnerModules
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

MAX_DEPTH = 40
# Calls of local helpers evaluated per file; a chain h(x) = g(x) + g(x) doubles at every step.
MAX_EXPANSIONS = 500


def _only(names: frozenset[str]) -> str | None:
    """The one name, or None for none or several (whichever import ran decides)."""
    return next(iter(names)) if len(names) == 1 else None


class Resolver:
    """Resolves expressions of one module. ``relpath`` is the file's path from the root."""

    def __init__(self, index: ModuleIndex, relpath: str, modules: OwnerModules | None = None) -> None:
        self.index = index
        self.file = FilePath(tuple(relpath.split("/")))
        self.modules = modules  # the owner's own modules, for names imported from them
        self._cache: dict[tuple[int, int], Values] = {}
        self._active: set[int] = set()
        self._depth = 0
        # The caller's scope of each argument bound by a call (see _local_function); the
        # call scopes are kept alive so that their ids in the cache keys stay unique.
        self._argument_scopes: dict[int, Scope] = {}
        # The resolver of the module an argument was written in, where it is not this one (a
        # factory of the owner's common.py called from a DAG file: its __file__ is the DAG's).
        self._argument_resolvers: dict[int, Resolver] = {}
        self._call_scopes: list[Scope] = []
        self._call_sites: dict[cst.FunctionDef, list[tuple[cst.Call, Scope]]] = {}
        self._expansions = 0  # helper calls evaluated with their arguments (see MAX_EXPANSIONS)
        self._callees: dict[tuple[int, int], frozenset[str]] = {}  # (id(call), id(scope)) -> callee_names

    def source(self, node: cst.CSTNode) -> str:
        """The code of ``node`` for messages, generated only if a message needs it."""
        return Snippet(node, self.index.module)  # type: ignore[return-value]

    # -- names -------------------------------------------------------------------
    def qualname(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The dotted name an expression refers to through the imports, if it is one name."""
        return _only(self.qualnames(expr, scope))

    def qualnames(self, expr: cst.BaseExpression, scope: Scope) -> frozenset[str]:
        """Every dotted name an expression may refer to through the imports; empty when it
        may be anything else (a local definition, an assignment).

        Several names come from the Airflow 2/3 compatibility import
        (``try: from airflow.sdk import DAG`` / ``except ImportError: from airflow import DAG``).
        """
        if isinstance(expr, cst.Name):
            found = scope.lookup(expr.value)
            if found is None:
                return frozenset((expr.value,))  # a builtin, or a name defined nowhere
            if all(b.kind == "import" and b.qualname for b in found[0]):
                return frozenset(b.qualname for b in found[0] if b.qualname)
            return frozenset()
        if isinstance(expr, cst.Attribute):
            return frozenset(f"{head}.{expr.attr.value}" for head in self.qualnames(expr.value, scope))
        return frozenset()

    def callee_names(self, call: cst.Call, scope: Scope) -> frozenset[str]:
        """``qualnames`` of what ``call`` calls, worked out once per call: a dozen rules ask it
        of every call in the file, which made it the analysis' most frequent question."""
        key = (id(call), id(scope))
        names = self._callees.get(key)
        if names is None:
            names = self._callees[key] = self.qualnames(call.func, scope)
        return names

    def callee(self, call: cst.Call, scope: Scope) -> str | None:
        """``qualname`` of what ``call`` calls (see ``callee_names``)."""
        return _only(self.callee_names(call, scope))

    def refers_to(self, expr: cst.BaseExpression, scope: Scope, names: Collection[str]) -> bool:
        """Whether ``expr`` certainly names one of ``names`` (whichever import ran)."""
        found = self.qualnames(expr, scope)
        return bool(found) and all(name in names for name in found)

    # -- values ------------------------------------------------------------------
    def values(self, expr: cst.BaseExpression, scope: Scope) -> Values:
        key = (id(expr), id(scope))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if self._depth > MAX_DEPTH:
            return (Unknown(self.source(expr)),)
        self._depth += 1
        try:
            result = cap(self._values(expr, scope), lambda: Unknown(self.source(expr)))
        finally:
            self._depth -= 1
        self._cache[key] = result
        return result

    def text_values(self, expr: cst.BaseExpression, scope: Scope) -> tuple[Text, ...]:
        return tuple(text_of(v, self.source(expr)) for v in self.values(expr, scope))

    def _values(self, expr: cst.BaseExpression, scope: Scope) -> Iterable[Value]:
        if isinstance(expr, cst.SimpleString):
            value = literal(expr)
            return (Text.of(value) if isinstance(value, str) else Unknown(self.source(expr)),)
        if isinstance(expr, cst.FormattedString):
            return self._fstring(expr, scope)
        if isinstance(expr, cst.ConcatenatedString):
            return combine(self.values(expr.left, scope), self.values(expr.right, scope), self._add, self.source(expr))
        if isinstance(expr, cst.Name):
            return self._name(expr, scope)
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope)
        if isinstance(expr, cst.BinaryOperation):
            return self._binary(expr, scope)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope)
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            return self._or(expr, scope)
        if isinstance(expr, cst.IfExp):
            return self._if_expression(expr, scope)
        if (
            isinstance(expr, cst.Comparison)
            and len(expr.comparisons) == 1
            and isinstance(expr.comparisons[0].operator, (cst.In, cst.NotIn))
            and self.qualname(expr.comparisons[0].comparator, scope) == "os.environ"
        ):
            # "AIRFLOW_STUDENT" in os.environ: the shared scheduler sets no such variable (see Falsy)
            negated = isinstance(expr.comparisons[0].operator, cst.NotIn)
            return (Text.of("True"),) if negated else (Falsy(self.source(expr)),)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return self._sequence(expr.elements, scope)
        if isinstance(expr, cst.Dict):
            return self._dict(expr, scope)
        if isinstance(expr, cst.Subscript):
            return self._subscript(expr, scope)
        return (Unknown(self.source(expr)),)

    def _name(self, expr: cst.Name, scope: Scope) -> Iterable[Value]:
        if expr.value in ("None", "False"):
            return (Falsy(expr.value),)
        if expr.value == "True":
            return (Text.of("True"),)  # truthy, and str(True)
        if expr.value == "__file__":
            return (self.file,)
        found = scope.lookup(expr.value)
        if found is None:
            return (Unknown(expr.value),)
        bindings, owner_scope = found
        last = bindings[-1]
        if (
            len(bindings) > 1
            and last.kind == "assign"
            and last.value is not None
            and not last.unpack
            and mentions(last.value, expr.value)
        ):
            # NAME = f"{STUDENT}_{NAME}" / TAGS = TAGS + [...]: the last assignment builds on the
            # earlier ones, which its own reference to NAME (evaluated while it is active) reaches.
            bindings = bindings[:-1] if id(last) in self._active else [last]
        out: list[Value] = []
        for binding in bindings:
            out.extend(self._binding(binding, owner_scope, expr.value))
        if expr.value in self.index.mutated_names:
            # TAGS += [...] / TAGS.append(...): more items than the assignments show.
            changed = Unknown(f"{expr.value} changed in place")
            return [
                Seq((*v.items, changed), False)
                if isinstance(v, Seq)
                else Map(v.entries, False)
                if isinstance(v, Map)
                else v
                for v in out
                if not (isinstance(v, Unknown) and len(out) > 1)
            ]
        return out

    def _binding(self, binding: Binding, scope: Scope, name: str) -> Iterable[Value]:
        marker = id(binding)
        if marker in self._active:
            return (Unknown(name),)
        if binding.kind == "param" and binding.node is not None:
            self._active.add(marker)
            try:
                return self._parameter(binding.node, name)
            finally:
                self._active.discard(marker)
        if binding.kind == "import" and binding.qualname and self.modules is not None:
            imported = self.modules.values(binding.qualname)
            if imported is not None:
                return imported
        if binding.value is None or binding.kind not in ("assign", "loop"):
            return (Unknown(name),)
        self._active.add(marker)
        try:
            resolver = self._argument_resolvers.get(marker, self)
            values = resolver.values(binding.value, self._argument_scopes.get(marker, scope))
            if binding.kind == "loop":
                values = tuple(itertools.chain.from_iterable(iterate(v, name) for v in values))
            return tuple(unpack(v, binding.unpack, name) for v in values)
        finally:
            self._active.discard(marker)

    def binding_values(self, binding: Binding, scope: Scope, name: str) -> Iterable[Value]:
        """What ``name`` may be through one of its bindings (another module's resolver asks)."""
        return self._binding(binding, scope, name)

    def _attribute(self, expr: cst.Attribute, scope: Scope) -> Iterable[Value]:
        attr = expr.attr.value
        if self.modules is not None:  # import maria.common as common; common.TAGS
            qualname = self.qualname(expr, scope)
            imported = self.modules.values(qualname) if qualname else None
            if imported is not None:
                return imported
        out: list[Value] = []
        for base in self.values(expr.value, scope):
            if isinstance(base, FilePath):
                out.append(path_attribute(base, attr, self.source(expr)))
            else:
                out.append(Unknown(self.source(expr)))
        return out

    def _binary(self, expr: cst.BinaryOperation, scope: Scope) -> Iterable[Value]:
        left, right = self.values(expr.left, scope), self.values(expr.right, scope)
        source = self.source(expr)
        if isinstance(expr.operator, cst.Add):
            return combine(left, right, self._add, source)
        if isinstance(expr.operator, cst.Divide):
            return combine(left, right, lambda a, b, s: path_join(a, (b,), s), source)
        if isinstance(expr.operator, cst.Modulo):
            return combine(left, right, percent_format, source)
        return (Unknown(source),)

    @staticmethod
    def _add(left: Value, right: Value, source: str) -> Value:
        if isinstance(left, Seq) and isinstance(right, Seq):
            return Seq(left.items + right.items, left.complete and right.complete)
        if isinstance(left, Text) or isinstance(right, Text):
            if isinstance(left, (Seq, Map, FilePath)) or isinstance(right, (Seq, Map, FilePath)):
                return Unknown(source)
            return text_of(left, source) + text_of(right, source)
        if isinstance(left, Seq) and isinstance(right, Unknown):
            return Seq(left.items, False)
        if isinstance(right, Seq) and isinstance(left, Unknown):
            return Seq(right.items, False)
        return Unknown(source)

    def _if_expression(self, expr: cst.IfExp, scope: Scope) -> Iterable[Value]:
        """``a if test else b``: the branch the test picks when it is known (``[TAG] if STUDENT
        else []`` with the path-derived STUDENT), else both."""
        verdicts = {truth(value) for value in self.values(expr.test, scope)}
        if verdicts == {True}:
            return self.values(expr.body, scope)
        if verdicts == {False}:
            return self.values(expr.orelse, scope)
        return (*self.values(expr.body, scope), *self.values(expr.orelse, scope))

    def _or(self, expr: cst.BooleanOperation, scope: Scope) -> Iterable[Value]:
        out: list[Value] = []
        for left in self.values(expr.left, scope):
            if falsy(left):
                out.extend(self.values(expr.right, scope))
            elif isinstance(left, Unknown) or (isinstance(left, Text) and left.exact is None):
                out.append(left)
                out.extend(self.values(expr.right, scope))
            else:
                out.append(left)
        return out

    def _fstring(self, expr: cst.FormattedString, scope: Scope) -> Iterable[Value]:
        raw = "r" in expr.prefix.lower()
        choices: list[tuple[Text, ...]] = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                choices.append((Text.of(unescape(part.value, raw, fstring=True)),))
            elif isinstance(part, cst.FormattedStringExpression):
                source = self.source(part.expression)
                if part.conversion is not None or part.format_spec is not None:
                    choices.append((Text.of(Hole(source)),))
                else:
                    choices.append(tuple(text_of(v, source) for v in self.values(part.expression, scope)))
        return products(choices, lambda texts: Text.of(*itertools.chain.from_iterable(t.parts for t in texts)))

    def _sequence(self, elements: Sequence[cst.BaseElement], scope: Scope) -> Iterable[Value]:
        choices: list[tuple[Seq, ...]] = []
        for element in elements:
            if isinstance(element, cst.StarredElement):
                spread = tuple(v if isinstance(v, Seq) else Seq((), False) for v in self.values(element.value, scope))
                choices.append(spread)
            else:
                choices.append(tuple(Seq((v,)) for v in self.values(element.value, scope)))
        return products(
            choices,
            lambda seqs: Seq(
                tuple(itertools.chain.from_iterable(s.items for s in seqs)), all(s.complete for s in seqs)
            ),
        )

    def _dict(self, expr: cst.Dict, scope: Scope) -> Iterable[Value]:
        choices: list[tuple[Map, ...]] = []
        for element in expr.elements:
            if not isinstance(element, cst.DictElement):  # **other
                choices.append(
                    tuple(v if isinstance(v, Map) else Map((), False) for v in self.values(element.value, scope))
                )
                continue
            keys = self.values(element.key, scope)
            key = keys[0].exact if len(keys) == 1 and isinstance(keys[0], Text) else None
            if key is None:
                choices.append((Map((), False),))
            else:
                choices.append(tuple(Map(((key, v),)) for v in self.values(element.value, scope)))
        return products(choices, merge_maps)

    def _subscript(self, expr: cst.Subscript, scope: Scope) -> Iterable[Value]:
        source = self.source(expr)
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return (Unknown(source),)
        index_expr = expr.slice[0].slice.value
        number = integer(index_expr)
        paths = self._path_components(expr.value, scope)
        if paths is not None and number is not None:
            return tuple(component(path, number, source) for path in paths)
        out: list[Value] = []
        for base in self.values(expr.value, scope):
            if isinstance(base, Map):
                for key in self.values(index_expr, scope):
                    found = base.get(key.exact) if isinstance(key, Text) and key.exact is not None else None
                    out.append(found if found is not None else Unknown(source))
            elif isinstance(base, Seq) and base.complete and (number := integer(index_expr)) is not None:
                out.append(base.items[number] if -len(base.items) <= number < len(base.items) else Unknown(source))
            else:
                out.append(Unknown(source))
        return out

    def _path_components(self, expr: cst.BaseExpression, scope: Scope) -> list[FilePath] | None:
        """The paths behind ``p.parts`` and ``str(p).split("/")`` / ``__file__.split(os.sep)``,
        whose last items are known even though the first ones (above the repository) are not;
        None for anything else."""
        target: cst.BaseExpression | None = None
        if isinstance(expr, cst.Attribute) and expr.attr.value == "parts":
            target = expr.value
        elif (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "split"
            and len(expr.args) == 1
        ):
            separator = expr.args[0].value
            if self.qualname(separator, scope) == "os.sep" or (
                isinstance(separator, cst.SimpleString) and literal(separator) == "/"
            ):
                target = expr.func.value
        if target is None:
            return None
        if isinstance(target, cst.Call) and self.qualname(target.func, scope) == "str" and len(target.args) == 1:
            target = target.args[0].value
        paths = [v for v in self.values(target, scope) if isinstance(v, FilePath)]
        return paths or None

    # -- calls -------------------------------------------------------------------
    def _call(self, expr: cst.Call, scope: Scope) -> Iterable[Value]:
        source = self.source(expr)
        func = expr.func
        idiom = IDIOMS.get(self.qualname(func, scope) or "")
        if idiom is not None:
            args = [a for a in expr.args if a.keyword is None and not a.star]
            kwargs = {a.keyword.value: a.value for a in expr.args if a.keyword is not None}
            found = idiom(self, expr, args, kwargs, scope, source)
            if found is not None:
                return found
        if self.modules is not None:  # a helper from the owner's common.py
            qualname = self.qualname(func, scope)
            target = self.modules.function(qualname) if qualname else None
            if target is not None:
                other, definition = target
                return other.helper_result(definition, expr, scope, self, source)
        if isinstance(func, cst.Attribute):
            return self._method(expr, func, scope, source)
        if isinstance(func, cst.Name):
            return self._local_function(expr, func, scope, source)
        return (Unknown(source),)

    def _method(self, expr: cst.Call, func: cst.Attribute, scope: Scope, source: str) -> Iterable[Value]:
        method = func.attr.value
        receivers = self.values(func.value, scope)
        args = [a.value for a in expr.args if a.keyword is None and not a.star]
        out: list[Value] = []
        for receiver in receivers:
            if isinstance(receiver, Text):
                out.extend(self._string_method(receiver, method, expr, scope, source))
            elif isinstance(receiver, FilePath) and method in PATH_SAME_METHODS:
                out.append(receiver)
            elif isinstance(receiver, FilePath) and method == "joinpath":
                out.extend(
                    combine_many([self.values(a, scope) for a in args], functools.partial(path_join, receiver), source)
                )
            elif isinstance(receiver, Map) and method == "get" and args:
                for key in self.values(args[0], scope):
                    found = receiver.get(key.exact) if isinstance(key, Text) and key.exact is not None else None
                    if found is not None:
                        out.append(found)
                    elif len(args) > 1 and receiver.complete:
                        out.extend(self.values(args[1], scope))
                    else:
                        out.append(Unknown(source))
            elif isinstance(receiver, Map) and method in ("items", "keys", "values"):
                out.append(Seq(tuple(map_view(method, k, v) for k, v in receiver.entries), receiver.complete))
            elif isinstance(receiver, Map) and method == "copy":
                out.append(receiver)
            else:
                out.append(Unknown(source))
        return out

    def _string_method(self, receiver: Text, method: str, expr: cst.Call, scope: Scope, source: str) -> Iterable[Value]:
        args = [a for a in expr.args if not a.star]
        if method == "format":
            return self._format(receiver, expr, scope, source)
        if method == "join" and len(args) == 1:
            out: list[Value] = []
            for seq in self.values(args[0].value, scope):
                if isinstance(seq, Seq) and seq.complete:
                    pieces: list[str | Hole] = []
                    for position, item in enumerate(seq.items):
                        if position:
                            pieces.extend(receiver.parts)
                        pieces.extend(text_of(item, source).parts)
                    out.append(Text.of(*pieces))
                else:
                    out.append(Unknown(source))
            return out
        if method in STRING_METHODS and not args:
            return (Text.of(*(getattr(p, method)() if isinstance(p, str) else p for p in receiver.parts)),)
        if method == "replace" and len(args) == 2 and receiver.exact is not None:
            olds, news = self.values(args[0].value, scope), self.values(args[1].value, scope)
            return tuple(
                Text.of(receiver.exact.replace(o.exact, n.exact))
                if isinstance(o, Text) and isinstance(n, Text) and o.exact is not None and n.exact is not None
                else Unknown(source)
                for o in olds
                for n in news
            )
        return (Unknown(source),)

    def _format(self, receiver: Text, expr: cst.Call, scope: Scope, source: str) -> Iterable[Value]:
        template = receiver.exact
        if template is None:
            return (Unknown(source),)
        positional = [a.value for a in expr.args if a.keyword is None and not a.star]
        named = {a.keyword.value: a.value for a in expr.args if a.keyword is not None}
        try:
            fields = list(Formatter().parse(template))
        except ValueError:
            return (Unknown(source),)
        choices: list[tuple[Text, ...]] = []
        auto = 0
        for piece, field_name, spec, conversion in fields:
            choices.append((Text.of(piece),))
            if field_name is None:
                continue
            key = field_name.split(".", 1)[0].split("[", 1)[0]
            if key == "":
                key, auto = str(auto), auto + 1
            arg = positional[int(key)] if key.isdigit() and int(key) < len(positional) else named.get(key)
            if arg is None or spec or conversion or key != field_name and not key.isdigit():
                choices.append((Text.of(Hole(field_name or "{}")),))
            else:
                arg_source = self.source(arg)
                choices.append(tuple(text_of(v, arg_source) for v in self.values(arg, scope)))
        return products(choices, lambda texts: Text.of(*itertools.chain.from_iterable(t.parts for t in texts)))

    def _local_function(self, call: cst.Call, func: cst.Name, scope: Scope, source: str) -> Iterable[Value]:
        """A call of a module function whose body is just ``return <expr>``, its parameters
        bound to this call's arguments."""
        found = scope.lookup(func.value)
        if found is None or len(found[0]) != 1 or found[0][0].kind != "def":
            return (Unknown(source),)
        definition = found[0][0].node
        assert isinstance(definition, cst.FunctionDef)
        return self.helper_result(definition, call, scope, self, source)

    def helper_result(
        self, definition: cst.FunctionDef, call: cst.Call, scope: Scope, caller: Resolver, source: str
    ) -> Iterable[Value]:
        """What a call of a function of this module whose body is just ``return <expr>`` gives,
        its parameters bound to the call's arguments (resolved by ``caller``, the resolver of the
        module the call is written in)."""
        if definition.decorators:
            return (Unknown(source),)  # a decorator may change the arguments or the result
        self._expansions += 1
        if self._expansions > MAX_EXPANSIONS:
            return (Unknown(source),)  # helpers calling helpers: each call is its own scope, so cap the work
        body = definition.body
        statements = [s for s in body.body if not is_docstring(s)] if isinstance(body, cst.IndentedBlock) else [body]
        if len(statements) != 1 or not isinstance(statements[0], (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return (Unknown(source),)
        line = statements[0].body
        if len(line) != 1 or not isinstance(line[0], cst.Return) or line[0].value is None:
            return (Unknown(source),)
        inner = self.index.function_scopes.get(definition)
        marker = id(definition)
        if inner is None or inner.parent is None or marker in self._active:
            return (Unknown(source),)
        bound = self._bind_arguments(definition.params, call, scope, inner.parent, caller)
        if bound is None:
            return (Unknown(source),)
        self._active.add(marker)
        try:
            return self.values(line[0].value, bound)
        finally:
            self._active.discard(marker)

    def _bind_arguments(
        self,
        params: cst.Parameters,
        call: cst.Call,
        caller: Scope,
        defined_in: Scope,
        caller_resolver: Resolver | None = None,
    ) -> Scope | None:
        """A scope for one call: each parameter bound to its argument (resolved where the call
        is) or to its default; None when the call cannot be matched (``*args``, ``**kwargs``)."""
        if (
            any(arg.star for arg in call.args)
            or isinstance(params.star_arg, cst.Param)
            or params.star_kwarg is not None
        ):
            return None
        positional = [arg.value for arg in call.args if arg.keyword is None]
        keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
        ordered = [*params.posonly_params, *params.params]
        if len(positional) > len(ordered):
            return None
        bound = Scope("function", defined_in)
        self._call_scopes.append(bound)
        for index, param in enumerate([*ordered, *params.kwonly_params]):
            name = param.name.value
            argument = positional[index] if index < len(positional) else keywords.get(name)
            if argument is not None:
                binding = Binding("assign", value=argument)
                self._argument_scopes[id(binding)] = caller
                if caller_resolver is not None and caller_resolver is not self:
                    self._argument_resolvers[id(binding)] = caller_resolver
                bound.bind(name, binding)
            elif param.default is not None:
                bound.bind(name, Binding("assign", value=param.default))
            else:
                return None
        return bound

    def call_sites(self, function: cst.FunctionDef) -> list[tuple[cst.Call, Scope]]:
        """The calls of a module-level or nested function (not a method) by its own name."""
        cached = self._call_sites.get(function)
        if cached is not None:
            return cached
        owner = self.index.function_owners.get(function)
        found: list[tuple[cst.Call, Scope]] = []
        # A method (self shifts the positions) or a decorated function (the decorator may pass
        # other arguments) is not matched to its calls.
        if owner is not None and owner.kind != "class" and not function.decorators:
            found = [
                (call, scope)
                for call, scope in self.index.calls
                if isinstance(call.func, cst.Name)
                and call.func.value == function.name.value
                and (visible := scope.lookup(call.func.value)) is not None
                and any(b.kind == "def" and b.node is function for b in visible[0])
            ]
        self._call_sites[function] = found
        return found

    def call_scope(
        self, function: cst.FunctionDef, call: cst.Call, caller: Scope, caller_resolver: Resolver | None = None
    ) -> Scope | None:
        """The function's own scope as one call sees it: its parameters bound to this call's
        arguments, its other names as they are. A parameter that the body reassigns stays
        unknown (the resolver does not follow statement order); None when the call cannot be
        matched to the parameters."""
        inner = self.index.function_scopes.get(function)
        if inner is None or inner.parent is None:
            return None
        bound = self._bind_arguments(function.params, call, caller, inner.parent, caller_resolver)
        if bound is None:
            return None
        for name, bindings in inner.bindings.items():
            if any(b.kind == "param" for b in bindings):
                if len(bindings) > 1:
                    bound.bindings[name] = [Binding("unknown")]
            else:
                bound.bindings[name] = list(bindings)
        bound.global_names = set(inner.global_names)
        return bound

    def _parameter(self, param: cst.CSTNode, name: str) -> Values:
        """A parameter of a function called once in this module: that call's argument.

        With several calls the arguments of different calls would mix (``run(sql, schema)``
        called twice gives four combinations), so the value stays unknown; DAG factories are
        expanded per call instead (see ``find_dags``)."""
        owner = self.index.param_owners.get(param) if isinstance(param, cst.Param) else None
        if owner is None:
            return (Unknown(name),)
        function = owner[0]
        calls = self.call_sites(function)
        if len(calls) != 1:
            return (Unknown(name),)
        bound = self.call_scope(function, *calls[0])
        bindings = bound.bindings.get(name) if bound is not None else None
        if bound is None or not bindings or len(bindings) != 1:
            return (Unknown(name),)
        return tuple(self._binding(bindings[0], bound, name))


# -- helpers -------------------------------------------------------------------------
