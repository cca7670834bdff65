"""Who owns which path, who made a change, and whether they were allowed to.

A path is an owner's when it is under ``dags/<owner>/``, or when the
repository's CODEOWNERS (GitHub's last-match-wins semantics, parsed by the
``codeowners`` package) assigns it to the owner's GitHub login. Admins may
change anything.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from airflow_etiquette.sources.git import (
    EMPTY_TREE, ChangeSet, PullRequest, blob_contents, current_branch, git_email, revision_reader, symlink_targets,
    tree_entries, tree_folders,
)
from airflow_etiquette.config import Config, ConfigError, Reader, read_work_tree
from airflow_etiquette.sources.files import in_dags_folder, owner_of
from airflow_etiquette.findings import Finding
from airflow_etiquette.rules import RULES_BY_CODE

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class Author:
    """Who made a change: an owner name, their GitHub login if known, and what told us.

    ``admin``: the teacher (an ``admins`` owner, or a login that owns the repository's policy
    in CODEOWNERS), who may change anything. ``newcomer``: a pull-request login nobody has
    mapped yet, who may only create one new owner folder (``owner``; empty when the change
    creates none or several) and map it to themselves in CODEOWNERS.
    """

    owner: str
    login: str | None
    signal: str
    admin: bool = False
    newcomer: bool = False

    def describe(self) -> str:
        if self.newcomer:
            return f"@{self.login} (not mapped to a folder yet)"
        return f"{self.login} ({self.owner})" if self.login and self.login != self.owner else (self.login or self.owner)


def _policy_reader(config: Config) -> Reader:
    return revision_reader(config.root, config.policy_revision) if config.policy_revision else read_work_tree


class Ownership:
    """The repository's CODEOWNERS and roster, with the questions the rules ask of them.

    Both come from ``config.policy_revision`` when a change is judged (the base, which the
    change cannot edit), else from the work tree.
    """

    def __init__(self, config: Config, known_owners: Iterable[str]) -> None:
        self.config = config
        self.known_owners = frozenset(known_owners) | {entry.owner for entry in config.roster}
        self.codeowners_path: str | None = None
        self.codeowners_text: str | None = None
        self._codeowners = None
        read = _policy_reader(config)
        for location in CODEOWNERS_LOCATIONS:
            data = read(config.root / location)
            if data is not None:
                from codeowners import CodeOwners  # imported only where a CODEOWNERS exists

                text = data.decode("utf-8", errors="replace")
                try:
                    self._codeowners = CodeOwners(text)
                except Exception as exc:  # the parser rejects malformed lines with several error types
                    raise ConfigError(f"{location}: cannot parse: {exc}") from None
                self.codeowners_path, self.codeowners_text = location, text
                break
        self._login_to_owner, self._owner_to_login = self._logins()

    def _owner_line(self) -> re.Pattern[str]:
        folder = re.escape(self.config.dags_folder.strip("/"))
        return re.compile(rf"^/?{folder}/(?P<owner>[^/*?\[\]]+)(?P<dir>/(?:\*\*?)?)?$")

    def _logins(self) -> tuple[dict[str, str], dict[str, str]]:
        """GitHub logins of owners: the roster first, then CODEOWNERS lines like ``/dags/alice/ @alicegh``."""
        to_owner: dict[str, str] = {}
        to_login: dict[str, str] = {}
        owner_pattern = self._owner_line()
        if self._codeowners is not None:
            for _, pattern, owners, _, _ in reversed(self._codeowners.paths):
                match = owner_pattern.match(pattern)
                # /dags/alice/ names a directory; /dags/alice only when there is such a directory
                if not match or not (match.group("dir") or match.group("owner") in self.known_owners):
                    continue
                logins = [name.lstrip("@") for kind, name in owners if kind == "USERNAME"]
                if len(logins) == 1:
                    to_owner.setdefault(logins[0].lower(), match.group("owner"))
                    to_login.setdefault(match.group("owner"), logins[0])
        for entry in self.config.roster:
            if entry.github:
                to_owner[entry.github.lower()] = entry.owner
                to_login[entry.owner] = entry.github
        return to_owner, to_login

    @property
    def listed_owners(self) -> set[str]:
        """Owners named in the roster or with a directory line in CODEOWNERS."""
        return {entry.owner for entry in self.config.roster} | set(self._owner_to_login)

    def _logins_of(self, path: str) -> set[str]:
        return {o.lstrip("@").lower() for o in self.codeowners_of(path)}

    @property
    def staff_logins(self) -> set[str]:
        """Logins CODEOWNERS gives something outside the dags folder (tests, CI, requirements):
        the people who run the repository, whatever student folder they also own."""
        folder = self.config.dags_folder.strip("/")
        staff: set[str] = set()
        for _, pattern, owners, _, _ in (self._codeowners.paths if self._codeowners else ()):
            bare = pattern.lstrip("/")
            if bare != folder and not bare.startswith(folder + "/") and bare not in ("*", "**", "/"):
                staff.update(name.lstrip("@").lower() for kind, name in owners if kind == "USERNAME")
        return staff

    @property
    def policy_logins(self) -> set[str]:
        """Logins CODEOWNERS gives the policy itself (the CODEOWNERS file, the configuration, the
        CI workflows): the teacher, who could grant themselves anything anyway, so an admin."""
        if self._codeowners is None:
            return set()
        policy_paths = [self.codeowners_path or "", ".github/workflows/airflow-etiquette.yml"]
        if self.config.source is not None:
            try:
                policy_paths.append(self.config.source.resolve().relative_to(self.config.root.resolve()).as_posix())
            except ValueError:
                pass
        found: set[str] = set()
        for path in policy_paths:
            found |= self._logins_of(path)
        return found

    def codeowners_of(self, path: str) -> list[str]:
        if self._codeowners is None:
            return []
        return [name for _, name in self._codeowners.of(path)]

    def is_admin_login(self, login: str | None) -> bool:
        if not login:
            return False
        login = login.lstrip("@").lower()
        owner = self.owner_of_login(login)
        return login in self.policy_logins or (owner is not None and owner in self.config.admins) \
            or login in {a.lower() for a in self.config.admins}

    def recognise(self, name: str) -> tuple[str, str | None] | None:
        """(owner, login) for an owner name or a GitHub login, in any case; None when the
        repository knows no such person (no folder, roster entry, CODEOWNERS login or admin)."""
        name = name.strip().lstrip("@")
        owner = self.owner_of_login(name)
        if owner is not None:
            return owner, self.login_of(owner) or name
        people = {o.lower(): o for o in (*self.known_owners, *self.config.admins, *self.listed_owners)}
        if name.lower() in people:
            owner = people[name.lower()]
            return owner, self.login_of(owner)
        logins = {login.lstrip("@").lower() for _, _, owners, _, _ in (self._codeowners.paths if self._codeowners else ())
                  for kind, login in owners if kind == "USERNAME"}
        if name.lower() in logins:
            return name, name
        return None

    def author(self, owner: str, login: str | None, signal: str) -> Author:
        admin = owner in self.config.admins or self.is_admin_login(login or self.login_of(owner))
        return Author(owner, login, signal, admin=admin)

    def owner_of_login(self, login: str) -> str | None:
        return self._login_to_owner.get(login.lstrip("@").lower())

    def login_of(self, owner: str) -> str | None:
        return self._owner_to_login.get(owner)

    def owner_of_email(self, email: str) -> str | None:
        for entry in self.config.roster:
            if email.lower() in entry.emails:
                return entry.owner
        return None

    def may_change(self, author: Author, path: str) -> bool:
        if author.admin or author.owner in self.config.admins:
            return True
        if author.owner and owner_of(path, self.config) == author.owner:
            return True
        if author.newcomer:
            return False
        login = author.login or self.login_of(author.owner)
        return bool(login) and login.lower() in self._logins_of(path)  # type: ignore[union-attr]

    def describe_owner(self, path: str) -> str:
        owners = self.codeowners_of(path)
        if owners:
            return "is owned by " + ", ".join(owners)
        directory_owner = owner_of(path, self.config)
        if directory_owner:
            return f"belongs to {directory_owner}"
        return "is shared (no CODEOWNERS entry)"

    def registers_only(self, new_text: str, author: Author, new_folders: Collection[str]) -> bool:
        """Whether a CODEOWNERS edit only adds the line mapping the author's own new folder to
        them: the class's first-pull-request step ("add your username next to your folder")."""
        if not author.owner or author.owner not in new_folders:
            return False
        old_lines = (self.codeowners_text or "").splitlines()
        added: list[str] = []
        for op, _, _, j1, j2 in difflib.SequenceMatcher(a=old_lines, b=new_text.splitlines(),
                                                         autojunk=False).get_opcodes():
            if op in ("delete", "replace"):
                return False  # nothing of the base's policy may go
            if op == "insert":
                added += new_text.splitlines()[j1:j2]
        pattern = self._owner_line()
        mapped = False
        for line in added:
            bare = line.split("#", 1)[0].split()
            if not bare:
                continue  # a blank line or a comment
            match = pattern.match(bare[0])
            logins = [name.lstrip("@").lower() for name in bare[1:]]
            if not match or match.group("owner") != author.owner or len(logins) != 1:
                return False
            if author.login is not None and logins[0] != author.login.lower():
                return False  # in CI the login is verified: only your own may go next to your folder
            mapped = True
        return mapped


