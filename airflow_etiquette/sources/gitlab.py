"""What a GitLab CI merge-request pipeline says about the change: base, source branch and user.

GitLab has no event file: a merge-request pipeline (``CI_PIPELINE_SOURCE=merge_request_event``)
carries the merge request in predefined variables. The base is ``CI_MERGE_REQUEST_TARGET_BRANCH_SHA``
in a merged-results pipeline, else ``CI_MERGE_REQUEST_DIFF_BASE_SHA`` (the target branch's commit
the diff starts from), else ``origin/<target branch>``; the author is
``GITLAB_USER_LOGIN``, the user GitLab says started the pipeline: for a merge request, whoever
pushed the commit it runs for, or ran or retried it by hand, not necessarily who opened it.
The work tree is the merge request's commit (or GitLab's merge of it into the target), so the
change is read from HEAD, exactly as for GitHub's ``pull_request`` event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from airflow_etiquette.config import ConfigError
from airflow_etiquette.sources.github import PullRequest

AUTHOR_SIGNAL = "the merge request pipeline's user"


def gitlab_merge_request(environ: Mapping[str, str]) -> PullRequest | None:
    """The merge request of this GitLab CI job, or None outside a merge-request pipeline.

    A merge-request pipeline without the variables that say what to compare with or who ran it
    is an error, never a guess (a branch name or a commit e-mail is the author's to choose).
    """
    if environ.get("GITLAB_CI") != "true" or environ.get("CI_PIPELINE_SOURCE") != "merge_request_event":
        return None
    # A merged-results (or merge-train) pipeline runs on the merge of the merge request into the
    # target branch as it is now: its diff base is the target's commit that merge was made on, not
    # the older fork point (from which every commit merged to main since would look like the
    # author's). GitLab sets CI_MERGE_REQUEST_TARGET_BRANCH_SHA only in those pipelines.
    variable = "CI_MERGE_REQUEST_TARGET_BRANCH_SHA"
    base_sha = environ.get(variable, "").strip()
    if not base_sha:
        variable = "CI_MERGE_REQUEST_DIFF_BASE_SHA"
        base_sha = environ.get(variable, "").strip()
    target = environ.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "").strip()
    if base_sha and not re.fullmatch(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}", base_sha):
        raise ConfigError(f"{variable} is not a commit id: {base_sha!r}")
    if not base_sha and not target:
        raise ConfigError(
            "a merge_request_event pipeline without CI_MERGE_REQUEST_DIFF_BASE_SHA or "
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME: cannot tell what the merge request changes"
        )
    login = environ.get("GITLAB_USER_LOGIN", "").strip().lstrip("@")
    if not login:
        raise ConfigError(
            "a merge_request_event pipeline without GITLAB_USER_LOGIN: cannot tell who made the change "
            "(the pipeline's user is the author in a merge request, and nothing else)"
        )
    source = environ.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "").strip()
    return PullRequest(
        base_ref=base_sha.lower() if base_sha else f"origin/{target}",
        head_branch=source or None,
        author_login=login,
        author_signal=AUTHOR_SIGNAL,
    )
