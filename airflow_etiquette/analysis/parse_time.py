"""What runs when the scheduler parses a file: the code at module level (class bodies, decorator
arguments and default arguments included), not the bodies of functions and lambdas (a task runs
those), and not an ``if __name__ == "__main__":`` block."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.model import iter_children, walk

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def import_time_nodes(module: cst.Module) -> Iterator[cst.CSTNode]:
    """Every node evaluated when the module is imported, in source order."""
    pending: list[cst.CSTNode] = list(reversed(module.body))
    while pending:
        node = pending.pop()
        yield node
        children: list[cst.CSTNode]
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            params = node.params
            every = (*params.posonly_params, *params.params, *params.kwonly_params)
            children = [p.default for p in every if p.default is not None]
            if isinstance(node, cst.FunctionDef):
                children = [d.decorator for d in node.decorators] + children
        elif isinstance(node, cst.If) and is_main_guard(node.test):
            children = [node.orelse] if node.orelse is not None else []
        else:
            children = list(iter_children(node))
        pending.extend(reversed(children))


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    texts = [s for s in sides if isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__"]
    return len(names) == 1 and len(texts) == 1


def guarded_imports(module: cst.Module) -> set[int]:
    """The ids of the import statements that may fail without harm: inside a ``try:`` whose
    handlers catch ImportError (an optional dependency), or an ``if TYPE_CHECKING:`` block (never
    run)."""
    guarded: set[int] = set()
    for node in walk(module):
        body: cst.CSTNode | None = None
        if isinstance(node, cst.Try) and any(_catches_import_error(h) for h in node.handlers):
            body = node.body
        elif isinstance(node, cst.If) and _is_type_checking(node.test):
            body = node.body
        if body is not None:
            guarded.update(id(inner) for inner in walk(body) if isinstance(inner, (cst.Import, cst.ImportFrom)))
    return guarded


def _is_type_checking(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Name) and test.value == "TYPE_CHECKING") or (
        isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING"
    )


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elements if isinstance(handler.type, cst.Tuple) else None
    exprs = [e.value for e in kinds] if kinds is not None else [handler.type]
    return any(
        (isinstance(e, cst.Name) and e.value in IMPORT_ERRORS)
        or (isinstance(e, cst.Attribute) and e.attr.value in IMPORT_ERRORS)
        for e in exprs
    )
