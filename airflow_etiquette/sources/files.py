"""Discovery: which files are DAG-folder files, and who owns each of them.

The owner of a file is the first directory below the dags folder
(``dags/<owner>/...``, at any depth). Files directly in the dags folder belong
to no one (the teacher's class DAGs) and owner rules skip them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from airflow_etiquette.config import Config, ConfigError

if TYPE_CHECKING:
    from airflow_etiquette.sources.airflowignore import AirflowIgnore

SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules"})
# What the scheduler loads or runs from the dags folder: Python, zip bundles of Python, and
# shell scripts (what a bash_command runs).
CHECKED_SUFFIXES = (".py", ".zip", ".sh", ".bash", ".sql")


class SourceFile(NamedTuple):
    """A file to check: where it is on disk, how it is named in output, who owns it."""

    path: str  # absolute, as found (symlinks not resolved)
    relpath: str  # relative to the repository root, "/" separators
    owner: str | None
    content: bytes | None = None  # what to check instead of the file on disk (a staged version)
    dag_file: bool = True  # False: .airflowignore says the scheduler does not load it as a DAG file


class Discovery(NamedTuple):
    files: tuple[SourceFile, ...]
    outside: tuple[str, ...]  # named files and directories that are not in the dags folder
    excluded: tuple[str, ...] = ()  # named files in it that the configuration's exclude leaves out
    given_up: tuple[tuple[str, str], ...] = ()  # (an .airflowignore, why its patterns are not applied)


def owner_of(relpath: str, config: Config) -> str | None:
    """The owner of ``relpath`` (relative to the root), or None outside owner directories."""
    parts = relpath.split("/")
    folder = [p for p in config.dags_folder.split("/") if p]
    if parts[: len(folder)] != folder:
        return None
    below = parts[len(folder) :]
    return below[0] if len(below) >= 2 else None


def in_dags_folder(relpath: str, config: Config) -> bool:
    folder = [p for p in config.dags_folder.split("/") if p]
    return relpath.split("/")[: len(folder)] == folder


def known_owners(config: Config) -> frozenset[str]:
    """Every owner directory in the dags folder (one directory listing)."""
    try:
        with os.scandir(config.dags_path) as entries:
            return frozenset(
                e.name
                for e in entries
                if not e.name.startswith(".") and e.name not in SKIPPED_DIRECTORIES and e.is_dir()
            )
    except OSError:
        return frozenset()


def relative_to_root(path: Path, root: Path) -> str | None:
    """``path`` relative to ``root`` with ``/`` separators, or None if it is outside."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        pass
    try:  # the root may have been reached through a symlink
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return None


def discover(paths: Sequence[Path], config: Config, ignore: AirflowIgnore | None = None) -> Discovery:
    """The files to check under ``paths`` (the dags folder when empty), sorted; which of them are
    DAG files, by the dags folder's ``.airflowignore`` files (``ignore``: read already).

    Directories are walked without following directory symlinks, so a symlink
    loop cannot trap the walk. Only files inside the dags folder are checked:
    pre-commit hands over every staged Python file, and tests or scripts
    elsewhere are not DAG files.
    """
    if not paths:
        if not config.dags_path.is_dir():
            where = (
                f"set dags-folder in {config.source.name}"
                if config.source
                else "run it in the Airflow project's folder, give that folder as a path, or set dags-folder"
            )
            raise ConfigError(f"no dags folder at {config.dags_path} ({where})")
        paths = [config.dags_path]
    found: dict[str, SourceFile] = {}
    outside: list[str] = []
    excluded: list[str] = []
    from airflow_etiquette.sources import airflowignore

    if ignore is None:
        ignore = airflowignore.on_disk(config) if config.dags_path.is_dir() else None
    for given in paths:
        try:
            os.lstat(given)
        except PermissionError:
            pass  # in a folder that cannot be read: checked as a file, which says so (ETQ002)
        except OSError:
            raise ConfigError(f"no such file or directory: {given}") from None
        if os.path.isdir(given):
            # Only the dags folder holds DAG files: walk the part of it below ``given``, not a
            # whole repository with its virtualenvs and data.
            directory, dags = given.resolve(), config.dags_path.resolve()
            start = dags if dags.is_relative_to(directory) else directory if directory.is_relative_to(dags) else None
            if start is None or not os.path.isdir(config.dags_path):  # (no dags folder: nothing is a DAG file)
                outside.append(str(given))
            else:
                for file_path in _walk(given if start == directory else config.dags_path):
                    _add(file_path, config, found, None)
        else:
            rel = relative_to_root(given, config.root)
            if rel is not None and in_dags_folder(rel, config) and config.is_excluded(rel):
                excluded.append(rel)
            else:
                _add(given, config, found, outside)
    files = sorted(found.values(), key=lambda f: f.relpath)
    if ignore:
        files = [f._replace(dag_file=not ignore.ignored(f.relpath)) for f in files]
    given_up = tuple(ignore.given_up.items()) if ignore is not None else ()
    return Discovery(tuple(files), tuple(outside), tuple(excluded), given_up)


def source_files(
    relpaths: Iterable[str], config: Config, ignore: AirflowIgnore | None = None
) -> tuple[SourceFile, ...]:
    """Files named relative to the root that may not exist on disk (a staged or committed
    version is read instead): the same dags-folder and exclude filters as ``discover``, and
    ``ignore`` (the base's ``.airflowignore`` files) marks the ones that are no DAG files."""
    return tuple(
        SourceFile(str(config.root / rel), rel, owner_of(rel, config), dag_file=not (ignore and ignore.ignored(rel)))
        for rel in sorted(set(relpaths))
        if in_dags_folder(rel, config) and not config.is_excluded(rel)
    )


def _walk(directory: Path) -> Iterable[Path]:
    """The files to check below ``directory``, and each folder below it that cannot be listed
    (checked as a file, it is reported as unread rather than passed over in silence)."""
    unlisted: list[OSError] = []
    for current, dirnames, filenames in os.walk(directory, followlinks=False, onerror=unlisted.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIPPED_DIRECTORIES)
        for name in sorted(filenames):
            if name.endswith(CHECKED_SUFFIXES):
                yield Path(current, name)
        while unlisted:
            yield from _unlisted(unlisted.pop())
    for error in unlisted:  # the folder given itself
        yield from _unlisted(error)


def _unlisted(error: OSError) -> Iterable[Path]:
    """The folder a walk could not list, if it is there (a folder that does not exist is nothing)."""
    if error.filename is not None and not isinstance(error, FileNotFoundError):
        yield Path(os.fsdecode(error.filename))


def _add(path: Path, config: Config, found: dict[str, SourceFile], outside: list[str] | None) -> None:
    rel = relative_to_root(path, config.root)
    if rel is None or not in_dags_folder(rel, config) or config.is_excluded(rel):
        if outside is not None:
            outside.append(str(path))
        return
    found.setdefault(rel, SourceFile(os.path.abspath(path), rel, owner_of(rel, config)))
