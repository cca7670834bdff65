"""Who owns which path, who made a change, and whether they were allowed to.

A path is an owner's when it is under ``dags/<owner>/``, or when the
repository's CODEOWNERS (GitHub's last-match-wins semantics, parsed by the
``codeowners`` package) assigns it to the owner's GitHub login. Admins may
change anything.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from airflow_etiquette.changes import ChangeSet, PullRequest, current_branch, git_email, symlink_target
from airflow_etiquette.config import Config, ConfigError
from airflow_etiquette.discovery import owner_of
from airflow_etiquette.findings import Finding
from airflow_etiquette.rules import RULES_BY_CODE

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class Author:
    """Who made a change: an owner name, their GitHub login if known, and what told us."""

    owner: str
    login: str | None
    signal: str

    def describe(self) -> str:
        return f"{self.login} ({self.owner})" if self.login else self.owner


class Ownership:
    """The repository's CODEOWNERS and roster, with the questions the rules ask of them."""

    def __init__(self, config: Config, known_owners: Iterable[str]) -> None:
        self.config = config
        self.known_owners = frozenset(known_owners) | {entry.owner for entry in config.roster}
        self.codeowners_path: str | None = None
        self._codeowners = None
        for location in CODEOWNERS_LOCATIONS:
            path = config.root / location
            if path.is_file():
                from codeowners import CodeOwners  # imported only where a CODEOWNERS exists

                try:
                    self._codeowners = CodeOwners(path.read_text(encoding="utf-8", errors="replace"))
                except Exception as exc:  # the parser rejects malformed lines with several error types
                    raise ConfigError(f"{location}: cannot parse: {exc}") from None
                self.codeowners_path = location
                break
        self._login_to_owner, self._owner_to_login = self._logins()

    def _logins(self) -> tuple[dict[str, str], dict[str, str]]:
        """GitHub logins of owners: the roster first, then CODEOWNERS lines like ``/dags/alice/ @alicegh``."""
        to_owner: dict[str, str] = {}
        to_login: dict[str, str] = {}
        folder = re.escape(self.config.dags_folder.strip("/"))
        owner_pattern = re.compile(rf"^/?{folder}/(?P<owner>[^/*?\[\]]+)(?P<dir>/(?:\*\*?)?)?$")
        if self._codeowners is not None:
            for _, pattern, owners, _, _ in reversed(self._codeowners.paths):
                match = owner_pattern.match(pattern)
                # /dags/alice/ names a directory; /dags/alice only when there is such a directory
                if not match or not (match.group("dir") or (self.config.dags_path / match.group("owner")).is_dir()):
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

    def codeowners_of(self, path: str) -> list[str]:
        if self._codeowners is None:
            return []
        return [name for _, name in self._codeowners.of(path)]

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
        if author.owner in self.config.admins:
            return True
        if owner_of(path, self.config) == author.owner:
            return True
        login = author.login or self.login_of(author.owner)
        owners = {o.lstrip("@").lower() for o in self.codeowners_of(path)}
        return bool(login) and login.lower() in owners  # type: ignore[union-attr]

    def describe_owner(self, path: str) -> str:
        owners = self.codeowners_of(path)
        if owners:
            return "is owned by " + ", ".join(owners)
        directory_owner = owner_of(path, self.config)
        if directory_owner:
            return f"belongs to {directory_owner}"
        return "is shared (no CODEOWNERS entry)"


