"""Who made a change: the verified login in CI (a GitHub pull request's, a GitLab merge-request
pipeline's user), the usual signals on a laptop."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from airflow_etiquette.config import ConfigError
from airflow_etiquette.sources.git import current_branch, git_email
from airflow_etiquette.sources.github import PullRequest

if TYPE_CHECKING:
    from airflow_etiquette.people.ownership import Ownership


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


def identify_author(
    explicit: str | None,
    environ: Mapping[str, str],
    pull_request: PullRequest | None,
    ownership: Ownership,
    root: Path,
    staged: bool,
    new_folders: Collection[str] = (),
) -> Author | None:
    """The author of the change, by the first signal that answers (see the README).

    In a pull request only its verified login counts: a branch name, an e-mail or an
    environment variable set by an earlier step of the job are the author's to choose.
    Locally nothing is verified, so the usual signals give early advice, and None means
    nothing answered (the ownership check is left to CI).
    """
    if pull_request is not None and not pull_request.author_login:
        raise ConfigError(
            "the pull request event names no author (pull_request.user.login); who made the change "
            "is the pull request's login and nothing else"
        )
    if pull_request is not None and pull_request.author_login:
        if explicit and explicit.strip():
            raise ConfigError(
                "in a pull (or merge) request the author is its verified login "
                f"(@{pull_request.author_login}); --author is for local runs"
            )
        return _pull_request_author(pull_request.author_login, ownership, new_folders, pull_request.author_signal)
    for given, signal in (
        (explicit, "--author"),
        (environ.get("AIRFLOW_STUDENT", ""), "the AIRFLOW_STUDENT environment variable"),
    ):
        if given and given.strip():
            known = ownership.recognise(given)
            if known is None and new_folders:
                # a newcomer's first change, which adds their folder: as for a pull request's login
                return _pull_request_author(given.strip(), ownership, new_folders, signal)
            if known is None:
                raise ConfigError(
                    f"{signal} names {given.strip()!r}, who has no folder under {ownership.config.dags_folder}/, "
                    "no roster entry and no CODEOWNERS line; check the spelling"
                )
            return ownership.author(known[0], known[1], signal)
    pushed = environ.get("PRE_COMMIT_LOCAL_BRANCH", "") if not staged else ""  # pre-push: the branch pushed
    branch = (
        (pull_request.head_branch if pull_request else None)
        or (pushed.removeprefix("refs/heads/") if pushed.startswith("refs/heads/") else None)
        or current_branch(root)
    )
    if branch and "/" in branch:
        prefix = branch.split("/", 1)[0]
        if prefix in ownership.known_owners or prefix in ownership.config.admins:
            return ownership.author(prefix, ownership.login_of(prefix), f"the branch name {branch}")
    email = git_email(root, staged)
    if email:
        owner = ownership.owner_of_email(email)
        if owner:
            return ownership.author(
                owner, ownership.login_of(owner), f"the git e-mail {email} (roster; the weakest signal)"
            )
    return None


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def _pull_request_author(
    login: str, ownership: Ownership, new_folders: Collection[str], signal: str = "the pull request author"
) -> Author:
    login = login.lstrip("@")
    source = (
        "roster"
        if any(e.github and e.github.lower() == login.lower() for e in ownership.config.roster)
        else ownership.codeowners_path or "CODEOWNERS"
    )
    owner = ownership.owner_of_login(login)
    if ownership.is_admin_login(login):
        why = (
            f"who owns the repository's policy in {ownership.codeowners_path}"
            if login.lower() in ownership.policy_logins
            else f"an admin by the {source}"
        )
        return Author(owner or login, login, f"{signal} @{login} ({why})", admin=True)
    if owner:
        return Author(owner, login, f"{signal} @{login} ({source})")
    # A new folder is a newcomer's to claim only if it is nobody's: not listed, not an admin's
    # name, and not another spelling of an existing owner (dags/Maria/ writes to maria's schema,
    # since Postgres folds unquoted names).
    existing = {o for o in ownership.known_owners if o not in new_folders}
    taken = {_folded(o) for o in (*ownership.listed_owners, *existing, *ownership.config.admins)}
    unclaimed = sorted(f for f in set(new_folders) if _folded(f) not in taken)
    folder = unclaimed[0] if len(unclaimed) == 1 and len(new_folders) == 1 else ""
    return Author(folder, login, f"{signal} @{login}, not mapped to a folder in {source}", newcomer=True)
