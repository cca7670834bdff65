"""Configuration: where the repository root is, and what its conventions are.

Settings live in ``[tool.airflow-etiquette]`` of the repository's ``pyproject.toml``
or at the top level of a ``.airflow-etiquette.toml``. The defaults fit the class
repository, so a repository without either works with zero configuration.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from airflow_etiquette.limits import PATTERN_SECONDS, TooSlow, within

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = ".airflow-etiquette.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "airflow-etiquette"
OWNER_PLACEHOLDER = "{owner}"
DEFAULT_DAGS_FOLDER = "dags"


DEFAULT_HEAVY_IMPORTS = (
    "torch",
    "tensorflow",
    "keras",
    "sklearn",
    "transformers",
    "jax",
    "spacy",
    "xgboost",
    "lightgbm",
)


class ConfigError(Exception):
    """A configuration problem the user must fix; the message is one line."""


@dataclass(frozen=True)
class RosterEntry:
    """One owner of ``[tool.airflow-etiquette.owners]``: how to recognise them."""

    owner: str
    github: str | None = None
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """The conventions of one repository, with the class repository's defaults."""

    root: Path
    source: Path | None = None
    dags_folder: str = DEFAULT_DAGS_FOLDER
    dag_id_prefix: str = "{owner}_"
    owner_tag: str = "student:{owner}"
    schema: str = "airflow_{owner}"
    shared_connections: tuple[str, ...] = ()
    admins: frozenset[str] = frozenset()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    timeout: float = 5.0
    max_file_size_mb: float = 5.0
    roster: tuple[RosterEntry, ...] = ()
    allow_noqa: tuple[str, ...] | None = None  # codes a noqa comment may silence; None: the warnings only
    ignore_noqa: bool = False  # --ignore-noqa: every noqa comment is ignored
    strict: tuple[str, ...] = ()  # rules for which a value that cannot be decided is an error
    cache_dir: str = ".airflow-etiquette-cache"  # per-file results, relative to the root or absolute
    dag_ignore_file_syntax: str = "auto"  # .airflowignore: regexp (Airflow 2), glob (Airflow 3), auto
    # -- what the shared scheduler allows (the load rules, ETQ6xx) --
    airflow_version: str = "auto"  # "2", "3", or "auto": a file importing airflow.sdk is Airflow 3
    catchup_by_default: bool = True  # Airflow 2's [scheduler] catchup_by_default
    max_catchup_runs: int = 100
    min_schedule_interval: float = 300.0  # seconds
    heavy_imports: tuple[str, ...] = DEFAULT_HEAVY_IMPORTS
    requirements: tuple[str, ...] = ("requirements.txt",)
    # What the requirements files ask for, a requirement a line (comments, options and blank lines
    # dropped, -r includes followed), read from the same place as this configuration; None when no
    # requirements file exists (nothing to check imports against). See ``installed``.
    requirement_lines: tuple[str, ...] | None = None
    # requirements named in the configuration (not the default) of which none exists: ETQ606 is
    # then off, and the run says so rather than stopping every check a base's typo judges
    requirements_missing: bool = False
    preinstalled: tuple[str, ...] | None = None  # None: what Airflow's official image installs
    import_names: tuple[tuple[str, str], ...] = ()  # module -> distribution, beyond the built-in table
    max_active_runs: int | None = None
    max_active_tasks: int | None = None
    max_retries: int | None = None
    max_priority_weight: int | None = None
    require_timeouts: bool = False
    own_pools_only: bool = False
    baseline: str | None = None  # known findings (`check --baseline`), relative to the root
    new_template: str | None = None  # `new`: the teacher's template for a first DAG, relative to the root
    # Where CODEOWNERS and this configuration were read: None for the work tree, else a commit
    # (the base of a change, which the change itself cannot edit).
    policy_revision: str | None = None
    given: frozenset[str] = field(default=frozenset(), compare=False)  # the keys the settings file set
    _schema_pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _exclude_spec: PathPatterns = field(init=False, repr=False, compare=False)
    _ignore_specs: tuple[tuple[PathPatterns, tuple[str, ...]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        before, _, after = self.schema.partition(OWNER_PLACEHOLDER)
        pattern = re.compile(f"{re.escape(before)}(?P<owner>[A-Za-z0-9_-]+?){re.escape(after)}", re.IGNORECASE)
        object.__setattr__(self, "_schema_pattern", pattern)
        where = self.source.name if self.source else "configuration"
        object.__setattr__(self, "_exclude_spec", path_patterns(self.exclude, f"{where}: 'exclude'"))
        specs = tuple(
            (path_patterns((glob,), f"{where}: 'per-file-ignores'"), codes) for glob, codes in self.per_file_ignores
        )
        object.__setattr__(self, "_ignore_specs", specs)

    @functools.cached_property
    def installed(self) -> frozenset[str] | None:
        """The canonical names of the distributions the requirements files install; None without
        a requirements file. Parsed on first use: packaging's parser costs a run that never asks
        (the ownership hook, a run answered from the cache) a good part of its start-up."""
        return None if self.requirement_lines is None else requirement_names(self.requirement_lines)

    def prepare(self) -> None:
        """Parse now what is otherwise parsed on first use: before the configuration is copied to
        worker processes, each of which would parse it again."""
        self.installed  # noqa: B018 (reading it is what parses it)

    # -- conventions, per owner ------------------------------------------------
    def prefix_for(self, owner: str) -> str:
        return self.dag_id_prefix.replace(OWNER_PLACEHOLDER, owner)

    def tag_for(self, owner: str) -> str:
        return self.owner_tag.replace(OWNER_PLACEHOLDER, owner)

    def schema_for(self, owner: str) -> str:
        return self.schema.replace(OWNER_PLACEHOLDER, owner)

    def owner_of_schema(self, schema: str) -> str | None:
        """The owner whose schema this is by the naming convention, if any."""
        match = self._schema_pattern.fullmatch(schema)
        return match.group("owner") if match else None

    # -- rule selection --------------------------------------------------------
    def selects(self, code: str) -> bool:
        """Whether ``select`` and ``ignore`` leave rule ``code`` on (per-file ignores aside)."""
        if self.select and not any(code.startswith(sel) for sel in self.select):
            return False
        return not any(code.startswith(ign) for ign in self.ignore)

    def rule_enabled(self, code: str, path: str) -> bool:
        """Whether rule ``code`` runs on ``path`` (relative to the root)."""
        if not self.selects(code):
            return False
        for patterns, codes in self._ignore_specs:
            if any(code.startswith(c) for c in codes) and patterns(path):
                return False
        return True

    def vet_per_file_ignores(self, path: str) -> None:
        """Match ``path`` against the ``per-file-ignores`` patterns here, in the reporting process,
        before a worker does: one that backtracks is then this run's configuration error (exit 2),
        not a worker's failure on one file. (``exclude`` is matched here already, as files are found.)"""
        for patterns, _ in self._ignore_specs:
            patterns(path)

    def noqa_may_silence(self, code: str, is_warning: bool) -> bool:
        """Whether a ``# noqa`` comment may silence ``code``: the teacher's list, by default the warnings."""
        if self.ignore_noqa:
            return False
        if self.allow_noqa is None:
            return is_warning
        return any(code.startswith(allowed) for allowed in self.allow_noqa)

    def is_strict(self, code: str) -> bool:
        return any(code.startswith(strict) for strict in self.strict)

    def is_excluded(self, path: str) -> bool:
        return self._exclude_spec(path)

    @property
    def dags_path(self) -> Path:
        return self.root / self.dags_folder


PathPatterns = Callable[[str], bool]


def _matches_nothing(path: str) -> bool:
    return False


class _Wildcards:
    """Patterns compiled by pathspec, matched under the reporting process's time limit: pathspec
    turns ``*a*a*a*a*a*a*a*b`` into a regular expression that backtracks for hours on a long name,
    so a match slow twice in a row is a configuration error naming the pattern. (A class, not a
    closure: a Config goes to fork-server workers by pickle.)"""

    def __init__(self, patterns: tuple[str, ...], where: str) -> None:
        import pathspec

        self.patterns = patterns
        self.where = where
        self.spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        # (each path's answer: a rule asks per rule code, and the limit costs ten times the match)
        self.answers: dict[str, bool | ConfigError] = {}

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "answers": {}}

    def __call__(self, path: str) -> bool:
        answer = self.answers.get(path)
        if answer is None:
            answer = self.answers[path] = self._match(path)
        if isinstance(answer, ConfigError):  # (a long-running program asks again: not waited for twice)
            raise ConfigError(str(answer))
        return answer

    def _match(self, path: str) -> bool | ConfigError:
        try:
            return within(functools.partial(self.spec.match_file, path), tries=2)
        except TooSlow:
            slow = next((p for p in self.patterns if _slow_alone(p, path)), None)
            which = f"{slow!r} takes" if slow is not None else "its patterns take"
            return ConfigError(  # (the path as Python writes it: a newline in a file name stays in the one line)
                f"{self.where}: {which} over {PATTERN_SECONDS:g} s to match {path!r} (its wildcards backtrack); "
                "write it with fewer * (one ** matches any depth)"
            )


def _slow_alone(pattern: str, path: str) -> bool:
    import pathspec

    try:
        within(functools.partial(pathspec.GitIgnoreSpec.from_lines([pattern]).match_file, path))
    except TooSlow:
        return True
    return False


@functools.lru_cache(maxsize=256)
def path_patterns(patterns: tuple[str, ...], where: str = "configuration") -> PathPatterns:
    """Whether a root-relative path matches any of ``patterns``, read as .gitignore lines are (git's
    wildmatch, by pathspec): ``dags/maria/`` is the folder and everything in it, ``*.py`` a name at
    any depth, ``dags/*/tmp_*.py`` one level, ``**`` any number. Raises ValueError on a pattern
    git would refuse; a match that runs out of time (``limits``) raises ConfigError, naming
    ``where`` the patterns were set."""
    if not patterns:
        return _matches_nothing  # a module-level function: a Config goes to fork-server workers by pickle
    # "./dags/maria/" means the root's dags/maria/ to anyone but git, whose wildmatch has no "./".
    patterns = tuple(f"/{p[2:]}" if p.startswith("./") else p for p in patterns)
    try:
        return _Wildcards(patterns, where)
    except (ValueError, TypeError) as exc:  # pathspec's GitWildMatchPatternError is a ValueError
        raise ValueError(str(exc)) from None


# -- loading ---------------------------------------------------------------------

Reader = Callable[[Path], "bytes | None"]


# Builds the configuration from a reader of settings files (the work tree's, or a commit's) and
# the revision it reads; the CLI's options are applied on top.
Configure = Callable[[Reader, "str | None"], "Config"]


def read_work_tree(path: Path) -> bytes | None:
    """A settings file as the work tree has it (None when there is none). A symlink that leads
    out of the repository holding it is not followed: what it points to (a token file, a system
    file) would come back in an error message or in ``--show-settings``."""
    try:
        if not path.is_file():
            if os.path.lexists(path) and path.name in (PYPROJECT, CONFIG_FILE) and _repository_of(path.parent):
                # (said, not silently passed over: the run would judge by the defaults; outside any
                # repository the search for settings climbs to /, past folders that are not the project)
                raise ConfigError(
                    f"{path}: is not a file (a folder, a named pipe, or a link to nothing); not read: remove it, "
                    "or make it the settings file"
                )
            return None
        repository = _repository_of(path.parent)
        if repository is not None and not _real(path).is_relative_to(_real(repository)):
            # (the file, or a folder on its way, links out: `.github -> /elsewhere` too)
            raise ConfigError(f"{path}: leads out of the repository, to {_real(path)}; not read")
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _repository_of(directory: Path) -> Path | None:
    """The nearest folder at or above ``directory`` that holds ``.git`` (a settings file outside
    any repository, in a plain folder, is the user's own business)."""
    absolute = Path(os.path.abspath(directory))
    return next((d for d in (absolute, *absolute.parents) if os.path.lexists(d / ".git")), None)


def find_root(start: Path, read: Reader = read_work_tree) -> tuple[Path, Path | None, Mapping[str, object]]:
    """Find the repository root above ``start`` and its settings.

    The root is the directory holding the configuration; without one, the git
    root; without that (a plain folder), the nearest one holding a ``dags`` folder,
    else ``start`` itself. The search never leaves the git repository ``start`` is in.

    A configuration inside a ``dags`` folder does not count: a student's
    ``dags/maria/.airflow-etiquette.toml`` must not become the root of the hook that runs on
    maria's files (and switch her rules off).
    """
    # Looked for from the path as given, not as it resolves: a symlink in a repository
    # (dags/lasse/link.py -> /elsewhere/x.py) is judged in the repository that holds the link,
    # never in the one its target is in; a link to a repository (~/class -> /srv/class) leads there.
    start = Path(os.path.abspath(start))
    if (os.path.islink(start) and _in_repository(start.parent)) or not os.path.isdir(start):
        start = start.parent  # (os.path answers False where it cannot look)
    chain: list[Path] = []
    git_root: Path | None = None
    for directory in (start, *start.parents):
        chain.append(directory)
        if os.path.exists(directory / ".git"):
            git_root = directory
            break
    top = chain[-1] if git_root is not None else None
    for directory in chain:
        if top is not None and DEFAULT_DAGS_FOLDER in directory.relative_to(top).parts:
            continue
        settings = _settings_in(directory, read)
        if settings is not None:
            return _real(directory), _real(directory) / settings[0].name, settings[1]
    if git_root is None:
        git_root = next((d for d in (start, *start.parents) if os.path.isdir(d / DEFAULT_DAGS_FOLDER)), None)
    return _real(git_root or start), None, {}


def _in_repository(directory: Path) -> bool:
    return any(os.path.exists(d / ".git") for d in (directory, *directory.parents))


def _real(path: Path) -> Path:
    """The path with its symlinks resolved (the root in one spelling for every later comparison)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _settings_in(directory: Path, read: Reader) -> tuple[Path, Mapping[str, object]] | None:
    dedicated = directory / CONFIG_FILE
    data = read(dedicated)
    if data is not None:
        return dedicated, _own_table(_parse_toml(dedicated, data))
    pyproject = directory / PYPROJECT
    data = read(pyproject)
    if data is not None:
        table = _pyproject_table(pyproject, data)
        if table is not None:
            return pyproject, table
    return None


def _pyproject_table(pyproject: Path, data: bytes | None = None) -> Mapping[str, object] | None:
    """``[tool.airflow-etiquette]`` of a pyproject.toml, or None without one.

    The rest of a pyproject belongs to other tools, so it is never read as settings.
    """
    tool = (_read_toml(pyproject) if data is None else _parse_toml(pyproject, data)).get("tool")
    if not isinstance(tool, dict) or TOOL_TABLE not in tool:
        return None
    table = tool[TOOL_TABLE]
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.{TOOL_TABLE}] must be a table")
    return table


def _own_table(data: dict[str, object]) -> Mapping[str, object]:
    """``[tool.airflow-etiquette]`` if the file has it, else the whole file."""
    tool = data.get("tool")
    table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else data


def _read_toml(path: Path) -> dict[str, object]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return _parse_toml(path, data)


def _parse_toml(path: Path, data: bytes) -> dict[str, object]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8 by definition; tomllib decodes before parsing
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: invalid TOML: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} on line {line})"
        ) from None


def load_config(
    start: Path,
    known_codes: Iterable[str],
    config_file: Path | None = None,
    read: Reader = read_work_tree,
    revision: str | None = None,
) -> Config:
    """The configuration for the repository containing ``start``.

    ``config_file`` forces a file (its directory is the root). ``known_codes``
    validates ``select``/``ignore`` entries. ``read`` reads a settings file: the work
    tree's by default, or a commit's (``revision``) when a change is judged, so that the
    change cannot rewrite the rules it is judged by.
    """
    if config_file is not None:
        data = read(config_file.resolve())
        if data is None:
            if revision is None:
                raise ConfigError(f"{config_file}: no such configuration file")
            raise ConfigError(
                f"{config_file}: not in the base commit {revision[:7]}; a change is judged by its "
                "base's configuration, so the file must be committed there first"
            )
        settings: Mapping[str, object]
        if config_file.name == PYPROJECT:  # without our table: no settings, i.e. the defaults
            settings = _pyproject_table(config_file, data) or {}
        else:
            settings = _own_table(_parse_toml(config_file, data))
        config = config_from_table(config_file.resolve().parent, config_file, settings, known_codes)
    else:
        root, source, settings = find_root(start, read)
        config = config_from_table(root, source, settings, known_codes)
    lines = requirement_lines(config.root, config.requirements, read)
    # named on purpose and missing: ETQ606 would be off without a word (the default's absence means
    # the repository keeps no requirements file, and the rule stays quiet)
    missing = lines is None and bool(config.requirements) and config.requirements != DEFAULTS.requirements
    config = replace(config, requirement_lines=lines, requirements_missing=missing)
    return replace(config, policy_revision=revision) if revision is not None else config


MAX_REQUIREMENT_FILES = 32  # -r includes followed, at most this many files


def requirement_lines(root: Path, names: Iterable[str], read: Reader) -> tuple[str, ...] | None:
    """The requirement lines of the requirements files (``-r`` includes followed; ``-c``
    constraints pin versions but install nothing; ``-e ...#egg=name`` gives ``name``), read with
    ``read`` (a change's base, or the work tree); None when none of the files exists. A file
    outside the root is not read (and the work tree's reader refuses one that a link leads to)."""
    found: list[str] = []
    seen: set[Path] = set()
    pending = [root / name for name in names]
    any_read = False
    root_path = Path(os.path.abspath(root))
    while pending and len(seen) < MAX_REQUIREMENT_FILES:
        path = Path(os.path.abspath(pending.pop(0)))
        if path in seen or not path.is_relative_to(root_path):
            continue
        seen.add(path)
        data = read(path)
        if data is None:
            continue
        any_read = True
        for raw in data.decode("utf-8", "replace").splitlines():
            line = re.sub(r"(^|\s)#.*", "", raw).strip()
            option = re.match(r"(-r|--requirement|-c|--constraint|-e|--editable)(?:\s*=?\s*)(\S+)", line)
            if option:
                flag, value = option.groups()
                if flag in ("-r", "--requirement"):
                    pending.append(path.parent / value)
                elif flag in ("-e", "--editable"):
                    egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", value)
                    if egg:
                        found.append(egg.group(1))
                continue
            if line and not line.startswith("-"):
                found.append(line)
    return tuple(found) if any_read else None


def requirement_names(lines: Iterable[str]) -> frozenset[str]:
    """The canonical distribution names of requirement lines; a line pip would refuse is skipped,
    never an error."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    found: set[str] = set()
    for line in lines:
        try:
            found.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return frozenset(found)


class OwnerNames:
    """Lookups over the owner names of a run, built once for all its files: which owner a
    case-folded name is (Postgres folds ``AIRFLOW_MARIA``), and which owners' dag_id prefix a
    text starts with. Each answer costs the length of the text, not the number of owners (a
    loop over 3,000 owners per string was most of the cost of a large class)."""

    def __init__(self, template: str, owners: frozenset[str]) -> None:
        self._folded = {owner.lower(): owner for owner in sorted(owners, reverse=True)}
        self._owners = owners
        self._longest = max(map(len, owners), default=0)
        self._before, placeholder, self._after = template.partition(OWNER_PLACEHOLDER)
        self._templated = bool(placeholder)

    def folded(self, name: str) -> str | None:
        """The owner named ``name``, letter case aside."""
        return self._folded.get(name.lower())

    def prefixed(self, text: str) -> list[str]:
        """Every owner whose dag_id prefix ``text`` starts with, the longest name first (at most as
        many candidates as the longest owner name has letters)."""
        if not self._templated or not text.startswith(self._before):
            return []
        rest = text[len(self._before) :]
        found = []
        end = min(len(rest), self._longest)
        while end > 0:
            candidate = rest[:end]
            if candidate in self._owners and rest.startswith(self._after, end):
                found.append(candidate)
            end -= 1
        return found


@functools.lru_cache(maxsize=16)
def owner_names(template: str, owners: frozenset[str]) -> OwnerNames:
    return OwnerNames(template, owners)


DEFAULTS = Config(root=Path("."))  # the class repository's conventions: every default in one place


def configure_from(start: Path, known_codes: Iterable[str], config_file: Path | None = None) -> Configure:
    """How a run reads its configuration, from the work tree or (for a change) from a commit."""
    codes = tuple(known_codes)

    def configure(read: Reader, revision: str | None) -> Config:
        return load_config(start, codes, config_file, read, revision)

    return configure


_TEMPLATES = ("dag-id-prefix", "owner-tag", "schema")
# Upper bounds keep a typo (or inf) from turning into an overflow deep inside a run.
MAX_TIMEOUT = 3600.0
MAX_FILE_SIZE_MB = 1024.0
_LIMITS = {"timeout": MAX_TIMEOUT, "max-file-size-mb": MAX_FILE_SIZE_MB}
_KEYS = {
    "dags-folder": 'a folder below the repository root, like "dags"',
    "dag-id-prefix": "a string containing {owner} once and no other braces",
    "owner-tag": "a string containing {owner} once and no other braces",
    "schema": "a string containing {owner} once and no other braces",
    "shared-connections": "a list of strings",
    "admins": "a list of strings",
    "select": "a list of rule codes",
    "extend-select": "a list of rule codes (added to select)",
    "ignore": "a list of rule codes",
    "extend-ignore": "a list of rule codes (added to ignore)",
    "per-file-ignores": "a table of gitignore-style pattern = [rule codes]",
    "exclude": 'a list of gitignore-style patterns, like "dags/maria/" or "dags/*/generated_*.py"',
    "timeout": f"a positive number of seconds, at most {MAX_TIMEOUT:g}",
    "max-file-size-mb": f"a positive number, at most {MAX_FILE_SIZE_MB:g}",
    "owners": 'a table of owner = { github = "login", emails = ["..."] }',
    "allow-noqa": "a list of rule codes that `# noqa` may silence",
    "strict": "a list of rule codes (ETQ101, ETQ102, ETQ302)",
    "dag-ignore-file-syntax": 'one of "auto", "regexp" (Airflow 2) or "glob" (Airflow 3)',
    "cache-dir": 'a folder for cached results, relative to the repository root or absolute, like ".cache/etq"',
    "airflow-version": 'one of "auto", "2" or "3" (the Airflow the shared scheduler runs)',
    "catchup-by-default": "true or false (Airflow 2's [scheduler] catchup_by_default)",
    "max-catchup-runs": "a whole number of runs, at least 1",
    "min-schedule-interval": 'a duration like "30s", "5m", "1h" or "1d", at most a year',
    "heavy-imports": "a list of module names",
    "requirements": "a list of requirements files, relative to the repository root",
    "preinstalled": "a list of distribution names the scheduler has besides the requirements",
    "import-names": 'a table of module = "distribution"',
    "max-active-runs": "a whole number, at least 1",
    "max-active-tasks": "a whole number, at least 1",
    "max-retries": "a whole number, at least 0",
    "max-priority-weight": "a whole number",
    "require-timeouts": "true or false",
    "own-pools-only": "true or false",
    "new-template": 'a file below the repository root, like "templates/first_dag.py"',
    "baseline": 'a file below the repository root, like ".airflow-etiquette-baseline.json"',
}
_DURATION = re.compile(r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>s|m|h|d)")
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
STRICT_CODES = ("ETQ101", "ETQ102", "ETQ302")


def config_from_table(
    root: Path, source: Path | None, table: Mapping[str, object], known_codes: Iterable[str]
) -> Config:
    """Validate a settings table; every problem names the file, the key and what was expected."""
    where = f"{source.name if source else 'configuration'}"
    codes = set(known_codes)

    def fail(key: str, got: object) -> ConfigError:
        return ConfigError(f"{where}: {key!r} must be {_KEYS[key]}, got {_describe(got)}")

    for key in table:
        if key not in _KEYS:
            close = [k for k in _KEYS if k.replace("-", "_") == str(key).replace("-", "_")]
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(_KEYS)})"
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")

    def text(key: str, default: str) -> str:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise fail(key, value)
        if key in _TEMPLATES and (
            value.count(OWNER_PLACEHOLDER) != 1 or set("{}") & set(value.replace(OWNER_PLACEHOLDER, ""))
        ):
            raise fail(key, value)
        return value

    def folder(key: str, default: str) -> str:
        value = text(key, default)
        normal = _relative_folder(value)
        if normal is None:
            raise fail(key, value)
        return normal

    def strings(key: str) -> tuple[str, ...]:
        return _string_list(table.get(key, []), lambda got: fail(key, got))

    def rule_codes(key: str) -> tuple[str, ...]:
        return _codes(table.get(key, []), codes, lambda got: fail(key, got), f"{where}: {key!r}")

    def choice(key: str, allowed: tuple[str, ...], default: str) -> str:
        value = text(key, default)
        if value not in allowed:
            raise fail(key, value)
        return value

    def number(key: str, default: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= _LIMITS[key]:
            raise fail(key, value)  # ``not 0 < nan`` holds, so nan is refused with inf
        return float(value)

    def flag(key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise fail(key, value)
        return value

    def whole(key: str, minimum: int | None) -> int | None:
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
            raise fail(key, value)
        return value

    def duration(key: str, default: float) -> float:
        if key not in table:
            return default
        value = table[key]
        match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
        if match is None:
            raise fail(key, value)
        seconds = float(match.group("amount")) * _UNIT_SECONDS[match.group("unit")]
        if seconds > 366 * 86400:  # the rule counts runs per day: more than a year apart is a typo
            raise fail(key, value)
        return seconds

    raw_names = table.get("import-names", {})
    if not isinstance(raw_names, dict) or not all(isinstance(v, str) and v.strip() for v in raw_names.values()):
        raise fail("import-names", raw_names)
    raw_ignores = table.get("per-file-ignores", {})
    if not isinstance(raw_ignores, dict):
        raise fail("per-file-ignores", raw_ignores)
    per_file_ignores = tuple(
        (
            str(pattern),
            _codes(
                listed, codes, lambda got: fail("per-file-ignores", got), f"{where}: 'per-file-ignores' {pattern!r}"
            ),
        )
        for pattern, listed in raw_ignores.items()
    )

    for key, patterns in (("exclude", strings("exclude")), ("per-file-ignores", tuple(p for p, _ in per_file_ignores))):
        for pattern in patterns:
            try:
                path_patterns((pattern,))
            except ValueError as exc:
                raise ConfigError(f"{where}: {key!r}: {pattern!r} is not a gitignore-style pattern ({exc})") from None

    return Config(
        root=root,
        source=source,
        given=frozenset(str(key) for key in table),
        dags_folder=folder("dags-folder", DEFAULTS.dags_folder),
        dag_id_prefix=text("dag-id-prefix", DEFAULTS.dag_id_prefix),
        owner_tag=text("owner-tag", DEFAULTS.owner_tag),
        schema=text("schema", DEFAULTS.schema),
        shared_connections=strings("shared-connections"),
        admins=frozenset(strings("admins")),
        # Every rule is on by default, so extend-select widens a select that narrows, and only then.
        select=rule_codes("select") + rule_codes("extend-select") if rule_codes("select") else (),
        ignore=rule_codes("ignore") + rule_codes("extend-ignore"),
        per_file_ignores=per_file_ignores,
        exclude=strings("exclude"),
        timeout=number("timeout", DEFAULTS.timeout),
        max_file_size_mb=number("max-file-size-mb", DEFAULTS.max_file_size_mb),
        roster=_roster(table.get("owners", {}), where, fail),
        allow_noqa=rule_codes("allow-noqa") if "allow-noqa" in table else None,
        strict=_strict(rule_codes("strict"), where),
        cache_dir=text("cache-dir", DEFAULTS.cache_dir),
        dag_ignore_file_syntax=choice("dag-ignore-file-syntax", ("auto", "regexp", "glob"), "auto"),
        airflow_version=_version(table.get("airflow-version", "auto"), lambda got: fail("airflow-version", got)),
        catchup_by_default=flag("catchup-by-default", DEFAULTS.catchup_by_default),
        max_catchup_runs=whole("max-catchup-runs", 1) or DEFAULTS.max_catchup_runs,
        min_schedule_interval=duration("min-schedule-interval", DEFAULTS.min_schedule_interval),
        heavy_imports=strings("heavy-imports") if "heavy-imports" in table else DEFAULTS.heavy_imports,
        requirements=strings("requirements") if "requirements" in table else DEFAULTS.requirements,
        preinstalled=strings("preinstalled") if "preinstalled" in table else None,
        import_names=tuple((str(k), v.strip()) for k, v in raw_names.items()),
        max_active_runs=whole("max-active-runs", 1),
        max_active_tasks=whole("max-active-tasks", 1),
        max_retries=whole("max-retries", 0),
        max_priority_weight=whole("max-priority-weight", None),
        require_timeouts=flag("require-timeouts", False),
        own_pools_only=flag("own-pools-only", False),
        new_template=_relative_file(table["new-template"], lambda got: fail("new-template", got))
        if "new-template" in table
        else None,
        baseline=_relative_file(table["baseline"], lambda got: fail("baseline", got)) if "baseline" in table else None,
    )


# The field of Config each key sets, where the name is not the key's with "_" for "-"; the
# extend- keys are folded into select and ignore.
_FIELDS = {"owners": "roster", "max-retries": "max_retries", "extend-select": "", "extend-ignore": ""}


def settings_of(config: Config) -> list[tuple[str, object, bool]]:
    """Every key with its resolved value and whether the settings file set it (``--show-settings``)."""
    rows = []
    for key in _KEYS:
        name = _FIELDS.get(key, key.replace("-", "_"))
        if name:
            given = key in config.given or (key in ("select", "ignore") and f"extend-{key}" in config.given)
            rows.append((key, getattr(config, name), given))
    return rows


def _relative_file(value: object, fail: Callable[[object], ConfigError]) -> str:
    """A path below the root, "/" separated, without ".." (a template is read from the repository)."""
    if not isinstance(value, str) or not value.strip():
        raise fail(value)
    normal = _relative_folder(value)
    if normal is None or not normal:
        raise fail(value)
    return normal


def _version(value: object, fail: Callable[[object], ConfigError]) -> str:
    """ "2" or "3" (a number is taken too: airflow-version = 3), or "auto"."""
    if isinstance(value, bool):
        raise fail(value)
    text = str(value).strip() if isinstance(value, (str, int, float)) else None
    if text in ("2", "3", "auto"):
        return text
    if text is not None and re.fullmatch(r"[23]\.\d+(\.\d+)?", text):
        return text[0]
    raise fail(value)


def _strict(codes: tuple[str, ...], where: str) -> tuple[str, ...]:
    """Only the rules whose values can be undecidable have a strict mode."""
    for code in codes:
        if not any(strict.startswith(code) for strict in STRICT_CODES):
            raise ConfigError(f"{where}: 'strict' may list {', '.join(STRICT_CODES)}, got {code!r}")
    return codes


def _roster(raw: object, where: str, fail: Callable[[str, object], ConfigError]) -> tuple[RosterEntry, ...]:
    """``[tool.airflow-etiquette.owners]``: owner = { github = "login", emails = [...] }."""
    if not isinstance(raw, dict):
        raise fail("owners", raw)
    roster: list[RosterEntry] = []
    for owner, entry in raw.items():
        if not isinstance(entry, dict) or set(entry) - {"github", "emails"}:
            raise ConfigError(f"{where}: 'owners.{owner}' must be a table with the keys github and emails")
        github = entry.get("github")
        if github is not None and not isinstance(github, str):
            raise ConfigError(f"{where}: 'owners.{owner}.github' must be a string, got {_describe(github)}")
        emails = entry.get("emails", [])
        if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
            raise ConfigError(f"{where}: 'owners.{owner}.emails' must be a list of strings, got {_describe(emails)}")
        roster.append(RosterEntry(str(owner), github.lstrip("@") if github else None, tuple(e.lower() for e in emails)))
    return tuple(roster)


def _relative_folder(value: str) -> str | None:
    """``value`` as ``a/b`` (``./dags/`` is ``dags``), or None when it leaves the root.

    Discovery and ownership compare path components with this string, so every
    spelling of one folder must come out the same; an absolute path or ``..``
    names no folder of this repository.
    """
    path = PurePosixPath(value.strip())
    if path.is_absolute() or PureWindowsPath(value.strip()).anchor or ".." in path.parts:
        return None
    parts = [part for part in path.parts if part != "."]
    return "/".join(parts) or None


def _describe(value: object) -> str:
    kind = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    return f"{kind} ({value!r})" if not isinstance(value, (list, dict)) else kind


def _string_list(value: object, fail: Callable[[object], ConfigError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(value)
    return tuple(value)


def _codes(value: object, known: set[str], fail: Callable[[object], ConfigError], where: str) -> tuple[str, ...]:
    items = _string_list(value, fail)
    return tuple(validate_code(item, known, where) for item in items)


def validate_code(code: str, known: set[str], where: str) -> str:
    """A rule code or a prefix of codes (``ETQ1``), upper-cased; anything else is an error."""
    normal = code.strip().upper()
    if not normal or not any(k.startswith(normal) for k in known):
        raise ConfigError(f"{where}: unknown rule code {code!r} (see `airflow-etiquette rules`)")
    return normal
