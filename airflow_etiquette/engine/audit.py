"""The teacher's audit: the whole repository, per owner, through the rules of every scope (the
repository rules on every file, the change rules on the tree), and, on request, the mainline
history, each commit judged as its pull request's check judged who changed what.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from airflow_etiquette.analysis.modules import ModuleSource
from airflow_etiquette.config import CONFIG_FILE, PYPROJECT, Config, Configure, configure_from
from airflow_etiquette.engine.analyze import Settings
from airflow_etiquette.engine.cache import open_cache
from airflow_etiquette.engine.repository import change_findings, repository_findings, repository_rules, tree_findings
from airflow_etiquette.engine.schedule import analyze_files, files_analysed
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.people.authors import Author
from airflow_etiquette.people.ownership import CODEOWNERS_LOCATIONS, Ownership
from airflow_etiquette.rules import RULES_BY_CODE
from airflow_etiquette.rules.analysis_failed import AnalysisFailed
from airflow_etiquette.rules.base import TreeView
from airflow_etiquette.sources.files import discover, known_owners, owner_of
from airflow_etiquette.sources.git import (
    EMPTY_TREE,
    ChangeSet,
    GitError,
    diff_changes,
    git,
    revision_reader,
    work_tree_prefix,
)
from airflow_etiquette.sources.remote import Remote, origin_remote, repository_name

UNOWNED = "(no owner)"
MAINTAINERS = "shared (maintainers)"  # files CODEOWNERS gives the teacher or an admin, not a student
STATUSES = ("errors", "warnings", "clean", "no directory")  # the worst first
_PR_MERGE = re.compile(r"^Merge pull request #(?P<number>\d+) from [^/\s]+/(?P<branch>\S+)")
_BRANCH_MERGE = re.compile(r"^Merge (?:remote-tracking )?branch '(?P<branch>[^']+)'")
_SCOPE = re.compile(r"^\w+\((?P<scope>[\w.-]+)\)!?:")
_SQUASHED_PR = re.compile(r"\(#(?P<number>\d+)\)\s*$")  # GitHub's squash merge: "Add taxi DAG (#12)"
_GITLAB_MR = re.compile(r"^See merge request \S*!(?P<number>\d+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class DagRow:
    path: str
    dag_id: str
    schedule: str | None
    catchup: str | None
    tags: tuple[str, ...]
    runs_per_day: float | None = None  # None: unbounded (@continuous) or not known
    backfill_runs: int = 0


LOAD_CODES = {"parse_time_calls": "ETQ604", "heavy_imports": "ETQ605", "missing_imports": "ETQ606"}


@dataclass(frozen=True)
class Load:
    """What one owner's DAGs ask of the shared scheduler (or the class's, summed)."""

    runs_per_day: float = 0.0  # of the schedules that can be counted
    uncounted_schedules: int = 0  # @continuous, asset-driven, or not known
    backfill_runs: int = 0
    parse_time_calls: int = 0
    heavy_imports: int = 0
    missing_imports: int = 0

    def __add__(self, other: Load) -> Load:
        return Load(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))


@dataclass
class OwnerSection:
    owner: str
    files: list[str] = field(default_factory=list)
    dags: list[DagRow] = field(default_factory=list)
    schemas: set[str] = field(default_factory=set)
    connections: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    silenced: list[Finding] = field(default_factory=list)  # waived by a noqa comment the configuration allows
    has_directory: bool = True
    listed: bool = True  # in CODEOWNERS or the roster
    history: list[CommitViolation] = field(default_factory=list)  # mainline commits outside their own paths

    @property
    def all_findings(self) -> list[Finding]:
        """The findings in the tree and those of the owner's commits in the history."""
        return [*self.findings, *(f for violation in self.history for f in violation.findings)]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.all_findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.all_findings) - self.errors

    @property
    def status(self) -> str:
        """One of STATUSES: what the owner has to act on, history included."""
        if self.errors:
            return "errors"
        if self.warnings:
            return "warnings"
        return "clean" if self.has_directory else "no directory"

    @property
    def is_owner(self) -> bool:
        """A person's (or a team's) folder, not the rows for files nobody owns or the maintainers'."""
        return self.owner not in (UNOWNED, MAINTAINERS)

    def sort_key(self) -> tuple[int, int, int, bool, str]:
        """The worst first: errors, then warnings, then clean; the most errors first within."""
        return (
            STATUSES.index(self.status),
            -self.errors,
            -self.warnings,
            self.owner in (UNOWNED, MAINTAINERS),
            self.owner,
        )

    @property
    def load(self) -> Load:
        """The scheduler load of the owner's DAGs and files (waived findings count too: the load
        is there whether or not a comment excuses it)."""
        found = [*self.findings, *self.silenced]
        return Load(
            runs_per_day=sum(d.runs_per_day or 0.0 for d in self.dags),
            uncounted_schedules=sum(1 for d in self.dags if d.runs_per_day is None),
            backfill_runs=sum(d.backfill_runs for d in self.dags),
            **{key: sum(1 for f in found if f.code == code) for key, code in LOAD_CODES.items()},
        )

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for finding in self.all_findings:
            out[finding.code] += 1
        return dict(sorted(out.items()))


