"""libcst, loaded on first use of one of its names.

libcst is most of the start-up (0.15 s of 0.25), and ``--version``, ``rules``, ``explain``, the
ownership hook and a run answered from the cache never parse a file. The modules that use it
take it from here, a module object that the standard library's LazyLoader fills on the first
attribute read (``cst.Call``); an ``import libcst`` statement would load it at once on Python
3.11, whose import system reads the module's ``__spec__``. A worker started ahead loads it
itself while its parent starts up; the engine loads it before it starts any further worker
processes, so that they share it.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

ORIGINS: dict[str, str | None] = {}  # where each lazily loaded module is installed (reading it would load it)


def _on_first_use(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    ORIGINS[name] = spec.origin
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


libcst = _on_first_use("libcst")


def load_now() -> None:
    """Load libcst (and the parts a worker needs) in this process, before it forks workers."""
    libcst.Module  # noqa: B018 (an attribute read is what loads a lazy module)
