"""What a GitHub Actions pull-request run says about the change: base, head and author."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass

from airflow_etiquette.config import ConfigError


@dataclass(frozen=True)
class PullRequest:
    """What a CI run says about the change it checks: a GitHub Actions pull_request event, or a
    GitLab merge-request pipeline (sources.gitlab)."""

    base_ref: str  # what to diff against: the base commit, else origin/<base branch>
    head_branch: str | None
    author_login: str | None
    head_sha: str | None = None
    # pull_request_target: the work tree is the base, and the pull request's files are read
    # from git objects (its head commit, fetched as data) only.
    target: bool = False
    # How the output names who the login is (GitLab's merge request: the pipeline's user).
    author_signal: str = "the pull request author"


def github_pull_request(environ: Mapping[str, str]) -> PullRequest | None:
    """The pull request of this GitHub Actions run, or None outside a pull_request event."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return None
    event = environ.get("GITHUB_EVENT_NAME", "")
    payload: dict[str, object] = {}
    path = environ.get("GITHUB_EVENT_PATH")
    if event.startswith("pull_request") and not (path and os.path.isfile(path)):
        # Without the event nothing verified says who opened the pull request or what it is: never guess.
        raise ConfigError(
            f"a {event} run without its event file (GITHUB_EVENT_PATH={path or 'unset'}): "
            "cannot tell who opened the pull request"
        )
    if path and os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as handle:
                loaded = json.load(handle)
            payload = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError) as exc:
            if event.startswith("pull_request"):  # without it, who made the change is unknown: never guess
                raise ConfigError(f"cannot read the {event} event at GITHUB_EVENT_PATH ({path}): {exc}") from None
    pr = payload.get("pull_request")
    if not event.startswith("pull_request") and not isinstance(pr, dict):
        return None
    pr = pr if isinstance(pr, dict) else {}
    base = pr.get("base") if isinstance(pr.get("base"), dict) else {}
    head = pr.get("head") if isinstance(pr.get("head"), dict) else {}
    user = pr.get("user") if isinstance(pr.get("user"), dict) else {}
    base_sha = base.get("sha") if isinstance(base, dict) else None
    base_branch = environ.get("GITHUB_BASE_REF") or (base.get("ref") if isinstance(base, dict) else None)
    base_ref = str(base_sha) if base_sha else (f"origin/{base_branch}" if base_branch else "")
    if not base_ref:
        if event.startswith("pull_request"):  # a plain check of the tree would pass what the change did
            raise ConfigError(
                f"a {event} run whose event names no base (no pull_request.base in {path}, GITHUB_BASE_REF "
                "unset): cannot tell what the pull request changes"
            )
        return None
    head_branch = environ.get("GITHUB_HEAD_REF") or (head.get("ref") if isinstance(head, dict) else None)
    login = user.get("login") if isinstance(user, dict) else None
    head_sha = head.get("sha") if isinstance(head, dict) else None
    return PullRequest(
        base_ref,
        str(head_branch) if head_branch else None,
        str(login) if login else None,
        str(head_sha) if head_sha else None,
        event == "pull_request_target",
    )