def identify_author(
    explicit: str | None, environ: Mapping[str, str], pull_request: PullRequest | None,
    ownership: Ownership, root: Path, staged: bool,
) -> Author:
    """The author of the change, by the first signal that answers (see the README)."""
    for given, signal in ((explicit, "--author"), (environ.get("AIRFLOW_STUDENT", ""), "the AIRFLOW_STUDENT environment variable")):
        if given and given.strip():
            known = ownership.recognise(given)
            if known is None:
                raise ConfigError(
                    f"{signal} names {given.strip()!r}, who has no folder under {ownership.config.dags_folder}/, "
                    "no roster entry and no CODEOWNERS line; check the spelling")
            return Author(known[0], known[1], signal)
    if pull_request and pull_request.author_login:
        owner = ownership.owner_of_login(pull_request.author_login)
        if owner:
            source = "roster" if any(e.github and e.github.lower() == pull_request.author_login.lower()
                                     for e in ownership.config.roster) else ownership.codeowners_path or "CODEOWNERS"
            return Author(owner, pull_request.author_login,
                          f"the pull request author @{pull_request.author_login} ({source})")
    branch = (pull_request.head_branch if pull_request else None) or current_branch(root)
    if branch and "/" in branch:
        prefix = branch.split("/", 1)[0]
        if prefix in ownership.known_owners:
            return Author(prefix, ownership.login_of(prefix), f"the branch name {branch}")
    email = git_email(root, staged)
    if email:
        owner = ownership.owner_of_email(email)
        if owner:
            return Author(owner, ownership.login_of(owner), f"the git e-mail {email} (roster; the weakest signal)")
    if pull_request and pull_request.author_login:
        raise ConfigError(
            f"cannot tell whose folder the pull request author @{pull_request.author_login} works in: add "
            f"'/{ownership.config.dags_folder}/<name>/ @{pull_request.author_login}' to CODEOWNERS, or "
            f'<name> = {{ github = "{pull_request.author_login}" }} under [tool.airflow-etiquette.owners]')
    raise ConfigError(
        "cannot tell who made this change: pass --author NAME, set AIRFLOW_STUDENT, use a branch named "
        "<name>/<topic>, or list your e-mail under [tool.airflow-etiquette.owners]")


def outside_own_directory(change_set: ChangeSet, author: Author, ownership: Ownership) -> list[Finding]:
    """ETQ201: every changed path the author does not own."""
    rule = RULES_BY_CODE["ETQ201"]
    own = f"{ownership.config.dags_folder}/{author.owner}/"
    findings = []
    for change in change_set.changes:
        for path in change.touched:
            if ownership.may_change(author, path):
                continue
            action = {"D": " (deleted)", "R": " (renamed)"}.get(change.status, "")
            message = f"{path}{action} {ownership.describe_owner(path)}; {author.describe()} may only change {own}"
            findings.append(Finding(path, 1, 1, rule.code, rule.name, rule.severity, message))
    return findings


def escaping_symlink_message(path: str, target: str, config: Config) -> str | None:
    """ETQ202's message when the symlink at ``path`` points outside its owner's directory."""
    owner = owner_of(path, config)
    if owner is None or owner in config.admins:
        return None
    own = f"{config.dags_folder}/{owner}/"
    if target.startswith("/"):
        return f"{path} is a symlink to {target}, outside {own}; copy what you need into {own} instead"
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if (resolved + "/").startswith(own):
        return None
    return f"{path} is a symlink to {target}, outside {own}; copy what you need into {own} instead"


def escaping_symlinks_in_changes(change_set: ChangeSet, config: Config) -> list[Finding]:
    rule = RULES_BY_CODE["ETQ202"]
    findings = []
    for change in change_set.changes:
        target = symlink_target(change, config.root) if change.status != "D" else None
        message = escaping_symlink_message(change.path, target, config) if target else None
        if message:
            findings.append(Finding(change.path, 1, 1, rule.code, rule.name, rule.severity, message))
    return findings


def escaping_symlinks_in_tree(config: Config, roots: Sequence[Path] = ()) -> list[Finding]:
    """ETQ202 over the dags folder (or the given directories and symlinks inside it):
    symlinked files and directories inside owner directories that point outside them."""
    rule = RULES_BY_CODE["ETQ202"]
    found: dict[str, Finding] = {}

    def visit(full: str) -> None:
        relpath = Path(full).relative_to(config.root).as_posix()
        message = escaping_symlink_message(relpath, os.readlink(full), config)
        if message:
            found[relpath] = Finding(relpath, 1, 1, rule.code, rule.name, rule.severity, message)

    for base in roots or (config.dags_path,):
        if os.path.islink(base):
            visit(str(base))
            continue
        for current, dirnames, filenames in os.walk(base, followlinks=False):
            for name in (*dirnames, *filenames):
                if os.path.islink(os.path.join(current, name)):
                    visit(os.path.join(current, name))
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    return list(found.values())


def change_findings(change_set: ChangeSet, author: Author | None, ownership: Ownership) -> list[Finding]:
    """ETQ201 (when the author is known) and ETQ202 for a change set; the caller filters by config."""
    findings: list[Finding] = []
    if author is not None:
        findings += outside_own_directory(change_set, author, ownership)
    findings += escaping_symlinks_in_changes(change_set, ownership.config)
    return findings