def identify_author(
    explicit: str | None, environ: Mapping[str, str], pull_request: PullRequest | None,
    ownership: Ownership, root: Path, staged: bool, new_folders: Collection[str] = (),
) -> Author | None:
    """The author of the change, by the first signal that answers (see the README).

    In a pull request only its verified login counts: a branch name, an e-mail or an
    environment variable set by an earlier step of the job are the author's to choose.
    Locally nothing is verified, so the usual signals give early advice, and None means
    nothing answered (the ownership check is left to CI).
    """
    if pull_request is not None and pull_request.author_login:
        if explicit and explicit.strip():
            raise ConfigError("in a pull request the author is its verified login "
                              f"(@{pull_request.author_login}); --author is for local runs")
        return _pull_request_author(pull_request.author_login, ownership, new_folders)
    for given, signal in ((explicit, "--author"), (environ.get("AIRFLOW_STUDENT", ""), "the AIRFLOW_STUDENT environment variable")):
        if given and given.strip():
            known = ownership.recognise(given)
            if known is None:
                raise ConfigError(
                    f"{signal} names {given.strip()!r}, who has no folder under {ownership.config.dags_folder}/, "
                    "no roster entry and no CODEOWNERS line; check the spelling")
            return ownership.author(known[0], known[1], signal)
    branch = (pull_request.head_branch if pull_request else None) or current_branch(root)
    if branch and "/" in branch:
        prefix = branch.split("/", 1)[0]
        if prefix in ownership.known_owners or prefix in ownership.config.admins:
            return ownership.author(prefix, ownership.login_of(prefix), f"the branch name {branch}")
    email = git_email(root, staged)
    if email:
        owner = ownership.owner_of_email(email)
        if owner:
            return ownership.author(owner, ownership.login_of(owner),
                                    f"the git e-mail {email} (roster; the weakest signal)")
    return None


