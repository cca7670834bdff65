"""``.airflowignore``: the files in the dags folder that the scheduler does not load as DAG files.

Airflow reads a ``.airflowignore`` in the dags folder and in any folder below it; its patterns
apply to that folder and everything under it, matched against the path relative to the folder
the file sits in, and a matching folder is skipped whole. ``#`` starts a comment. Two syntaxes
(``[core] dag_ignore_file_syntax``): ``regexp`` (Airflow 2's default), each line a regular
expression searched for in that relative path, and ``glob`` (Airflow 3's), gitignore's
wildcards with ``!`` to take a file back. The ``dag-ignore-file-syntax`` key says which; by
default it is ``glob`` when a DAG file imports ``airflow.sdk`` (Airflow 3), else ``regexp``.

Patterns are read as data (a regular expression Python cannot compile is skipped, as Airflow
skips it), and gitignore matching is pathspec's, the library Airflow itself uses. Matching runs
in the reporting process under a time limit (``limits``): a pattern that backtracks for hours on a
long name (``(a+)+$``) stalls the scheduler's walk of the dags folder just the same, so its file
is given up (``given_up``: none of its patterns is applied, and the run says why), not waited for.
"""

from __future__ import annotations

import contextlib
import functools
import os
import posixpath
import re
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from airflow_etiquette.config import Config
from airflow_etiquette.limits import PATTERN_SECONDS, TooSlow, within

IGNORE_FILE = ".airflowignore"
SEARCH_SECONDS = 4 * PATTERN_SECONDS  # CPU time spent looking for the one slow line of a file
READ_LIMIT = 1_000_000  # bytes of an .airflowignore, and of a DAG file looked through for airflow.sdk


# The files given up in this process, by (folder, syntax, content), and why: a program that runs
# on (the language server) reads them again for every check, and is not made to wait again.
_GIVEN_UP: dict[tuple[str, str, bytes], str] = {}


class AirflowIgnore:
    """The ``.airflowignore`` files of a dags folder, by the folder (relative to the root) each
    sits in, and whether a path is ignored under them."""

    def __init__(self, files: Mapping[str, bytes], syntax: str) -> None:
        self.syntax = syntax
        self._files = files
        self._lines = {folder: _lines(data.decode("utf-8", "replace")) for folder, data in files.items()}
        self._rules: dict[str, Callable[[str], bool]] = {
            folder: _compile(lines, syntax) for folder, lines in self._lines.items()
        }
        # (the .airflowignore, why its patterns are not applied): one per file, in the order found
        self.given_up: dict[str, str] = {}
        for folder, data in files.items():
            why = _GIVEN_UP.get((folder, syntax, data))
            if why is not None:  # (given up before in this process: not waited for again)
                self._rules.pop(folder, None)
                self.given_up[f"{folder}/{IGNORE_FILE}"] = why

    def __bool__(self) -> bool:
        return bool(self._rules)

    def ignored(self, relpath: str) -> bool:
        """Whether the scheduler skips ``relpath`` (relative to the root): it, or a folder on the
        way to it, matches the patterns of a ``.airflowignore`` above it."""
        while self._rules:
            try:  # (slow twice in a row, not once by chance: then one file fewer, and again)
                return within(functools.partial(self._ignored, relpath), tries=2)
            except TooSlow:
                self._give_up(relpath)
        return False

    def _give_up(self, relpath: str) -> None:
        """Drop the ``.airflowignore`` above ``relpath`` whose pattern is too slow to match it (or a
        part of it), saying which line; where no line is slow alone, the nearest file."""
        folders = [folder for folder, _ in _candidates(relpath) if folder in self._rules]
        started = time.process_time()
        for folder, below in _candidates(relpath):
            for number, line in self._lines.get(folder, ()) if folder in self._rules else ():
                if time.process_time() - started > SEARCH_SECONDS:
                    break  # (many lines each just under the limit: the search for one is bounded too)
                try:
                    within(functools.partial(_compile([(number, line)], self.syntax), below))
                except TooSlow:
                    self._drop(
                        folder, f"line {number}, {line[:80]!r}, takes over {PATTERN_SECONDS:g} s to match {below}"
                    )
                    return
        if not folders:  # (the limit fired after the last match: nothing to blame)
            folders = list(self._rules)
        self._drop(folders[-1], f"its patterns take over {PATTERN_SECONDS:g} s to match {relpath}")

    def _drop(self, folder: str, why: str) -> None:
        self._rules.pop(folder, None)
        said = (
            f"its patterns are not applied: {why} (a pattern that backtracks, like (a+)+$); the scheduler "
            "stalls on it the same way when it lists the dags folder"
        )
        self.given_up[f"{folder}/{IGNORE_FILE}"] = said
        if len(_GIVEN_UP) >= 64:
            _GIVEN_UP.clear()
        _GIVEN_UP[(folder, self.syntax, self._files[folder])] = said

    def _ignored(self, relpath: str) -> bool:
        for folder, below in _candidates(relpath):
            matches = self._rules.get(folder)
            if matches is not None and matches(below):
                return True
        return False


