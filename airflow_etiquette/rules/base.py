"""What a rule is: its code, name, documentation and examples together, and the scope it looks at.

A rule declares its scope by its base class, and the engine feeds it what that scope needs:

- ``FileRule``: one analysed file (a ``FileContext``); yields ``Report``s that the engine places
  on lines and passes through ``# noqa``.
- ``RepositoryRule``: every file. ``collect`` runs in the worker next to the file rules and
  returns a small picklable fact; ``check`` then sees the facts of every file (``RepositoryView``).
- ``ChangeRule``: a change set and its author (``ChangeView``); ``check_tree`` optionally looks
  at the tree as it is (``TreeView``) for a check without a change.
- ``EngineRule``: reported by the engine itself (a file that cannot be parsed or analysed); the
  rule file holds the wording.

A rule never reads configuration files or formats output. Its VALID and INVALID examples run
in the test suite, and ``explain`` shows the first of each with the finding computed live, so
documentation and behaviour cannot drift apart.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal, NamedTuple

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.config import Config
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.people.authors import Author
from airflow_etiquette.people.ownership import Ownership
from airflow_etiquette.sources.files import SourceFile
from airflow_etiquette.sources.git import ChangeSet

DEFAULT_EXAMPLE_PATH = "dags/lasse/taxi_pipeline.py"
DEFAULT_EXAMPLE_OWNERS = ("lasse", "maria", "ahmed")

Scope = Literal["file", "repository", "change", "engine"]


class Example(NamedTuple):
    """A snippet of a DAG file and where it lives; INVALID ones say what is reported.

    ``expect`` lists ``(line, message)`` pairs: the rule must report exactly these lines,
    each with a message that contains the given text.
    """

    code: str
    path: str = DEFAULT_EXAMPLE_PATH
    expect: tuple[tuple[int, str], ...] = ()
    config: Mapping[str, object] = MappingProxyType({})
    owners: tuple[str, ...] = DEFAULT_EXAMPLE_OWNERS
    severity: Severity | None = None  # where the configuration (strict mode) changes the rule's default


class Link(NamedTuple):
    """A symbolic link in an example repository, pointing at ``target``."""

    target: str


class Submodule(NamedTuple):
    """A gitlink (a submodule's commit) in an example repository."""

    commit: str = "0123456789abcdef0123456789abcdef01234567"


class RepositoryExample(NamedTuple):
    """Several files of one repository, checked as a whole (``check`` with no change).

    ``expect`` lists ``(path, line, message)``: the rule must report exactly these places.
    """

    files: Mapping[str, Any]
    expect: tuple[tuple[str, int, str], ...] = ()
    config: Mapping[str, object] = MappingProxyType({})


class ChangeExample(NamedTuple):
    """A repository (``base``, committed on main) and a change to it (``change``, committed on a
    branch by ``author``), checked as a pull request's check would (``check --base main``)."""

    base: Mapping[str, Any]
    change: Mapping[str, Any]
    author: str
    expect: tuple[tuple[str, int, str], ...] = ()
    config: Mapping[str, object] = MappingProxyType({})


AnyExample = Example | RepositoryExample | ChangeExample


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    summary: ClassVar[str]  # one line for `rules` and the README's table
    what: ClassVar[str]  # "What it does"
    why: ClassVar[str]  # "Why is this bad?"
    fix_note: ClassVar[str] = ""  # what `check --fix` does, and when the fix is unsafe; "" = no fix
    fixes_first: ClassVar[bool] = False  # its fixes go in a round of their own, before the others
    scope: ClassVar[Scope]
    VALID: ClassVar[Sequence[AnyExample]] = ()
    INVALID: ClassVar[Sequence[AnyExample]] = ()

    @classmethod
    def finding(cls, path: str, line: int, column: int, message: str, severity: Severity | None = None) -> Finding:
        """A finding of this rule."""
        return Finding(path, line, column, cls.code, cls.name, severity or cls.severity, message)


class FileRule(Rule):
    scope = "file"
    # Whether the rule also reads the lines of the shell scripts in the dags folder (what a
    # bash_command runs), as the strings they would be in a DAG file.
    reads_scripts: ClassVar[bool] = False
    reads_sql: ClassVar[bool] = False  # also reads .sql template files, statement by statement

    def check(self, file: FileContext) -> Iterator[Report]:
        """Yield a Report for every violation in ``file``."""
        return iter(())


@dataclass(frozen=True)
class RepositoryView:
    """What a repository rule sees: each file's collected fact, and how to report at a place.

    ``report_in``: for a change, only places in these files are reported (the changed ones);
    the other files are there to compare with, and the engine drops a report about them.
    ``report(rule, file, ordinal, message)`` places a finding on the file's ``ordinal``-th DAG
    definition and applies ``# noqa``. ``ownership`` (CODEOWNERS, the roster) is read on first use.
    """

    config: Config
    known_owners: frozenset[str]
    read_ownership: Callable[[], Ownership]
    facts: Sequence[tuple[SourceFile, Any]]
    report_in: Collection[str] | None
    report: Callable[[type[Rule], SourceFile, int, str], Finding | None]
    line_of: Callable[[SourceFile, int], int]  # the line of a file's ``ordinal``-th DAG definition

    @functools.cached_property
    def ownership(self) -> Ownership:
        return self.read_ownership()


class RepositoryRule(Rule):
    scope = "repository"
    in_check: ClassVar[bool] = True  # False: only `audit` and the pytest plugin run it

    def collect(self, file: FileContext) -> Any:
        """A small picklable fact about one file, gathered in the worker that analyses it."""
        return None

    def check(self, repository: RepositoryView) -> Iterator[Finding]:
        return iter(())

    @classmethod
    def screen(cls, checked: Sequence[Any]) -> Callable[[str, bytes], bool]:
        """Whether a file that a change leaves alone (its path and raw bytes) could matter to what
        this rule says about the changed files (``checked``: their collected facts), judged before
        anything parses it; built once per change, asked of every other file. Only the files for
        which some rule's screen says yes are parsed to be compared with; the default says yes to
        every file."""
        return _every_file


def _every_file(relpath: str, data: bytes) -> bool:
    return True


@dataclass(frozen=True)
class ChangeView:
    """What a change rule sees: the change, who made it (None: nobody could tell), and the
    policy it is judged by (its base's)."""

    change: ChangeSet
    config: Config
    ownership: Ownership
    author: Author | None
    new_folders: frozenset[str]  # owner folders the change creates
    new_codeowners: Mapping[str, str]  # the change's version of each CODEOWNERS file it adds or edits


@dataclass(frozen=True)
class TreeView:
    """The repository as it is on disk, for a check without a change: ``paths`` are the files and
    folders that were asked for (none: the whole dags folder)."""

    config: Config
    paths: tuple[Path, ...]


class ChangeRule(Rule):
    scope = "change"
    needs_author: ClassVar[bool] = False  # True: the engine finds out who made the change first

    def check(self, change: ChangeView) -> Iterator[Finding]:
        return iter(())

    def check_tree(self, tree: TreeView) -> Iterator[Finding]:
        return iter(())


class EngineRule(Rule):
    """Reported by the engine for a file it could not parse or analyse."""

    scope = "engine"