def _pull_request_author(login: str, ownership: Ownership, new_folders: Collection[str]) -> Author:
    login = login.lstrip("@")
    source = ("roster" if any(e.github and e.github.lower() == login.lower() for e in ownership.config.roster)
              else ownership.codeowners_path or "CODEOWNERS")
    owner = ownership.owner_of_login(login)
    if ownership.is_admin_login(login):
        return Author(owner or login, login, f"the pull request author @{login} (who owns the repository's "
                                              f"policy in {source})", admin=True)
    if owner:
        return Author(owner, login, f"the pull request author @{login} ({source})")
    unclaimed = sorted(set(new_folders) - ownership.listed_owners)
    folder = unclaimed[0] if len(unclaimed) == 1 else ""
    return Author(folder, login, f"the pull request author @{login}, not mapped to a folder in {source}",
                  newcomer=True)


def new_owner_folders(change: ChangeSet, config: Config) -> frozenset[str]:
    """Owner folders the change creates: in its new paths, not in the tree of its policy commit."""
    touched = {owner_of(c.path, config) for c in change.changes if c.status != "D"}
    touched.discard(None)
    if not touched:
        return frozenset()
    existing = tree_folders(config.root, change.policy, config.dags_folder) if change.policy else frozenset()
    merge_base = tree_folders(config.root, change.old, config.dags_folder) if change.old != EMPTY_TREE else frozenset()
    return frozenset(o for o in touched if o is not None and o not in existing and o not in merge_base)