@dataclass(frozen=True)
class CommitViolation:
    commit: str
    date: str
    author: str  # name <email> as git recorded it
    owner: str | None  # whom the change is attributed to
    signal: str
    subject: str
    findings: tuple[Finding, ...]
    author_email: str = ""
    pull_request: str | None = None  # "#12" (GitHub) or "!12" (GitLab), as the commit names it


@dataclass(frozen=True)
class UnattributedCommit:
    """A mainline commit no signal (pull request branch, commit scope, roster e-mail) could
    attribute to anyone, so nobody's paths could be checked against it."""

    sha: str
    date: str
    author_name: str
    author_email: str
    subject: str
    pull_request: str | None = None

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_email}>"


@dataclass
class AuditReport:
    root: Path
    owners: list[OwnerSection]  # the worst first (OwnerSection.sort_key)
    files_checked: int
    missing_directories: list[str]  # in CODEOWNERS or the roster, no directory
    unlisted_directories: list[str]  # a directory nobody listed
    history: list[CommitViolation] | None = None
    history_range: str | None = None
    unattributed: list[UnattributedCommit] = field(default_factory=list)  # commits no signal could attribute
    notes: list[str] = field(default_factory=list)  # one line each, for the person running it
    name: str = ""  # the repository as its remote names it (org/class-airflow), else its folder's name
    remote: Remote | None = None  # where links point; None: no links
    head: str | None = None  # the commit the tree's links point at
    path_prefix: str = ""  # where the root sits in its git work tree ("" at the top)

    @property
    def findings(self) -> list[Finding]:
        """Every finding the report counts: each owner's, their history's included (every
        violation is in the section of the owner it is attributed to)."""
        return [f for section in self.owners for f in section.all_findings]

    @property
    def silenced(self) -> list[Finding]:
        return [f for section in self.owners for f in section.silenced]

    @property
    def load(self) -> Load:
        """The whole class's scheduler load."""
        return sum((s.load for s in self.owners), Load())

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)


