"""Constants imported from the owner's own modules, read statically.

The scheduler puts the dags folder on ``sys.path``, so students share code inside their own
folder: ``from maria.common import SCHEMA``, ``from dags.maria.common import TAGS`` (the
repository root on the path), and ``from common import TAGS`` beside the DAG (what works on a
laptop). A name imported so is looked up in that module, parsed like any DAG file (never
imported), and resolved there: its module-level assignments, with its own ``__file__``. Only
modules inside the importing file's owner folder are read (another owner's code is ETQ501's),
each once per process; an import cycle or a module that is not there stays unknown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from airflow_etiquette.analysis.values import Unknown, Values

if not TYPE_CHECKING:
    from airflow_etiquette.analysis.lazy import libcst as cst

if TYPE_CHECKING:
    import libcst as cst

    from airflow_etiquette.analysis.model import ModuleIndex
    from airflow_etiquette.analysis.resolve import Resolver

MAX_CHAIN = 8  # modules importing modules, at most


class OwnerModules:
    """The modules of one owner's folder, as one file of it imports them."""

    def __init__(self, read: Callable[[str], bytes | None], dags_folder: str, owner_folder: str, relpath: str) -> None:
        self._read = read  # relpath -> bytes, or None when there is no such file
        self._dags = tuple(dags_folder.split("/"))
        self._owner_folder = owner_folder  # "dags/maria"
        self._here = relpath.rsplit("/", 1)[0]
        self._resolvers: dict[str, Resolver | None] = {}
        self._active: set[str] = set()  # "module:NAME" being resolved: a cycle stays unknown
        self.read_paths: set[str] = set()  # what the result depends on, besides the file itself

    def values(self, qualname: str) -> Values | None:
        """What ``module.NAME`` is, when ``module`` is one of the owner's and defines ``NAME``."""
        located = self._locate(qualname)
        if located is None:
            return None
        resolver, relpath, name = located
        key = f"{relpath}:{name}"
        found = resolver.index.module_scope.lookup(name)
        if found is None or key in self._active or len(self._active) >= MAX_CHAIN:
            return (Unknown(qualname),)  # not defined there, or an import cycle
        self._active.add(key)
        try:
            bindings, scope = found
            return tuple(value for binding in bindings for value in resolver.binding_values(binding, scope, name))
        finally:
            self._active.discard(key)

    def function(self, qualname: str) -> tuple[Resolver, cst.FunctionDef] | None:
        """The function ``module.NAME`` of one of the owner's modules (a factory, a helper), with
        the resolver of its module."""
        located = self._locate(qualname)
        if located is None:
            return None
        resolver, _, name = located
        found = resolver.index.module_scope.lookup(name)
        if found is None or len(found[0]) != 1 or found[0][0].kind != "def":
            return None
        node = found[0][0].node
        return (resolver, node) if isinstance(node, cst.FunctionDef) else None

    def has_module(self, dotted: str) -> bool:
        """Whether ``dotted`` (or its package) is a module of the repository where the scheduler's
        ``sys.path`` or a laptop finds it: in the dags folder, beside the importing file, in
        ``plugins/`` (Airflow puts its plugins folder on the path) or at the repository root; for a
        dags folder below the root (``airflow/dags``), also in the plugins folder beside it and in
        its parent, the Airflow home. The paths looked at become what the result depends on."""
        parts = dotted.split(".")
        dags = list(self._dags)
        inside = parts[len(dags) :] if parts[: len(dags)] == dags and len(parts) > len(dags) else parts
        home = "/".join(dags[:-1])
        places = [("/".join(dags), inside), (self._here, parts), ("plugins", parts), ("", parts)]
        if home:
            places += [(f"{home}/plugins", parts), (home, parts)]
        for folder, names in places:
            for end in range(len(names), 0, -1):
                base = "/".join([folder, *names[:end]]) if folder else "/".join(names[:end])
                for candidate in (f"{base}.py", f"{base}/__init__.py"):
                    self.read_paths.add(candidate)
                    if self._read(candidate) is not None:
                        return True
        return False

    def _locate(self, qualname: str) -> tuple[Resolver, str, str] | None:
        """The resolver of the owner's module that ``module.NAME`` names, its path, and NAME."""
        module, _, name = qualname.rpartition(".")
        if not module:
            return None
        for relpath in self._candidates(module.split(".")):
            resolver = self._resolver(relpath)
            if resolver is not None:
                return resolver, relpath, name
        return None

    def _candidates(self, parts: list[str]) -> list[str]:
        dags = list(self._dags)
        inside = parts[len(dags) :] if parts[: len(dags)] == dags else parts
        bases = ["/".join(dags + inside), "/".join([self._here, *parts])]
        return [
            candidate
            for base in dict.fromkeys(bases)
            for candidate in (f"{base}.py", f"{base}/__init__.py")
            if candidate.startswith(self._owner_folder + "/")
        ]

    def _resolver(self, relpath: str) -> Resolver | None:
        if relpath not in self._resolvers:
            self._resolvers[relpath] = self._load(relpath)
        return self._resolvers[relpath]

    def _load(self, relpath: str) -> Resolver | None:
        from airflow_etiquette.analysis.resolve import Resolver

        data = self._read(relpath)
        if data is None:
            return None
        self.read_paths.add(relpath)
        index = _parsed(relpath, data)
        return Resolver(index, relpath, self) if index is not None else None


@functools.lru_cache(maxsize=64)
def _parsed(relpath: str, data: bytes) -> ModuleIndex | None:
    """A module's index, parsed once per process for all the files of its owner that import it."""
    from airflow_etiquette.analysis.model import build_index
    from airflow_etiquette.analysis.parse import BeyondParser, Unparsable, parse_module

    try:
        return build_index(parse_module(data, relpath))
    except (Unparsable, BeyondParser, RecursionError):
        return None  # its own check reports it


class ModuleSource(NamedTuple):
    """Where a worker reads the owner's modules from: the work tree (``revision`` None), or git
    (``revision`` a commit, or "" for the index), where ``paths`` lists the modules there."""

    root: str
    revision: str | None = None
    paths: frozenset[str] = frozenset()
    limit: int = 5 * 1024 * 1024


def reader(source: ModuleSource) -> Callable[[str], bytes | None]:
    """A function that reads a module by its path from the root, or says there is none; never a
    file outside the root (a symlink out is no module), never more than the size limit."""
    import os

    if source.revision is not None:
        from airflow_etiquette.sources.git import GitError, blob_contents

        def from_git(relpath: str) -> bytes | None:
            if relpath not in source.paths:
                return None
            try:
                found = blob_contents(Path(source.root), [f"{source.revision}:{relpath}"])
            except GitError:
                return None
            data = next(iter(found.values()), None)
            return data if data is not None and len(data) <= source.limit else None

        return from_git

    real_root = os.path.realpath(source.root)

    def from_disk(relpath: str) -> bytes | None:
        path = os.path.join(source.root, relpath)
        if not os.path.isfile(path):  # one stat; most names looked up are no module of the owner's
            return None
        real = os.path.realpath(path)
        if not real.startswith(real_root + os.sep) or not os.path.isfile(real):
            return None
        try:
            with open(real, "rb") as handle:
                data = handle.read(source.limit + 1)
        except OSError:
            return None
        return data if len(data) <= source.limit else None

    return from_disk