def changed_codeowners(change: ChangeSet, config: Config) -> str | None:
    """The change's version of a CODEOWNERS file it edits, for the first-pull-request exception."""
    edits = [c for c in change.changes if c.path in CODEOWNERS_LOCATIONS and c.status in "AM" and c.blob]
    if not edits:
        return None
    content = blob_contents(config.root, [edits[0].blob or ""]).get(edits[0].blob or "")
    return content.decode("utf-8", "replace") if content is not None else None


def outside_own_directory(change_set: ChangeSet, author: Author, ownership: Ownership,
                          new_folders: Collection[str] = (), new_codeowners: str | None = None) -> list[Finding]:
    """ETQ201: every changed path the author does not own (the first-pull-request CODEOWNERS
    line excepted: ``new_codeowners`` is the change's version of the base's CODEOWNERS)."""
    rule = RULES_BY_CODE["ETQ201"]
    config = ownership.config
    own = f"{config.dags_folder}/{author.owner}/"
    findings = []
    for change in change_set.changes:
        for path in change.touched:
            if ownership.may_change(author, path):
                continue
            if (path == ownership.codeowners_path or (ownership.codeowners_path is None and path in CODEOWNERS_LOCATIONS)) \
                    and change.status in "AM" and new_codeowners is not None \
                    and ownership.registers_only(new_codeowners, author, new_folders):
                continue
            action = {"D": " (deleted)", "R": " (renamed)"}.get(change.status, "")
            if author.newcomer and not author.owner:
                allowed = (f"@{author.login} is not mapped to a folder yet: a first pull request may add one new "
                           f"folder {config.dags_folder}/<name>/ (and its CODEOWNERS line '/{config.dags_folder}/"
                           f"<name>/ @{author.login}'); for an existing folder the teacher adds that line on the base "
                           "branch")
            elif author.newcomer:
                allowed = (f"@{author.login} (not mapped yet) may only add {own} and its CODEOWNERS line "
                           f"'/{own} @{author.login}'")
            else:
                allowed = f"{author.describe()} may only change {own}"
            message = f"{path}{action} {ownership.describe_owner(path)}; {allowed}"
            findings.append(Finding(path, 1, 1, rule.code, rule.name, rule.severity, message))
    return findings


MAX_LINK_HOPS = 40  # what Linux allows before ELOOP


def resolve_link(path: str, links: Mapping[str, str]) -> tuple[str, ...] | str:
    """Where the symlink ``path`` (relative to the root) leads, component by component as the
    OS resolves it: ``here/../x`` with ``here -> .`` goes up from where ``here`` leads, not from
    ``here`` on paper. ``links`` maps every symlink of the tree to its target. A string says
    why there is no such place: "outside" (an absolute path, or above the root) or "loop"."""
    resolved: list[str] = path.split("/")[:-1]
    pending = links[path].split("/")
    if links[path].startswith("/"):
        return "outside"
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return "outside"  # above the root
            resolved.pop()
            continue
        resolved.append(part)
        here = "/".join(resolved)
        if here in links:
            hops += 1
            if hops > MAX_LINK_HOPS:
                return "loop"
            if links[here].startswith("/"):
                return "outside"
            resolved.pop()
            pending = links[here].split("/") + pending
    return tuple(resolved)