def _candidates(relpath: str) -> Iterator[tuple[str, str]]:
    """(folder, the path below it) for each folder on the way to ``relpath`` and each step below
    it: a folder's patterns see ``sub/`` (a folder, skipped whole) and ``sub/file.py``."""
    parts = relpath.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        for end in range(depth + 1, len(parts) + 1):
            below = "/".join(parts[depth:end])
            yield folder, below if end == len(parts) else below + "/"


def _lines(text: str) -> list[tuple[int, str]]:
    """(line number, pattern) of each line that holds one: ``#`` to the end of the line is a
    comment (Airflow's ``\\s*#.*``, cut at the first ``#`` rather than searched for at every
    blank, which is quadratic on a long run of them)."""
    lines = [(number, line.partition("#")[0].strip()) for number, line in enumerate(text.splitlines(), 1)]
    return [(number, line) for number, line in lines if line]


def _compile(lines: list[tuple[int, str]], syntax: str) -> Callable[[str], bool]:
    if syntax == "glob":
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines([line for _, line in lines])
        return lambda path: bool(spec.match_file(path))
    patterns = []
    for _, line in lines:
        with contextlib.suppress(re.error):
            patterns.append(re.compile(line))
    return lambda path: any(p.search(path.rstrip("/")) for p in patterns)


def on_disk(config: Config) -> AirflowIgnore:
    """The work tree's ``.airflowignore`` files (folders are walked without following links)."""
    files: dict[str, bytes] = {}
    dags = config.dags_path
    for current, dirnames, filenames in os.walk(dags, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if IGNORE_FILE in filenames and (data := _regular_file(os.path.join(current, IGNORE_FILE))) is not None:
            files[Path(current).relative_to(config.root).as_posix()] = data
    if not files:
        return AirflowIgnore({}, "regexp")
    return AirflowIgnore(files, _syntax(config, lambda: _sdk_on_disk(dags)))


def in_revision(config: Config, revision: str) -> AirflowIgnore:
    """The ``.airflowignore`` files of a commit (a change's base: the change's own edits to them
    are changes like any other, never the rules it is judged by), read from git objects."""
    from airflow_etiquette.sources.git import GitError, blob_contents, git, tree_entries

    dags = config.dags_folder
    entries = tree_entries(config.root, revision, dags)
    blobs = {
        path: blob
        for path, (mode, blob) in entries.items()
        if posixpath.basename(path) == IGNORE_FILE and mode.startswith("100")
    }
    contents = blob_contents(config.root, blobs.values())
    files = {posixpath.dirname(path): contents[blob][:READ_LIMIT] for path, blob in blobs.items() if blob in contents}
    if not files:
        return AirflowIgnore({}, "regexp")

    def uses_airflow_3() -> bool:
        try:
            git(config.root, "grep", "-q", "-F", "airflow.sdk", revision, "--", f"{dags}/*.py")
            return True
        except GitError:
            return False

    return AirflowIgnore(files, _syntax(config, uses_airflow_3))


def _syntax(config: Config, uses_airflow_3: Callable[[], bool]) -> str:
    if config.dag_ignore_file_syntax != "auto":
        return config.dag_ignore_file_syntax
    return "glob" if uses_airflow_3() else "regexp"


def _sdk_on_disk(dags: Path) -> bool:
    for current, dirnames, filenames in os.walk(dags, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".py") and b"airflow.sdk" in (_regular_file(os.path.join(current, name)) or b""):
                return True
    return False


def _regular_file(path: str) -> bytes | None:
    """The first ``READ_LIMIT`` bytes of ``path`` if it is a regular file itself: not a symlink
    (whose target may be outside the repository), and not a named pipe or a device, which an
    open() in blocking mode would wait on forever."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with open(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return None
            return handle.read(READ_LIMIT)
        except OSError:
            return None
