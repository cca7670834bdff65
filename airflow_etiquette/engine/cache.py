"""Per-file results kept between runs: an unchanged file is not parsed again.

A result depends on the file's bytes and path and on everything that can change what the rules
say about them: this tool's version, the versions of libcst, sqlglot and Python, the
configuration, the set of owners and what the run collects. The first two make an entry's key;
the rest make the name of the file the entries live in, so a change of configuration or of the
owner set starts a fresh file and never mixes results. Results that depend on the machine (a
time limit reached, a crashed parser) are not kept.

The folder sits in the repository root by default (``.airflow-etiquette-cache``, with a
``.gitignore`` of ``*`` as ruff keeps its ``.ruff_cache``), so ``actions/cache`` can carry it
between CI runs. It is data, never code: JSON of our own result types, rebuilt from an allowlist
(unpickling a file an attacker can place would run their code). Trust: a cache that the checked
repository itself tracks, or that a change adds, could claim a file clean; such a cache is not
read, and the run says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import importlib.util
import json
import os
import posixpath
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

try:  # hashlib loads OpenSSL for its other digests at import (3 ms of a warm run); blake2b is built in
    from _blake2 import blake2b
except ImportError:  # an interpreter without CPython's module
    from hashlib import blake2b

from airflow_etiquette import __version__
from airflow_etiquette.analysis.facts import DagFacts, FileFacts
from airflow_etiquette.analysis.lazy import ORIGINS
from airflow_etiquette.config import Config
from airflow_etiquette.engine.analyze import FileResult, Settings
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.analysis_failed import AnalysisFailed
from airflow_etiquette.sources.files import SourceFile
from airflow_etiquette.sources.git import GitError, GitMissing, git

FORMAT = 1  # bumped when the layout of the cache file changes
MAX_ENTRIES = 50_000  # beyond this, only the entries the last run used are kept
MAX_CONTEXTS = 8  # cache files (one per set of settings) kept in the folder
_RECORDS: dict[str, type[Any]] = {"DagFacts": DagFacts, "FileFacts": FileFacts, "FileResult": FileResult}


class ResultCache:
    def __init__(self, path: Path, entries: dict[str, Any]) -> None:
        self.path = path
        self._entries = entries
        self._used: set[str] = set()
        self._added = 0

    @staticmethod
    def key(file: SourceFile, data: bytes) -> str:
        digest = blake2b(digest_size=20)
        parts = (
            file.relpath.encode("utf-8", "surrogateescape"),
            (file.owner or "").encode(),
            bytes([file.dag_file]),
            data,
        )
        for part in parts:
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        return digest.hexdigest()

    def get(self, key: str) -> FileResult | None:
        stored = self._entries.get(key)
        if stored is None:
            return None
        try:
            result = _decode(stored)
        except (Exception, RecursionError):
            return None  # an entry of another shape: analyse the file again
        if not (
            isinstance(result, FileResult)
            and isinstance(result.findings, list)
            and all(isinstance(f, Finding) for f in (*result.findings, *result.silenced))
            and isinstance(result.silenced, tuple)
            and isinstance(result.collected, dict)
            and (result.facts is None or isinstance(result.facts, FileFacts))
        ):
            return None
        self._used.add(key)
        return result

    def put(self, key: str, result: FileResult) -> None:
        if any(finding.code == AnalysisFailed.code for finding in result.findings):
            return  # a time limit or a crash says as much about the machine as about the file
        if result.depends:
            return  # it also depends on the owner's modules it imports: analysed afresh each time
        try:
            self._entries[key] = _encode(result)
        except TypeError:
            return  # a rule collected something the cache cannot hold: the file is analysed each time
        self._used.add(key)
        self._added += 1

    def save(self) -> None:
        """Write the entries back (atomically) if the run added any; a cache that cannot be
        written costs the next run its speed, never this run its result."""
        if not self._added:
            return
        entries = self._entries
        if len(entries) > MAX_ENTRIES:
            entries = {key: value for key, value in entries.items() if key in self._used}
        with contextlib.suppress(OSError):
            _prepare(self.path.parent)
            import tempfile  # only a run that writes the cache needs it (a warm one writes nothing)

            descriptor, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.path.parent)
            try:
                with open(descriptor, "w", encoding="utf-8") as handle:
                    json.dump({"format": FORMAT, "entries": entries}, handle, separators=(",", ":"))
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            _prune(self.path.parent)


def open_cache(config: Config, settings: Settings, changed: Iterable[str] = ()) -> tuple[ResultCache | None, str]:
    """The cache for this run's settings, or None and why not.

    ``changed`` are the paths a change touches: a change that writes into the cache folder
    could claim its own files clean, so then the cache is not read; nor is a cache the
    repository tracks, one reached through a symlink, or one git cannot vouch for."""
    refused = (
        "the result cache {where} was not used: {why} (a cache is the tool's own record, never the "
        "repository's; keep it untracked, as its .gitignore says)"
    )
    try:
        folder, relative = _location(config)
    except (OSError, RuntimeError, ValueError) as exc:  # a loop, ~nosuchuser, a name the OS refuses
        return None, refused.format(where=config.cache_dir, why=f"its folder cannot be used ({exc})")
    if relative is not None:
        if any(path == relative or path.startswith(relative + "/") for path in changed):
            return None, refused.format(where=relative + "/", why="the change touches it")
        why = _untrusted(config.root, relative)
        if why:
            return None, refused.format(where=relative + "/", why=why)
    path = folder / f"v{FORMAT}" / f"{_context(config, settings)}.json"
    entries: dict[str, Any] = {}
    try:
        if not path.is_symlink():
            with open(path, encoding="utf-8") as handle:
                stored = json.load(handle)
            if isinstance(stored, dict) and stored.get("format") == FORMAT and isinstance(stored.get("entries"), dict):
                entries = stored["entries"]
    except (OSError, ValueError, RecursionError, MemoryError):
        entries = {}  # missing, or not ours to read: start afresh
    return ResultCache(path, entries), ""


def _location(config: Config) -> tuple[Path, str | None]:
    """The cache folder, and its path relative to the root when it is inside it (None: outside,
    which only an absolute cache-dir may be)."""
    configured = Path(config.cache_dir).expanduser()
    if configured.is_absolute():
        folder = configured
        try:
            return folder, folder.resolve().relative_to(config.root.resolve()).as_posix()
        except ValueError:
            return folder, None
    folder = config.root / configured
    relative = PurePosixPath(*configured.parts)
    if ".." in relative.parts:
        raise ValueError("a relative cache-dir must stay below the repository root")
    return folder, relative.as_posix()


def _untrusted(root: Path, relative: str) -> str:
    """Why a cache folder inside the root cannot be trusted, or "" when it can."""
    current = root
    for part in PurePosixPath(relative).parts:
        current = current / part
        if current.is_symlink():
            return f"{current.relative_to(root).as_posix()} is a symlink"
    try:
        tracked = git(root, "--literal-pathspecs", "ls-files", "-z", "--", relative).strip("\0")
    except GitMissing:
        return ""  # no git: nothing can be tracked
    except GitError as exc:
        if "not a git repository" in str(exc):
            return ""
        return f"git could not say whether it is tracked ({exc})"
    return "the repository tracks it" if tracked else ""


def _prepare(folder: Path) -> None:
    """The cache's own folder, marked as a cache for git and for backup tools, as ruff marks its
    own (inside the versioned subfolder: a cache-dir the user names may hold other things)."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Made by airflow-etiquette: its result cache, never to be committed.\n*\n")
    tag = folder / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# The result cache of airflow-etiquette.\n")


