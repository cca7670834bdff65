"""``.airflowignore``: the files in the dags folder that the scheduler does not load as DAG files.

Airflow reads a ``.airflowignore`` in the dags folder and in any folder below it; its patterns
apply to that folder and everything under it, matched against the path relative to the folder
the file sits in, and a matching folder is skipped whole. ``#`` starts a comment. Two syntaxes
(``[core] dag_ignore_file_syntax``): ``regexp`` (Airflow 2's default), each line a regular
expression searched for in that relative path, and ``glob`` (Airflow 3's), gitignore's
wildcards with ``!`` to take a file back. The ``dag-ignore-file-syntax`` key says which; by
default it is ``glob`` when a DAG file imports ``airflow.sdk`` (Airflow 3), else ``regexp``.

Patterns are read as data (a regular expression Python cannot compile is skipped, as Airflow
skips it), and gitignore matching is pathspec's, the library Airflow itself uses.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from airflow_etiquette.config import Config

IGNORE_FILE = ".airflowignore"
_COMMENT = re.compile(r"\s*#.*")


class AirflowIgnore:
    """The ``.airflowignore`` files of a dags folder, by the folder (relative to the root) each
    sits in, and whether a path is ignored under them."""

    def __init__(self, files: Mapping[str, bytes], syntax: str) -> None:
        self.syntax = syntax
        self._rules: dict[str, Callable[[str], bool]] = {
            folder: _compile(data.decode("utf-8", "replace"), syntax) for folder, data in files.items()
        }

    def __bool__(self) -> bool:
        return bool(self._rules)

    def ignored(self, relpath: str) -> bool:
        """Whether the scheduler skips ``relpath`` (relative to the root): it, or a folder on the
        way to it, matches the patterns of a ``.airflowignore`` above it."""
        if not self._rules:
            return False
        parts = relpath.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            matches = self._rules.get(folder)
            if matches is None:
                continue
            for end in range(depth + 1, len(parts) + 1):
                below = "/".join(parts[depth:end])
                if matches(below if end == len(parts) else below + "/"):
                    return True
        return False


def _compile(text: str, syntax: str) -> Callable[[str], bool]:
    lines = [_COMMENT.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if syntax == "glob":
        import pathspec

        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        return lambda path: bool(spec.match_file(path))
    patterns = []
    for line in lines:
        with contextlib.suppress(re.error):
            patterns.append(re.compile(line))
    return lambda path: any(p.search(path.rstrip("/")) for p in patterns)


def on_disk(config: Config) -> AirflowIgnore:
    """The work tree's ``.airflowignore`` files (folders are walked without following links)."""
    files: dict[str, bytes] = {}
    dags = config.dags_path
    for current, dirnames, filenames in os.walk(dags, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if IGNORE_FILE in filenames:
            path = Path(current, IGNORE_FILE)
            if not path.is_symlink():
                with contextlib.suppress(OSError):
                    files[Path(current).relative_to(config.root).as_posix()] = path.read_bytes()[:1_000_000]
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
    files = {posixpath.dirname(path): contents[blob][:1_000_000] for path, blob in blobs.items() if blob in contents}
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
            if name.endswith(".py"):
                with contextlib.suppress(OSError), open(os.path.join(current, name), "rb") as handle:
                    if b"airflow.sdk" in handle.read(1_000_000):
                        return True
    return False
