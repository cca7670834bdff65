"""Who owns which path, from CODEOWNERS and the roster.

A path is an owner's when it is under ``dags/<owner>/``, or when the repository's
CODEOWNERS (GitHub's last-match-wins semantics, parsed by the ``codeowners`` package)
assigns it to the owner's GitHub (or GitLab) login. GitLab's sections are read as GitLab
reads them: each section is its own last-match-wins file, and a path's owners are those of
every section that matches it. For a change, both come from the commit the change starts
from (``Config.policy_revision``), which the change cannot edit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from airflow_etiquette.config import Config, ConfigError, Reader, read_work_tree
from airflow_etiquette.limits import PATTERN_SECONDS, TooSlow, within
from airflow_etiquette.people.authors import Author
from airflow_etiquette.sources.files import owner_of
from airflow_etiquette.sources.git import EMPTY_TREE, ChangeSet, blob_contents, revision_reader, tree_folders

# GitHub reads .github/, the root, docs/; GitLab the root, docs/, .gitlab/. The first that exists counts.
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
# The CI configuration files whose CODEOWNERS owner runs the repository (see Ownership.policy_logins).
CI_POLICY_FILES = (".github/workflows/airflow-etiquette.yml", ".gitlab-ci.yml")

# A GitLab section heading: [Name], ^[Optional], [Name][2], each with optional default owners.
_SECTION = re.compile(r"^\^?\[(?P<name>[^\]]+)\](?:\[\d+\])?(?P<owners>(?:\s+\S+)*)\s*$")
_ESCAPED_SPACE = "\\ "


def _split_sections(text: str) -> list[tuple[str, bool, frozenset[int], tuple[int, ...]]]:
    """CODEOWNERS text as one plain file per GitLab section, for a parser that knows no sections.

    The entries before the first heading are a section of their own, headings with the same name
    (in any case) are one section, an entry without owners takes its section's default owners, an
    exclusion (``!path``) is an entry with no owners, and roles (``@@developer``) name nobody this
    tool can identify, so they are dropped rather than read as a user called "developer". A file
    without headings is one section: GitHub's semantics, unchanged. Returns, per section, its
    text (its entries only, one per line: a section is not padded out to the file's length, which
    would cost sections times lines), whether it is optional (``^[Name]``; a name once required
    stays required), the lines of its text that are exclusions, and each line's number in the file.
    """
    lines = text.lstrip("\ufeff").splitlines()
    sections: dict[str, list[tuple[int, str]]] = {"": []}
    exclusions: dict[str, set[int]] = {}
    required = {""}
    current, defaults = "", list[str]()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        heading = _SECTION.match(line)
        if heading:
            current = heading.group("name").strip().casefold()
            defaults = heading.group("owners").split()
            sections.setdefault(current, [])
            if not line.startswith("^"):
                required.add(current)
            continue
        path, *owners = line.replace(_ESCAPED_SPACE, "\0").split()
        entries = sections[current]
        if path.startswith("!"):
            path, owners = path[1:], []
            exclusions.setdefault(current, set()).add(len(entries) + 1)
        elif not owners:
            owners = defaults
        owners = [owner for owner in owners if not owner.startswith("@@")]
        entries.append((number, " ".join([path.replace("\0", _ESCAPED_SPACE), *owners])))
    return [
        (
            "\n".join(entry for _, entry in entries),
            name not in required,
            frozenset(exclusions.get(name, ())),
            tuple(number for number, _ in entries),
        )
        for name, entries in sections.items()
        if entries
    ]


class _Sections:
    """The ``codeowners`` parser's interface over every section of a file: ``paths`` (the
    required sections' entries, newest line first, as the parser keeps them), ``of`` (the owners
    every matching section names) and ``deciding`` (the owners whose say is enough, as GitLab's
    approval rules have it).

    An optional section (``^[Name]``) needs nobody's approval in GitLab, so it gives nobody a
    path: its owners are shown, never counted as owning. A path a section excludes (``!path``,
    the last matching line) takes that section out of the match."""

    def __init__(self, text: str, location: str = "CODEOWNERS") -> None:
        from codeowners import CodeOwners  # imported only where a CODEOWNERS exists

        self._location = location

        self._parsed = [
            (CodeOwners(section), optional, excluded, numbers)
            for section, optional, excluded, numbers in _split_sections(text)
        ]
        # (the entries of every required section, the file's last line first)
        self.paths: Sequence[Any] = [
            entry
            for _, entry in sorted(
                (
                    (numbers[int(entry[3]) - 1], entry)
                    for parsed, optional, _, numbers in self._parsed
                    if not optional
                    for entry in parsed.paths
                ),
                key=lambda numbered: -numbered[0],
            )
        ]

    def _matching(self, path: str) -> list[tuple[list[tuple[str, str]], bool]]:
        """The owners of every section that matches ``path``; the parser's wildcards are regular
        expressions, which can backtrack, so a match slow twice in a row is a configuration error."""
        try:
            return within(functools.partial(self._matching_now, path), tries=2)
        except TooSlow:
            raise ConfigError(f"{self._location}: {self._too_slow(path)}") from None

    def _matching_now(self, path: str) -> list[tuple[list[tuple[str, str]], bool]]:
        found: list[tuple[list[tuple[str, str]], bool]] = []
        for parsed, optional, excluded, _ in self._parsed:
            owners, line, _, _ = parsed.matching_line(path)
            if line is not None and line not in excluded:
                found.append((list(owners), optional))
        return found

    def _too_slow(self, path: str) -> str:
        """Which line takes too long to match ``path``, said as a configuration error."""
        for parsed, _, _, numbers in self._parsed:
            for pattern, text, _, line, _ in parsed.paths:
                try:
                    within(functools.partial(pattern.search, path))
                except TooSlow:
                    return (
                        f"line {numbers[line - 1]}, {text[:80]!r}, takes over {PATTERN_SECONDS:g} s to match "
                        f"{path} (its wildcards backtrack); write it with fewer * and ** (one ** matches any depth)"
                    )
        return f"its patterns take over {PATTERN_SECONDS:g} s to match {path}; write them with fewer * and **"

    def of(self, path: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for owners, _ in self._matching(path):
            found += [owner for owner in owners if owner not in found]
        return found

    def deciding(self, path: str) -> list[tuple[str, str]]:
        """Owners in every required section that matches ``path`` (each one's approval is needed);
        in a file without sections, the last matching line's. Optional sections give nobody a path."""
        required = [owners for owners, optional in self._matching(path) if not optional]
        if not required:
            return []
        return [owner for owner in required[0] if all(owner in owners for owners in required[1:])]


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
        self._codeowners: _Sections | None = None
        read = _policy_reader(config)
        for location in CODEOWNERS_LOCATIONS:
            data = read(config.root / location)
            if data is not None:
                text = data.decode("utf-8", errors="replace")
                try:
                    self._codeowners = _Sections(text, location)
                except Exception as exc:  # the parser rejects malformed lines with several error types
                    raise ConfigError(f"{location}: cannot parse: {exc}") from None
                self.codeowners_path, self.codeowners_text = location, text
                break
        self._login_to_owner, self._owner_to_login = self._logins()

    def _owner_line(self) -> re.Pattern[str]:
        folder = re.escape(self.config.dags_folder.strip("/"))
        return re.compile(rf"^/?{folder}/(?P<owner>[^/*?\[\]]+)(?P<dir>/(?:\*\*?)?)?$")

    def _logins(self) -> tuple[dict[str, str], dict[str, str]]:
        """GitHub logins of owners: the roster first, then CODEOWNERS lines like ``/dags/alice/ @alicegh``.
        A line may name several logins (a pair's folder, ``/dags/ahmed/ @ahmed-gh @yusuf-gh``, or
        the teacher beside the student): a login such a line names is that folder's when no line
        names it alone and no other folder's line names it; the folder's own login is the one its
        line names alone, if any."""
        to_owner: dict[str, str] = {}
        to_login: dict[str, str] = {}
        folders_of: dict[str, set[str]] = {}
        lines: list[tuple[str, list[str]]] = []
        owner_pattern = self._owner_line()
        if self._codeowners is not None:
            for _, pattern, owners, _, _ in reversed(self._codeowners.paths):  # (the last line decides)
                match = owner_pattern.match(pattern)
                # /dags/alice/ names a directory; /dags/alice only when there is such a directory
                if not match or not (match.group("dir") or match.group("owner") in self.known_owners):
                    continue
                logins = [name.lstrip("@") for kind, name in owners if kind == "USERNAME"]
                lines.append((match.group("owner"), logins))
                for login in logins:
                    folders_of.setdefault(login.lower(), set()).add(match.group("owner"))
        for owner, logins in lines:
            if len(logins) == 1:
                to_owner.setdefault(logins[0].lower(), owner)
                to_login.setdefault(owner, logins[0])
        for owner, logins in lines:  # (after: a line of its own decides first)
            for login in logins if len(logins) > 1 else ():
                if len(folders_of[login.lower()]) == 1:
                    to_owner.setdefault(login.lower(), owner)
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
        """The logins whose ownership of ``path`` is enough: with GitLab's sections, an owner in
        every required section that matches it."""
        owners = self._codeowners.deciding(path) if self._codeowners is not None else []
        return {name.lstrip("@").lower() for _, name in owners}

    @property
    def staff_logins(self) -> set[str]:
        """Logins CODEOWNERS gives something outside the dags folder (tests, CI, requirements):
        the people who run the repository, whatever student folder they also own."""
        folder = self.config.dags_folder.strip("/")
        staff: set[str] = set()
        for _, pattern, owners, _, _ in self._codeowners.paths if self._codeowners else ():
            bare = pattern.lstrip("/")
            if bare != folder and not bare.startswith(folder + "/") and bare not in ("*", "**", "/"):
                staff.update(name.lstrip("@").lower() for kind, name in owners if kind == "USERNAME")
        return staff

    def in_charge_of(self, path: str) -> bool:
        """Whether CODEOWNERS gives ``path`` to someone in charge: an admin, a login that is no
        student's (no ``dags/<owner>/`` is theirs by CODEOWNERS or the roster), or one that CODEOWNERS
        gives something outside the dags folder (the teacher who also keeps a folder of their own)."""
        staff = self.staff_logins
        for login in self._logins_of(path):  # owners whose say is enough (an optional section's are not)
            owner = self.owner_of_login(login)
            if owner is None or owner in self.config.admins or owner not in self.known_owners or login in staff:
                return True
        return False

    @property
    def policy_logins(self) -> set[str]:
        """Logins CODEOWNERS gives the policy itself (the CODEOWNERS file, the configuration, the
        CI workflows): the teacher, who could grant themselves anything anyway, so an admin."""
        if self._codeowners is None:
            return set()
        policy_paths = [self.codeowners_path or "", *CI_POLICY_FILES]
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
        """Whether a GitHub login is an admin: it owns the policy in CODEOWNERS, or CODEOWNERS or
        the roster maps it to an owner listed in ``admins``. ``admins`` names owners, never logins:
        a short name like ``teacher`` is somebody's GitHub account too."""
        if not login:
            return False
        login = login.lstrip("@").lower()
        owner = self.owner_of_login(login)
        return login in self.policy_logins or (owner is not None and owner in self.config.admins)

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
        logins = {
            login.lstrip("@").lower()
            for _, _, owners, _, _ in (self._codeowners.paths if self._codeowners else ())
            for kind, login in owners
            if kind == "USERNAME"
        }
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
        if author.admin:
            return True
        if author.owner and owner_of(path, self.config) == author.owner:
            return True
        # (CODEOWNERS of the base names the login for the path: a co-owner, mapped or not)
        login = author.login or (self.login_of(author.owner) if author.owner else None)
        if login and login.lower() in self._logins_of(path):
            return True
        return False

    def describe_owner(self, path: str) -> str:
        owners = self.codeowners_of(path)
        if owners:
            return "is owned by " + ", ".join(owners)
        directory_owner = owner_of(path, self.config)
        if directory_owner:
            return f"belongs to {directory_owner}"
        return "has no owner in CODEOWNERS (only the teacher, an admin, may change it)"

    def registers_only(self, new_text: str, author: Author, new_folders: Collection[str]) -> bool:
        """Whether a CODEOWNERS edit only adds the line mapping the author's own new folder to
        them: the class's first-pull-request step ("add your username next to your folder", which
        the class's CODEOWNERS invites by uncommenting an example line). Comments, blank lines, a
        BOM and line endings are not policy and may change."""
        if not author.owner or author.owner not in new_folders:
            return False
        old_rules, new_rules = _rules(self.codeowners_text or ""), _rules(new_text)
        added: list[str] = []
        import difflib  # a CODEOWNERS edit's lines only: not every run's start-up

        for op, _, _, j1, j2 in difflib.SequenceMatcher(a=old_rules, b=new_rules, autojunk=False).get_opcodes():
            if op in ("delete", "replace"):
                return False  # nothing of the base's policy may go
            if op == "insert":
                added += new_rules[j1:j2]
        pattern = self._owner_line()
        mapped = False
        for line in added:
            bare = line.split()
            match = pattern.match(bare[0])
            logins = [name.lstrip("@").lower() for name in bare[1:]]
            if not match or match.group("owner") != author.owner or len(logins) != 1:
                return False
            if author.login is not None and logins[0] != author.login.lower():
                return False  # in CI the login is verified: only your own may go next to your folder
            mapped = True
        return mapped


def _rules(text: str) -> list[str]:
    """The lines of a CODEOWNERS file that say something: no comments, no blank lines, no BOM,
    whitespace folded."""
    rules = []
    for line in text.lstrip("\ufeff").splitlines():
        bare = " ".join(line.split("#", 1)[0].split())
        if bare:
            rules.append(bare)
    return rules


def new_owner_folders(change: ChangeSet, config: Config) -> frozenset[str]:
    """Owner folders the change creates: in its new paths, not in the tree of its policy commit."""
    touched = {owner_of(c.path, config) for c in change.changes if c.status != "D"}
    touched.discard(None)
    if not touched:
        return frozenset()
    existing = tree_folders(config.root, change.policy, config.dags_folder) if change.policy else frozenset()
    if change.old == change.policy:
        merge_base = existing
    else:
        merge_base = (
            tree_folders(config.root, change.old, config.dags_folder) if change.old != EMPTY_TREE else frozenset()
        )
    return frozenset(o for o in touched if o is not None and o not in existing and o not in merge_base)


def changed_codeowners(change: ChangeSet, config: Config) -> dict[str, str]:
    """The change's version of every CODEOWNERS file it adds or edits, by path, for the
    first-pull-request exception (each file is judged by its own content)."""
    edits = {c.path: c.blob for c in change.changes if c.path in CODEOWNERS_LOCATIONS and c.status in "AM" and c.blob}
    contents = blob_contents(config.root, [blob for blob in edits.values() if blob])
    return {path: contents[blob].decode("utf-8", "replace") for path, blob in edits.items() if blob in contents}