def run_audit(
    config: Config,
    jobs: int = 0,
    history: str | None = None,
    since: str | None = None,
    configure: Configure | None = None,
    use_cache: bool = True,
) -> AuditReport:
    """The whole repository as it is, and (``history``/``since``) each mainline commit judged by
    the CODEOWNERS and configuration of its first parent: what the rules were when it landed,
    so a commit that rewrote them cannot clear itself. ``configure`` reads a configuration
    from a commit (the CLI's options applied); by default it is found from the root as usual."""
    owners_on_disk = known_owners(config)
    rules = repository_rules(config, in_check=False)
    settings = Settings(
        config=config,
        known_owners=owners_on_disk,
        collect_facts=True,
        collect=tuple(r.code for r in rules),
        modules=ModuleSource(str(config.root), limit=int(config.max_file_size_mb * 1024 * 1024)),
    )
    found = discover([], config)
    files = found.files
    cache, note = open_cache(config, settings) if use_cache else (None, "")
    results = analyze_files(files, settings, jobs or os.cpu_count() or 1, cache)
    if cache is not None:
        cache.save()
    ownership = Ownership(config, owners_on_disk)

    def section_of(path: str, owner: str | None = None) -> OwnerSection:
        name = owner or owner_of(path, config) or _shared_section(path, ownership)
        return sections.setdefault(name, OwnerSection(name))

    sections: dict[str, OwnerSection] = {name: OwnerSection(name) for name in sorted(owners_on_disk)}
    for file, result in results:
        section = section_of(file.relpath, file.owner)
        section.files.append(file.relpath)
        section.findings.extend(result.findings)
        section.silenced.extend(result.silenced)
        if result.facts is not None:
            section.schemas.update(result.facts.schemas)
            section.connections.update(result.facts.connections)
            for dag in result.facts.dags:
                load = (dag.runs_per_day, dag.backfill_runs)
                for dag_id, tags in zip(dag.dag_ids, dag.tags_by_id, strict=False):
                    section.dags.append(DagRow(file.relpath, dag_id, dag.schedule, dag.catchup, tags, *load))
                if not dag.dag_ids:
                    section.dags.append(
                        DagRow(file.relpath, f"{dag.dynamic} (dynamic)", dag.schedule, dag.catchup, dag.tags, *load)
                    )
    repo_findings, waived = repository_findings(results, settings, lambda: ownership, rules)
    repo_findings += tree_findings(TreeView(config, ()))
    repo_findings += [AnalysisFailed.for_file(path, why) for path, why in found.given_up]
    for finding in repo_findings:
        section_of(finding.path).findings.append(finding)
    for finding in waived:
        section_of(finding.path).silenced.append(finding)

    remote = origin_remote(config.root)
    report = AuditReport(
        root=config.root,
        owners=[],
        files_checked=files_analysed(files, results),
        missing_directories=[],
        unlisted_directories=[],
        notes=[note for note in (note, _uncommitted(config)) if note],
        name=repository_name(config.root, remote),
        remote=remote,
        head=_head(config.root),
        path_prefix=work_tree_prefix(config.root),
    )
    if history or since:
        report.history_range = history or f"since {since}"
        report.history, report.unattributed = audit_history(config, history, since, configure)
        for violation in report.history:  # counted in the status and totals of whom it is attributed to
            name = violation.owner or UNOWNED
            sections.setdefault(name, OwnerSection(name, has_directory=name in owners_on_disk)).history.append(
                violation
            )

    listed = ownership.listed_owners - set(config.admins)
    for name, section in sections.items():
        section.findings.sort()
        section.silenced.sort()
        section.listed = name in listed or name in (UNOWNED, MAINTAINERS) or name in config.admins or not listed
    for name in listed - set(sections):
        sections[name] = OwnerSection(name, has_directory=False)
    report.owners = sorted(sections.values(), key=OwnerSection.sort_key)
    report.missing_directories = sorted(listed - owners_on_disk)
    report.unlisted_directories = sorted(
        o for o in owners_on_disk if listed and o not in listed and o not in config.admins
    )
    return report


def _shared_section(path: str, ownership: Ownership) -> str:
    """MAINTAINERS for a path outside every owner folder that CODEOWNERS gives someone in charge
    (as ETQ203 decides it), else UNOWNED."""
    return MAINTAINERS if ownership.in_charge_of(path) else UNOWNED


def _head(root: Path) -> str | None:
    """The commit the work tree is at (links to files point there); None outside git or before
    the first commit."""
    try:
        return git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").strip() or None
    except GitError:
        return None


def _uncommitted(config: Config) -> str | None:
    """A note when files of the dags folder differ from HEAD: the report reads the work tree, and
    its links point at HEAD, where the same line may hold something else."""
    try:
        changed = git(config.root, "status", "--porcelain", "--untracked-files=no", "--", config.dags_folder)
    except GitError:
        return None
    count = len(changed.splitlines())
    if not count:
        return None
    return (
        f"{count} file(s) in {config.dags_folder}/ have changes not committed: the report reads them as they "
        "are, and its links to the last commit may point at other lines"
    )


# -- history ---------------------------------------------------------------------------


def audit_history(
    config: Config, revision_range: str | None, since: str | None, configure: Configure | None = None
) -> tuple[list[CommitViolation], list[UnattributedCommit]]:
    """Mainline commits (merges of pull requests count for their branch) that changed someone
    else's paths, each judged by the policy of its first parent."""
    violations: list[CommitViolation] = []
    unattributed: list[UnattributedCommit] = []
    policies = _PolicyAt(config, configure)
    for record in _mainline_commits(config.root, revision_range, since):
        commit, date, name, email, parents, subject = record.split("\x1f", 5)
        author = f"{name} <{email}>"
        parent = parents.split()[0] if parents else EMPTY_TREE
        changes = ChangeSet(diff_changes(config.root, parent, commit), f"commit {commit[:7]}", parent, commit, parent)
        if not changes.changes:
            continue
        _, ownership = policies.at(parent)
        who = attribute_commit(subject, email, ownership)
        if who is None:
            reference = pull_request_of(config.root, commit, subject)
            unattributed.append(UnattributedCommit(commit, date, name, email, subject, reference))
            continue
        # Who changed what, judged as its pull request's check judged it (the first-PR step included).
        found = tuple(change_findings(changes, who, ownership, authored_only=True))
        if found:
            reference = pull_request_of(config.root, commit, subject)
            violations.append(
                CommitViolation(commit, date, author, who.owner, who.signal, subject, found, email, reference)
            )
    return violations, unattributed