def _prune(folder: Path, keep: int = MAX_CONTEXTS) -> None:
    """Keep the cache files of the most recent settings only (each new configuration, owner set
    or version of the tool starts one)."""
    with contextlib.suppress(OSError):
        files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink()


def _context(config: Config, settings: Settings) -> str:
    """What, besides a file's own bytes and path, decides its result."""
    values = {
        field.name: getattr(config, field.name)
        for field in dataclasses.fields(config)
        # Derived fields (compiled patterns) are named by what they are built from; given is provenance.
        if field.name not in ("root", "source", "policy_revision", "cache_dir", "timeout", "given")
        and not field.name.startswith("_")
    }
    parts = {
        "tool": [__version__, _code_fingerprint()],
        "python": sys.version,
        "libraries": [_version(name) for name in ("libcst", "sqlglot", "croniter")],
        # ETQ601 counts the runs up to today: a result holds for the day it was computed on
        "today": datetime.date.today().isoformat(),
        "config": _plain(values),
        "owners": sorted(settings.known_owners),
        "collect": sorted(settings.collect),
        "facts": settings.collect_facts,
        "rules": settings.run_rules,
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


@functools.cache
def _code_fingerprint() -> str:
    """This package's modules by content: an edited rule (in a checkout, before any new version
    number) must not be answered by results of the code before the edit, and two installs of the
    same code (a fresh virtualenv in each CI run) share their results."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    modules: list[tuple[str, str]] = []
    # os.walk and plain reads, not Path.rglob: a third of the cost, on every cached run
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        relative = os.path.relpath(folder, package).replace(os.sep, "/")
        modules += [
            (posixpath.normpath(f"{relative}/{name}"), os.path.join(folder, name))
            for name in names
            if name.endswith(".py")
        ]
    digest = blake2b(digest_size=16)
    for relative, path in sorted(modules):
        with contextlib.suppress(OSError), open(path, "rb") as handle:
            digest.update(relative.encode())
            digest.update(handle.read())
    return digest.hexdigest()


def _version(name: str) -> str:
    """A library's version, read from its own files by content (its ``__init__`` and, where it has
    one, ``_version.py``), without importing it: importlib.metadata costs 0.08 s to import, and
    reading libcst's ``__spec__`` would load the lazily imported module."""
    try:
        if name in ORIGINS:
            origin = ORIGINS[name]
        else:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec is not None else None
        if origin is None:
            return "none"
        digest = blake2b(digest_size=16)
        for path in (Path(origin), Path(origin).with_name("_version.py")):
            with contextlib.suppress(OSError):
                digest.update(path.read_bytes())
        return digest.hexdigest()
    except (ImportError, ValueError):
        return "none"


