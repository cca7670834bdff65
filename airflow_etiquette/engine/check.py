"""One check, start to finish: the files of a tree or what a change touches, through the rules
of every scope.

The CLI, the pre-commit hooks and CI all come through ``run_check``; it returns data, and the
caller decides how to show it. A change is judged by the policy of the commit it starts from:
``configure`` reads the configuration there, never from the change.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from airflow_etiquette.analysis.modules import ModuleSource
from airflow_etiquette.config import CONFIG_FILE, DEFAULTS, PYPROJECT, Config, ConfigError, Configure
from airflow_etiquette.engine.analyze import FileResult, Settings
from airflow_etiquette.engine.cache import ResultCache, open_cache
from airflow_etiquette.engine.repository import change_findings, repository_findings, repository_rules, tree_findings
from airflow_etiquette.engine.schedule import analyze_files, files_analysed
from airflow_etiquette.findings import Finding
from airflow_etiquette.people.authors import Author, identify_author
from airflow_etiquette.people.ownership import CODEOWNERS_LOCATIONS, Ownership, new_owner_folders
from airflow_etiquette.rules import CHANGE_RULES, ENGINE_RULES, FILE_RULES, REPOSITORY_RULES
from airflow_etiquette.rules.analysis_failed import AnalysisFailed
from airflow_etiquette.rules.base import RepositoryRule, TreeView
from airflow_etiquette.sources import airflowignore
from airflow_etiquette.sources.airflowignore import AirflowIgnore
from airflow_etiquette.sources.files import (
    SourceFile,
    discover,
    known_owners,
    owner_of,
    relative_to_root,
    source_files,
)
from airflow_etiquette.sources.git import (
    EMPTY_TREE,
    ChangeSet,
    GitError,
    base_commit,
    behind_upstream,
    blob_contents,
    branch_changes,
    changed_checked_files,
    default_base,
    index_blobs,
    outside_project,
    require_repository,
    revision_reader,
    staged_changes,
    tree_entries,
)
from airflow_etiquette.sources.github import PullRequest, github_pull_request
from airflow_etiquette.sources.gitlab import gitlab_merge_request


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    files_checked: int
    skipped_outside: int  # given files that are not in the dags folder
    change: ChangeSet | None
    author: Author | None
    silenced: list[Finding] = field(default_factory=list)  # found, but waived by an allowed noqa comment
    notes: list[str] = field(default_factory=list)  # one line each, for the person reading the output
    config: Config | None = None  # the configuration that judged the run (the base's, for a change)
    checked: tuple[str, ...] = ()  # the files analysed, relative to the root (``list_only``: to be)


def run_check(
    config: Config,
    paths: Sequence[Path],
    *,
    base: str | None = None,
    staged: bool = False,
    author: str | None = None,
    jobs: int = 0,
    environ: Mapping[str, str] | None = None,
    configure: Configure | None = None,
    use_cache: bool = True,
    list_only: bool = False,
) -> CheckResult:
    """Check ``paths`` (or the dags folder), or only what a change touches.

    With ``base`` or ``staged`` (or in a GitHub pull-request run) the file rules see the changed
    files in the dags folder (limited to ``paths`` when given), the repository rules compare them
    with the rest, and the change rules see every changed path.
    """
    environ = os.environ if environ is None else environ
    jobs = jobs or os.cpu_count() or 1
    judged = judged_by(config, base, staged, environ)
    if judged is None:
        return _check_tree(config, paths, jobs, use_cache, list_only)
    policy, ref, pushed, pull_request = judged
    if configure is None:
        raise ValueError("a change needs configure() to read the base's configuration")
    reader = revision_reader(config.root, policy)
    reader.prefetch(
        config.root / name for name in (CONFIG_FILE, PYPROJECT, *CODEOWNERS_LOCATIONS, *DEFAULTS.requirements)
    )
    config = configure(reader, policy)
    if staged:
        change = staged_changes(config.root, policy)
    else:
        head = pull_request.head_sha if pull_request is not None and pull_request.target else None
        # The pre-push hook judges the commit being pushed (pre-commit names it), not whatever is
        # checked out and staged: `git push origin main` from a feature branch pushes main.
        change = branch_changes(config.root, ref, head or environ.get("PRE_COMMIT_TO_REF") if pushed else head)
    new_folders = new_owner_folders(change, config)
    owners = known_owners(config) | new_folders
    rules = repository_rules(config, in_check=True)
    parses = any(config.selects(rule.code) for rule in (*FILE_RULES, *ENGINE_RULES, *rules))
    # The dags folder as the change leaves it (the owners' modules); the ownership hook parses nothing.
    entries = tree_entries(config.root, change.head, config.dags_folder) if parses else {}
    settings = Settings(
        config=config,
        known_owners=owners,
        collect=tuple(r.code for r in rules),
        modules=_modules_in(config, change.head, entries),
    )
    changed = changed_checked_files(change)
    if paths:
        given = {Path(p).resolve() for p in paths}
        changed = {
            rel: blob
            for rel, blob in changed.items()
            if (config.root / rel) in given or any(g in (config.root / rel).parents for g in given)
        }
    if not parses:
        changed = {}  # only the change rules are selected: no file needs parsing
    elif not paths:
        changed.update(_importers(config, entries, changed))
    # Which files Airflow skips; the ownership hook's run, which parses no file, need not know.
    ignore = airflowignore.in_revision(config, policy) if changed else AirflowIgnore({}, "regexp")
    files = _with_contents(source_files(changed, config, ignore), changed, config)
    checked = tuple(file.relpath for file in files)
    if list_only:
        return CheckResult([], len(files), 0, change, None, config=config, checked=checked)
    notes = _configuration_notes(config)
    stale = behind_upstream(config.root, ref) if not staged and not pushed and pull_request is None else None
    if stale is not None:
        notes.append(
            f"{ref} is {stale[1]} commit(s) behind {stale[0]}: what was merged there since shows as this change's; "
            f"check with --base {stale[0]}, or bring {ref} up to date"
        )
    prefix, elsewhere = outside_project(config.root, change)
    if elsewhere:
        shown = ", ".join(elsewhere[:3]) + (f" and {len(elsewhere) - 3} more" if len(elsewhere) > 3 else "")
        notes.append(
            f"this project is {prefix} in its repository, and the change also alters {shown} outside it, which "
            "this check does not judge (nor the repository's CODEOWNERS): review those paths by hand"
        )
    touched = [path for c in change.changes for path in c.touched]
    if staged and not touched and _in_a_pull_request(environ):
        notes.append(
            "--staged in a pull or merge request run: nothing is staged there, so nothing was checked; "
            "the check without --staged judges the pull request"
        )
    caches = _Caches(config, touched, notes) if use_cache else None
    # The changed files are analysed afresh, never answered from a cache: a cache is data that a
    # workflow on the default branch, or a classmate's code run there, might have written.
    results = analyze_files(files, settings, jobs)
    findings = [finding for _, result in results for finding in result.findings]
    silenced = [finding for _, result in results for finding in result.silenced]
    ownership = Ownership(config, owners)
    if rules and files:
        found, waived = _compared_with_the_rest(
            results, settings, ownership, rules, jobs, change, whole_folder=not staged, caches=caches, ignore=ignore
        )
        findings += found
        silenced += waived
    if caches:
        caches.save()
    notes += [f"{path} (as {policy[:7]} has it): {why}" for path, why in ignore.given_up.items()]
    who: Author | None = None
    if any(
        config.rule_enabled(rule.code, path)
        for rule in CHANGE_RULES
        if rule.needs_author
        for c in change.changes
        for path in c.touched
    ):
        who = identify_author(author, environ, pull_request, ownership, config.root, staged, new_folders)
        notes += _admins_nobody_is(config, ownership)
        if who is None:
            codes = ", ".join(rule.code for rule in CHANGE_RULES if rule.needs_author)
            notes.append(
                "Who made this change is not known here (no --author, AIRFLOW_STUDENT, <name>/<topic> branch "
                f"or roster e-mail), so {codes} was not checked; the pull request's check decides it."
            )
    findings += change_findings(change, who, ownership, new_folders)
    return CheckResult(
        sorted(findings), files_analysed(files, results), 0, change, who, sorted(silenced), notes, config, checked
    )


def judged_by(
    config: Config, base: str | None, staged: bool, environ: Mapping[str, str]
) -> tuple[str, str, str, PullRequest | None] | None:
    """The commit whose policy judges a run, or None for a plain run of the work tree: for
    --staged the commit the index starts from, for --base (or a pull or merge request in CI, which
    names the author even when --base is given) the merge base. Returns (that commit, the base
    ref, the commit a pre-push hook pushes or "", the CI's pull request)."""
    pull_request = (github_pull_request(environ) or gitlab_merge_request(environ)) if not staged else None
    if base is None and not staged and pull_request is None:
        return None
    # The policy first, from the commit the change starts from; then the change, seen from the
    # root that policy names (a configuration the change adds elsewhere moves nothing).
    head = require_repository(config.root, "--staged" if staged else "--base" if base else "a pull-request check")
    if staged:  # the last commit (the empty tree, so the defaults, before the first commit)
        return head or EMPTY_TREE, "", "", None
    ref = base or pull_request.base_ref  # type: ignore[union-attr]
    pushed = environ.get("PRE_COMMIT_TO_REF", "").strip("0") if ref == "auto" else ""
    ref = default_base(config.root) if ref == "auto" else ref
    return base_commit(config.root, ref), ref, pushed, pull_request


def _configuration_notes(config: Config) -> list[str]:
    """What the configuration asks for that the run cannot do: requirements files that do not
    exist (ETQ606 is off), and a rule named by its full code that ``check`` does not run
    (``--select ETQ203``: unowned DAG files are the audit's to find)."""
    missing = (
        [
            f"'requirements' names {', '.join(config.requirements)}, and none of them exists, so ETQ606 "
            "(missing requirements) is off; fix the path, or remove the key"
        ]
        if config.requirements_missing and config.selects("ETQ606")
        else []
    )
    return missing + [
        f"{rule.code} is not run by check: it looks at the whole repository, so `audit` and the pytest plugin run it"
        for rule in REPOSITORY_RULES
        if not rule.in_check and rule.code in config.select and config.selects(rule.code)
    ]


def _admins_nobody_is(config: Config, ownership: Ownership) -> list[str]:
    """``admins`` entries that name no owner: ``admins`` lists owner names, and a GitHub login
    written there (the teacher's, most often) makes nobody an admin, silently."""
    known = ownership.known_owners | ownership.listed_owners
    return [
        f"'admins' names {name!r}, which is no owner here (no {config.dags_folder}/{name}/ folder, roster entry "
        f"or CODEOWNERS folder line), so it makes nobody an admin; 'admins' lists owner names: for a GitHub "
        f'login, add a roster entry, [tool.airflow-etiquette.owners] {name} = {{ github = "{name}" }}'
        for name in sorted(config.admins)
        if name not in known
    ]


def _in_a_pull_request(environ: Mapping[str, str]) -> bool:
    try:
        return (github_pull_request(environ) or gitlab_merge_request(environ)) is not None
    except ConfigError:
        return True  # a pull request run, only without what it needs to be judged


def _check_tree(config: Config, paths: Sequence[Path], jobs: int, use_cache: bool, list_only: bool) -> CheckResult:
    """A plain check of files as they are on disk: the dags folder, or the given paths."""
    found = discover(list(paths), config)
    checked = tuple(file.relpath for file in found.files)
    notes = _configuration_notes(config)
    elsewhere = [path for path in found.outside if relative_to_root(Path(path), config.root) is None]
    if found.files and elsewhere:  # (with nothing checked, the command says so for every path)
        notes.append(
            f"{len(elsewhere)} path(s) given are outside the repository at {config.root}, which is the one "
            "checked; run a check in each repository: "
            + ", ".join(elsewhere[:3])
            + (" ..." if len(elsewhere) > 3 else "")
        )
    if found.excluded:
        where = f" in {config.source.name}" if config.source else ""
        notes.append(
            f"{len(found.excluded)} path(s) given are left out by the exclude setting{where}: "
            + ", ".join(found.excluded[:3])
            + (" ..." if len(found.excluded) > 3 else "")
        )
    if list_only:
        outside = len(found.outside) if not found.files else 0
        return CheckResult([], len(found.files), outside, None, None, notes=notes, config=config, checked=checked)
    owners = known_owners(config)
    rules = repository_rules(config, in_check=True)
    settings = Settings(
        config=config, known_owners=owners, collect=tuple(r.code for r in rules), modules=_modules_on_disk(config)
    )
    caches = _Caches(config, (), notes) if use_cache else None
    results = analyze_files(found.files, settings, jobs, caches.get(settings) if caches else None)
    if caches:
        caches.save()
    findings = [finding for _, result in results for finding in result.findings]
    silenced = [finding for _, result in results for finding in result.silenced]
    if rules:
        across, waived = repository_findings(results, settings, lambda: Ownership(config, owners), rules)
        findings += across
        silenced += waived
    findings += tree_findings(TreeView(config, tuple(Path(p) for p in paths)))
    findings += [AnalysisFailed.for_file(path, why) for path, why in found.given_up]
    return CheckResult(
        sorted(findings),
        files_analysed(found.files, results),
        len(found.outside) if not found.files else 0,
        None,
        None,
        sorted(silenced),
        notes,
        config,
        checked,
    )


def _importers(config: Config, entries: Mapping[str, tuple[str, str]], changed: Mapping[str, str]) -> dict[str, str]:
    """The unchanged DAG files of an owner that import one of the owner's changed modules: what
    ``common.py`` holds is part of their values, so a change to it alone is checked in them too.
    ``entries``: the dags folder as the change leaves it (path -> mode, object id)."""
    stems: dict[str, set[bytes]] = {}  # owner folder -> names of its changed modules
    for relpath in changed:
        owner = owner_of(relpath, config)
        if owner is not None and relpath.endswith(".py"):
            name = posixpath.basename(posixpath.dirname(relpath) if relpath.endswith("/__init__.py") else relpath)
            stems.setdefault(f"{config.dags_folder}/{owner}/", set()).add(os.fsencode(name.removesuffix(".py")))
    candidates = [
        path
        for path in _python_modules(entries)
        if path not in changed and any(path.startswith(folder) for folder in stems)
    ]
    if not candidates:
        return {}
    contents = blob_contents(config.root, (entries[path][1] for path in candidates))
    found: dict[str, str] = {}
    for path in candidates:
        data = contents.get(entries[path][1], b"")
        folder = next(f for f in stems if path.startswith(f))
        if b"import" in data and any(re.search(rb"\b" + re.escape(stem) + rb"\b", data) for stem in stems[folder]):
            found[path] = entries[path][1]
    return found


def _python_modules(entries: Mapping[str, tuple[str, str]]) -> frozenset[str]:
    return frozenset(path for path, (mode, _) in entries.items() if path.endswith(".py") and mode.startswith("100"))


def _modules_on_disk(config: Config) -> ModuleSource:
    return ModuleSource(str(config.root), limit=int(config.max_file_size_mb * 1024 * 1024))


def _modules_in(config: Config, head: str | None, entries: Mapping[str, tuple[str, str]]) -> ModuleSource:
    """The owners' modules as the change leaves them (``entries``: the dags folder of the commit it
    ends in, or of the index)."""
    limit = int(config.max_file_size_mb * 1024 * 1024)
    return ModuleSource(str(config.root), head or "", _python_modules(entries), limit)


class _Caches:
    """The result caches of one run, one per set of analysis settings, opened on first use; a
    cache the run may not trust adds its reason to the run's notes, once."""

    def __init__(self, config: Config, touched: Sequence[str], notes: list[str]) -> None:
        self.config, self.touched, self.notes = config, touched, notes
        self.opened: dict[Settings, ResultCache | None] = {}

    def get(self, settings: Settings) -> ResultCache | None:
        if settings not in self.opened:
            cache, why = open_cache(self.config, settings, self.touched)
            if why and why not in self.notes:
                self.notes.append(why)
            self.opened[settings] = cache
        return self.opened[settings]

    def save(self) -> None:
        for cache in self.opened.values():
            if cache is not None:
                cache.save()


def _with_contents(files: Sequence[SourceFile], blobs: Mapping[str, str], config: Config) -> tuple[SourceFile, ...]:
    """The files as the change holds them (the index), not as the working tree has them: an
    edit that is not staged is not part of the commit, the branch or the push, and a file
    deleted from disk but not from the index is still checked."""
    contents = blob_contents(config.root, (blobs[f.relpath] for f in files if blobs.get(f.relpath, "").strip("0")))
    out = []
    for file in files:
        content = contents.get(blobs.get(file.relpath, ""))
        if content is not None:
            out.append(file._replace(content=content))
        else:  # git named an object it then could not produce: say so, never pass it silently
            raise GitError(f"git could not read {file.relpath} (object {blobs.get(file.relpath, '')[:12]})")
    return tuple(out)


def _compared_with_the_rest(
    results: list[tuple[SourceFile, FileResult]],
    settings: Settings,
    ownership: Ownership,
    rules: Sequence[type[RepositoryRule]],
    jobs: int,
    change: ChangeSet,
    whole_folder: bool,
    caches: _Caches | None = None,
    ignore: AirflowIgnore | None = None,
) -> tuple[list[Finding], list[Finding]]:
    """The repository rules for changed files, against the rest of the dags folder.

    In CI (``whole_folder``) that is every other file; in a pre-commit hook, to stay fast, the
    other files of the changed files' owners (where a copied file is most likely).
    """
    config = settings.config
    if whole_folder:
        scope: list[Path] = []
    else:
        owners = sorted({file.owner for file, _ in results if file.owner is not None})
        if not owners:
            return [], []
        scope = [config.dags_path / owner for owner in owners]
    changed = {file.relpath for file, _ in results}  # a changed bundle's members count as changed
    # What the index (or the head commit) holds, not what lies on disk: an untracked scratch copy is no clash.
    tracked: dict[str, str] = {}
    for folder in scope or [config.dags_path]:
        tracked.update(index_blobs(config.root, Path(os.path.relpath(folder, config.root)).as_posix(), change.head))
    others = [file for file in source_files(tracked, config, ignore) if file.relpath not in changed]
    # Only the files some rule says may matter to the changed ones are parsed (a raw-bytes screen).
    screens = [rule.screen([r.collected[rule.code] for _, r in results if rule.code in r.collected]) for rule in rules]
    others = [
        file
        for file in _with_contents(others, tracked, config)
        if any(screen(file.relpath, file.content or b"") for screen in screens)
    ]
    quiet = settings._replace(run_rules=False)
    compared = analyze_files(others, quiet, jobs, caches.get(quiet) if caches and others else None)
    if caches:
        caches.save()
    return repository_findings([*results, *compared], settings, lambda: ownership, rules, report_in=changed)