def symlink_problem(path: str, links: Mapping[str, str], is_dir: Callable[[str], bool], config: Config) -> str | None:
    """ETQ202's message for the symlink at ``path`` in the dags folder, or None when it is harmless:
    a link to a regular file inside its owner's folder, which is checked where it is."""
    owner = owner_of(path, config)
    if owner in config.admins:
        return None
    target = links[path]
    own = f"{config.dags_folder}/{owner}/" if owner else f"{config.dags_folder}/"
    resolved = resolve_link(path, links)
    if resolved == "loop":
        return f"{path} is a symlink to {target}, which leads back to itself (a loop); remove it"
    if isinstance(resolved, str):
        return f"{path} is a symlink to {target}, outside {own}; copy what you need into {own} instead"
    where = "/".join(resolved)
    if owner is not None and not (where + "/").startswith(own):
        return f"{path} is a symlink to {target}, outside {own}; copy what you need into {own} instead"
    if is_dir(where):
        return (f"{path} is a symlink to the folder {target}; the scheduler walks into it (a link to . or a parent "
                "makes a loop that breaks the dags folder for everyone) and no check follows it; remove it")
    if owner is not None and path.endswith(".py") and not where.endswith(".py"):
        return (f"{path} is a symlink to {target}, which the scheduler loads as Python but no check reads; "
                "make it a regular file")
    return None


def symlink_findings(paths: Iterable[str], links: Mapping[str, str], is_dir: Callable[[str], bool],
                     config: Config) -> list[Finding]:
    rule = RULES_BY_CODE["ETQ202"]
    findings = []
    for path in sorted(set(paths)):
        message = symlink_problem(path, links, is_dir, config) if path in links else None
        if message:
            findings.append(Finding(path, 1, 1, rule.code, rule.name, rule.severity, message))
    return findings


def symlinks_in_changes(change_set: ChangeSet, config: Config) -> list[Finding]:
    """ETQ202 for the symlinks a change adds, resolved in the tree the change ends in (read from
    git, never from the work tree: in a pull_request_target run that is the base)."""
    changed = [c.path for c in change_set.changes if c.symlink and c.status != "D" and in_dags_folder(c.path, config)]
    if not changed:
        return []
    entries = tree_entries(config.root, change_set.head, config.dags_folder)
    links = symlink_targets(config.root, entries)
    folders = {"/".join(p.split("/")[:n]) for p in entries for n in range(1, p.count("/") + 1)}
    return symlink_findings(changed, links, folders.__contains__, config)


def symlinks_in_tree(config: Config, roots: Sequence[Path] = ()) -> list[Finding]:
    """ETQ202 over the dags folder (or the given directories and symlinks inside it), on disk."""
    links: dict[str, str] = {}
    reported: list[str] = []
    root = config.root

    def relative(full: str) -> str:
        return Path(full).relative_to(root).as_posix()

    for current, dirnames, filenames in os.walk(config.dags_path, followlinks=False):
        for name in (*dirnames, *filenames):
            full = os.path.join(current, name)
            if os.path.islink(full):
                links[relative(full)] = os.readlink(full)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    for base in roots or (config.dags_path,):
        prefix = relative(os.path.abspath(base))
        reported += [p for p in links if p == prefix or p.startswith(prefix + "/")]

    def is_dir(path: str) -> bool:
        full = root / path
        return full.is_dir() and not full.is_symlink()

    return symlink_findings(reported, links, is_dir, config)


def gitlinks_in_changes(change_set: ChangeSet, config: Config) -> list[Finding]:
    """ETQ204: a submodule (gitlink) the change adds under the dags folder."""
    return gitlink_findings([c.path for c in change_set.changes
                             if c.gitlink and c.status != "D" and in_dags_folder(c.path, config)], config)


def gitlink_findings(paths: Iterable[str], config: Config) -> list[Finding]:
    rule = RULES_BY_CODE["ETQ204"]
    return [Finding(path, 1, 1, rule.code, rule.name, rule.severity,
                    f"{path} is a git submodule: the scheduler loads its files, but they live in another "
                    "repository that no check (and no review here) sees; copy the DAG files in instead")
            for path in sorted(set(paths))]


def change_findings(change_set: ChangeSet, author: Author | None, ownership: Ownership,
                    new_folders: Collection[str] = (), new_codeowners: str | None = None) -> list[Finding]:
    """ETQ201 (when the author is known), ETQ202 and ETQ204 for a change set; the caller filters by config."""
    findings: list[Finding] = []
    if author is not None:
        findings += outside_own_directory(change_set, author, ownership, new_folders, new_codeowners)
    findings += symlinks_in_changes(change_set, ownership.config)
    findings += gitlinks_in_changes(change_set, ownership.config)
    return findings
