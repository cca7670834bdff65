"""Finding DAG definitions in a module, in every form Airflow 2 and 3 accept.

``DAG(...)`` (``with DAG(...) as dag:``, ``dag = DAG(...)``, in loops and
factories), the ``@dag`` decorator (whose dag_id defaults to the function
name), and Airflow 3's ``@asset`` and ``@asset.multi``, each of which makes a
one-task DAG (its dag_id is ``dag_id=``, else the asset's ``name=``, else the
function name; see the task SDK's ``definitions/asset/decorators.py``),
imported from any of the public modules, under any alias. Names are resolved
through the module's own imports, so a local ``dag`` function or ``DAG`` class
is not a DAG.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from airflow_etiquette.analysis.model import ModuleIndex, Scope
from airflow_etiquette.analysis.resolve import Resolver
from airflow_etiquette.analysis.values import Map, Seq, Text, Unknown, Value, Values, mentions

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

DAG_CLASSES = frozenset(
    {
        "airflow.DAG",
        "airflow.models.DAG",
        "airflow.models.dag.DAG",
        "airflow.sdk.DAG",
        "airflow.sdk.definitions.dag.DAG",
    }
)
DAG_DECORATORS = frozenset(
    {
        "airflow.decorators.dag",
        "airflow.decorators.dag.dag",
        "airflow.models.dag.dag",
        "airflow.sdk.dag",
        "airflow.sdk.definitions.dag.dag",
    }
)

ASSET_DECORATORS = frozenset({"airflow.sdk.asset", "airflow.sdk.definitions.asset.decorators.asset"})
MULTI_ASSET_DECORATORS = frozenset(f"{name}.multi" for name in ASSET_DECORATORS)


class Argument(NamedTuple):
    """A keyword argument of a DAG definition: where it is and what it may be.

    ``node`` is None when the argument is absent or comes from ``**kwargs``;
    ``values`` is None when it is certainly absent.
    """

    node: cst.CSTNode | None
    values: Values | None


class DagDefinition(NamedTuple):
    node: cst.CSTNode  # the DAG(...) call, or the @dag decorator
    dag_id: Argument
    tags: Argument
    scope: Scope  # where the call is evaluated
    call_site: cst.CSTNode | None = None  # the factory call that makes this DAG, if any
    parameters: frozenset[str] = frozenset()  # the factory's parameter names
    imported: bool = False  # the factory is in another module of the owner's: report at the call

    @property
    def is_template(self) -> bool:
        """Made by a factory its module never calls: what depends on the factory's parameters is
        known only where another module calls it."""
        return self.call_site is None and bool(self.parameters)

    def from_parameters(self, node: cst.CSTNode | None) -> bool:
        """Whether ``node`` (an argument's expression) reads one of the factory's parameters."""
        return node is not None and any(mentions(node, p) for p in self.parameters)

    def at(self, node: cst.CSTNode | None) -> cst.CSTNode:
        """Where to report about ``node``: the factory call when the value comes from its
        arguments, since that is the line a student changes (``make_dag("taxi")``), and always
        when the factory is in another file."""
        if self.call_site is not None and (
            self.imported or node is None or any(mentions(node, p) for p in self.parameters)
        ):
            return self.call_site
        return node if node is not None else self.node


def find_dags(index: ModuleIndex, resolver: Resolver) -> list[DagDefinition]:
    """Every DAG definition. One made inside a factory function is found once per call of the
    factory in the module, with that call's arguments (``make_dag("maria_daily")``)."""
    found: list[DagDefinition] = []
    for function, scope in index.functions:
        for decorator in function.decorators:
            for where, site, names in _per_call(scope, index, resolver):
                made = _decorated(function, decorator, scope, where, resolver)
                if made is not None:
                    found.append(made._replace(call_site=site, parameters=names))
    if resolver.modules is not None:
        found += _from_imported_factories(index, resolver)
    for call, scope in index.calls:
        if resolver.refers_to(call.func, scope, DAG_CLASSES):
            for where, site, names in _per_call(scope, index, resolver):
                found.append(_constructed(call, where, resolver)._replace(call_site=site, parameters=names))
    return found


def _constructed(call: cst.Call, where: Scope, resolver: Resolver) -> DagDefinition:
    """The DAG a ``DAG(...)`` call makes, its arguments evaluated in ``where``."""
    return DagDefinition(
        call, argument(call, "dag_id", 0, where, resolver), argument(call, "tags", None, where, resolver), where
    )


def _decorated(
    function: cst.FunctionDef, decorator: cst.Decorator, scope: Scope, where: Scope, resolver: Resolver
) -> DagDefinition | None:
    """The DAG a decorator makes of ``function`` (defined in ``scope``), its arguments evaluated in
    ``where``; None for a decorator that makes no DAG."""
    expr = decorator.decorator
    callee = expr.func if isinstance(expr, cst.Call) else expr
    # (keyword, position): where the dag_id may be given, in order; else the function's name
    named_by: tuple[tuple[str, int | None], ...]
    if resolver.refers_to(callee, scope, DAG_DECORATORS):
        named_by = (("dag_id", 0),)
    elif resolver.refers_to(callee, scope, ASSET_DECORATORS):
        named_by = (("dag_id", None), ("name", None))
    elif resolver.refers_to(callee, scope, MULTI_ASSET_DECORATORS):
        named_by = (("dag_id", None),)
    else:
        return None
    by_name = Argument(function.name, (Text.of(function.name.value),))
    if not isinstance(expr, cst.Call):
        return DagDefinition(decorator, by_name, Argument(None, None), where)
    dag_id = Argument(None, None)
    for keyword, position in named_by:
        dag_id = argument(expr, keyword, position, where, resolver)
        if dag_id.values is not None:
            break
    if dag_id.values is None:  # defaults to the function name
        dag_id = by_name
    return DagDefinition(expr, dag_id, argument(expr, "tags", None, where, resolver), where)


def _from_imported_factories(index: ModuleIndex, resolver: Resolver) -> list[DagDefinition]:
    """``make_dag("maria_daily")`` where ``make_dag`` comes from the owner's own ``common.py``: the
    ``DAG(...)`` calls directly in its body, evaluated with this call's arguments (written here, so
    resolved here: their ``__file__`` is this file's), reported at the call."""
    found: list[DagDefinition] = []
    modules = resolver.modules
    assert modules is not None
    for call, scope in index.calls:
        qualname = resolver.callee(call, scope)
        target = modules.function(qualname) if qualname else None
        if target is None:
            continue
        other, function = target
        inner = other.index.function_scopes.get(function)
        bound = other.call_scope(function, call, scope, resolver)
        if inner is None or bound is None:
            continue
        names = frozenset(
            p.name.value
            for p in (*function.params.posonly_params, *function.params.params, *function.params.kwonly_params)
        )
        for nested, defined in other.index.functions:  # @dag def ...: inside the factory
            if defined is inner:
                for decorator in nested.decorators:
                    dag = _decorated(nested, decorator, defined, bound, other)
                    if dag is not None:
                        found.append(dag._replace(call_site=call, parameters=names, imported=True))
        for made, where in other.index.calls:
            if where is inner and other.refers_to(made.func, where, DAG_CLASSES):
                found.append(_constructed(made, bound, other)._replace(call_site=call, parameters=names, imported=True))
    return found


def _per_call(
    scope: Scope, index: ModuleIndex, resolver: Resolver
) -> list[tuple[Scope, cst.CSTNode | None, frozenset[str]]]:
    """Where to evaluate a DAG definition: once per call of the factory function it sits in
    (with that call's arguments), when it has parameters and every call can be matched; in its own
    scope with its parameters marked when the module never uses the factory (a template); else
    just its own scope."""
    function = index.scope_functions.get(id(scope))
    params = function.params if function is not None else None
    names = (
        frozenset(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))
        if params is not None
        else frozenset()
    )
    if function is None or not names:
        return [(scope, None, frozenset())]
    bound = [(resolver.call_scope(function, call, caller), call) for call, caller in resolver.call_sites(function)]
    if not bound and function.name.value not in index.name_uses and not function.decorators:
        # a factory this module only defines (common.make_dag): a template, evaluated in its own
        # scope with its parameters unknown; the modules that import it are checked at each call
        return [(scope, None, names)]
    if not bound or any(b is None for b, _ in bound):
        return [(scope, None, frozenset())]
    return [(b, call, names) for b, call in bound if b is not None]


