"""Imports that may fail without harm. (What runs at parse time is ``ModuleIndex.deferred``'s
complement: the walker marks the calls and imports in function and lambda bodies and in
``if __name__ == "__main__":`` blocks.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_etiquette.analysis.model import walk

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def guarded_imports(module: cst.Module, optional: bool = True) -> set[int]:
    """The ids of the import statements that may fail without harm: inside a ``try:`` whose
    handlers catch ImportError (an optional dependency; not with ``optional=False``), or an
    ``if TYPE_CHECKING:`` block (never run)."""
    guarded: set[int] = set()
    for node in walk(module):
        body: cst.CSTNode | None = None
        if optional and isinstance(node, cst.Try) and any(_catches_import_error(h) for h in node.handlers):
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