def pull_request_of(root: Path, commit: str, subject: str) -> str | None:
    """The pull request a mainline commit landed by, as its platform writes it: ``#12`` from
    GitHub's merge (``Merge pull request #12 from ...``) or squash (``Title (#12)``) subject,
    ``!12`` from GitLab's merge commit message (``See merge request group/project!12``)."""
    match = _PR_MERGE.match(subject) or _SQUASHED_PR.search(subject)
    if match:
        return f"#{match.group('number')}"
    if _BRANCH_MERGE.match(subject):  # GitLab names the merge request in the body only
        try:
            body = git(root, "show", "-s", "--format=%b", commit)
        except GitError:
            return None
        found = _GITLAB_MR.search(body)
        if found:
            return f"!{found.group('number')}"
    return None


class _PolicyAt:
    """The configuration and CODEOWNERS of a commit, read from git and shared by the commits
    whose policy files are the same objects."""

    def __init__(self, config: Config, configure: Configure | None) -> None:
        self.config = config
        self.owners = known_owners(config)
        self.configure = configure or configure_from(config.root, RULES_BY_CODE)
        self._cache: dict[str, tuple[Config, Ownership]] = {}

    def at(self, commit: str) -> tuple[Config, Ownership]:
        if commit == EMPTY_TREE:
            key = ""
        else:
            names = [*CODEOWNERS_LOCATIONS, CONFIG_FILE, PYPROJECT]
            key = git(self.config.root, "ls-tree", commit, "--", *names)
        if key not in self._cache:
            policy = self.configure(revision_reader(self.config.root, commit), commit)
            self._cache[key] = (policy, Ownership(policy, self.owners))
        return self._cache[key]


def _mainline_commits(root: Path, revision_range: str | None, since: str | None) -> list[str]:
    """One record per commit, fields separated by \\x1f with the free-text subject last.

    Records end in NUL (``-z``): a subject may hold any line separator Python knows
    (U+2028, \\x1c), but never NUL.
    """
    if revision_range is not None and revision_range.startswith("-"):  # git would take it as an option
        raise GitError(f"--history {revision_range}: not a revision range (like main~50..main)")
    args = ["log", "-z", "--first-parent", "--format=%H%x1f%aI%x1f%an%x1f%ae%x1f%P%x1f%s"]
    args += [f"--since={since}", "HEAD"] if since else [revision_range or "HEAD"]
    try:
        output = git(root, *args)
    except GitError as exc:
        unknown = _unknown_revision(root, revision_range) if revision_range else None
        raise (unknown or exc) from None
    return [record for record in output.split("\0") if record]


def _unknown_revision(root: Path, revision_range: str) -> GitError | None:
    """Which end of ``revision_range`` does not exist: git log itself only prints its usage text."""
    for end in re.split(r"\.{2,3}", revision_range):
        try:
            git(root, "rev-parse", "--verify", "--quiet", f"{end or 'HEAD'}^{{commit}}")
        except GitError:
            return GitError(
                f"git log failed for --history {revision_range}: unknown revision {end!r} "
                "(no such branch, tag or commit, or older than the first commit)"
            )
    return None


def attribute_commit(subject: str, email: str, ownership: Ownership) -> Author | None:
    known = ownership.known_owners
    for pattern, signal in ((_PR_MERGE, "pull request branch"), (_BRANCH_MERGE, "merged branch")):
        match = pattern.match(subject)
        if match:
            prefix = match.group("branch").split("/", 1)[0]
            if prefix in known:
                return ownership.author(prefix, ownership.login_of(prefix), f"{signal} {match.group('branch')}")
    scope = _SCOPE.match(subject)
    if scope and scope.group("scope") in known:
        owner = scope.group("scope")
        return ownership.author(owner, ownership.login_of(owner), f"commit scope {subject.split(':', 1)[0]}")
    owner = ownership.owner_of_email(email)
    if owner:
        return ownership.author(owner, ownership.login_of(owner), f"e-mail {email} (roster)")
    return None