def argument(call: cst.Call, keyword: str, position: int | None, scope: Scope, resolver: Resolver) -> Argument:
    positional = 0
    spreads: list[cst.Arg] = []
    unpacked: cst.Arg | None = None  # a *args that may hold the argument's position
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return Argument(arg.value, resolver.values(arg.value, scope))
        elif arg.star == "**":
            spreads.append(arg)
        elif arg.star == "*":
            if position is None:
                continue
            items = resolver.values(arg.value, scope)
            if len(items) == 1 and isinstance(items[0], Seq) and items[0].complete:
                if position < positional + len(items[0].items):  # DAG(*ARGS) with ARGS = ("lasse_x",)
                    return Argument(None, (items[0].items[position - positional],))
                positional += len(items[0].items)
                continue
            unpacked = arg
            position = None  # positions after an unknown *args are unknowable
        else:
            if position is not None and positional == position:
                return Argument(arg.value, resolver.values(arg.value, scope))
            positional += 1
    values: list[Value] = []
    certain_absent = unpacked is None
    if unpacked is not None:
        values.append(Unknown(resolver.source(unpacked.value)))
    for spread in spreads:
        for mapping in resolver.values(spread.value, scope):
            if isinstance(mapping, Map):
                found = mapping.get(keyword)
                if found is not None:
                    values.append(found)
                    certain_absent = False
                elif not mapping.complete:
                    values.append(Unknown(resolver.source(spread.value)))
                    certain_absent = False
            else:
                values.append(Unknown(resolver.source(spread.value)))
                certain_absent = False
    if certain_absent:
        return Argument(None, None)
    return Argument(None, tuple(values))