def _plain(value: Any) -> Any:
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    return value


def _encode(value: Any) -> Any:
    """Our result types as JSON, tagged so that tuples, records and findings come back as such."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Finding):
        return {
            "F": [value.path, value.line, value.column, value.code, value.name, value.severity.value, value.message]
        }
    if isinstance(value, tuple) and type(value).__name__ in _RECORDS and type(value) is _RECORDS[type(value).__name__]:
        return {"R": type(value).__name__, "v": [_encode(v) for v in value]}
    if isinstance(value, tuple):
        return {"T": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"D": {k: _encode(v) for k, v in value.items()}}
    raise TypeError(f"cannot keep a {type(value).__name__} in the cache")


def _positive(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "F" in value:
        path, line, column, code, name, severity, message = value["F"]
        if not (all(isinstance(v, str) for v in (path, code, name, message)) and _positive(line) and _positive(column)):
            raise ValueError("not a finding")
        return Finding(path, line, column, code, name, Severity(severity), message)
    if "R" in value:
        return _RECORDS[value["R"]](*(_decode(v) for v in value["v"]))
    if "T" in value:
        return tuple(_decode(v) for v in value["T"])
    if "D" in value and isinstance(value["D"], dict):
        return {k: _decode(v) for k, v in value["D"].items()}
    raise ValueError("unknown entry")