def exact_dag_ids(dag: DagDefinition) -> tuple[str, ...]:
    """Every id the DAG may have that is known exactly (one per loop value), without repeats."""
    return tuple(dict.fromkeys(v.exact for v in dag.dag_id.values or () if isinstance(v, Text) and v.exact))


# -- verdicts shared by the rules ------------------------------------------------------


class Verdict(Enum):
    PASS = "pass"
    FAIL = "fail"
    UNDECIDED = "undecided"


def prefix_verdict(value: Value, prefix: str) -> Verdict:
    """Does a dag_id value start with ``prefix``?"""
    if not isinstance(value, Text):
        return Verdict.UNDECIDED
    known = value.prefix if value.exact is None else value.exact
    if known.startswith(prefix):
        return Verdict.PASS
    if value.exact is None and prefix.startswith(known):
        return Verdict.UNDECIDED
    return Verdict.FAIL


def tag_verdict(value: Value, tag: str) -> Verdict:
    """Does a tags value contain ``tag``?"""
    if isinstance(value, Text):  # a bare string where a list belongs
        value = Seq((value,))
    if not isinstance(value, Seq):
        return Verdict.UNDECIDED
    undecided = not value.complete
    for item in value.items:
        if isinstance(item, Text):
            if item.exact == tag:
                return Verdict.PASS
            if item.exact is None and item.could_equal(tag):
                undecided = True
        else:
            undecided = True
    return Verdict.UNDECIDED if undecided else Verdict.FAIL


def known_tags(value: Value) -> list[str]:
    if isinstance(value, Text):
        value = Seq((value,))
    if not isinstance(value, Seq):
        return []
    return [item.describe() for item in value.items if isinstance(item, Text)]
