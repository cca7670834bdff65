"""people.authors and people.ownership in-process, on a real git repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, make_repo

from airflow_etiquette.config import ConfigError, load_config
from airflow_etiquette.people.authors import identify_author
from airflow_etiquette.people.ownership import Ownership
from airflow_etiquette.rules import RULES_BY_CODE
from airflow_etiquette.sources.github import PullRequest

CODEOWNERS = "/.github/ @teacher-gh\n/requirements.txt @teacher-gh\n/dags/maria/ @maria-gh\n"


@pytest.fixture
def ownership(tmp_path: Path) -> Ownership:
    repo = make_repo(
        tmp_path / "class",
        {".github/CODEOWNERS": CODEOWNERS, "dags/maria/a.py": "x = 1\n", "dags/lasse/a.py": "x = 1\n"},
        config='admins = ["teacher"]\n[tool.airflow-etiquette.owners]\nteacher = { github = "teacher-gh" }\n',
    )
    config = load_config(repo, RULES_BY_CODE)
    return Ownership(config, {"maria", "lasse"})


def author(
    ownership: Ownership,
    login: str | None = None,
    explicit: str | None = None,
    new_folders: frozenset[str] = frozenset(),
    environ: dict[str, str] | None = None,
):  # type: ignore[no-untyped-def]
    pull_request = PullRequest("main", "lasse/x", login) if login else None
    return identify_author(explicit, environ or {}, pull_request, ownership, ownership.config.root, True, new_folders)


def test_in_a_pull_request_only_the_login_counts(ownership: Ownership) -> None:
    maria = author(ownership, "maria-gh", environ={"AIRFLOW_STUDENT": "lasse"})
    assert (maria.owner, maria.admin, maria.newcomer) == ("maria", False, False)
    with pytest.raises(ConfigError, match="--author is for local runs"):
        author(ownership, "maria-gh", explicit="lasse")
    teacher = author(ownership, "teacher-gh")
    assert teacher.admin and "who owns the repository's policy" in teacher.signal
    with pytest.raises(ConfigError, match="names no author"):  # never the branch name instead
        identify_author(None, {}, PullRequest("main", "lasse/x", None), ownership, ownership.config.root, False)


def test_a_newcomer_may_claim_one_new_folder_that_is_nobodys(ownership: Ownership) -> None:
    nina = author(ownership, "nina-gh", new_folders=frozenset({"nina"}))
    assert (nina.owner, nina.newcomer, nina.admin) == ("nina", True, False)
    for taken in ("teacher", "Maria", "LASSE"):
        assert author(ownership, "mallory-gh", new_folders=frozenset({taken})).owner == ""
    assert author(ownership, "nina-gh", new_folders=frozenset({"nina", "nina2"})).owner == ""
    assert not ownership.may_change(nina, "requirements.txt") and ownership.may_change(nina, "dags/nina/x.py")


def test_locally_the_signals_give_advice_and_none_means_ci_decides(ownership: Ownership) -> None:
    git(ownership.config.root, "checkout", "-q", "-b", "lasse/fix")
    by_branch = author(ownership)
    assert (by_branch.owner, by_branch.signal) == ("lasse", "the branch name lasse/fix")
    git(ownership.config.root, "checkout", "-q", "-b", "nobody-knows")
    assert author(ownership) is None
    assert author(ownership, explicit="teacher").admin


def test_the_first_pull_request_line_is_judged_on_rules_not_comments(ownership: Ownership) -> None:
    nina = author(ownership, "nina-gh", new_folders=frozenset({"nina"}))
    assert ownership.registers_only(
        "\ufeff# hello\n" + CODEOWNERS.replace("\n", "\r\n") + "/dags/nina/ @nina-gh\n", nina, {"nina"}
    )
    assert not ownership.registers_only(CODEOWNERS + "/dags/nina/ @someone-else\n", nina, {"nina"})
    assert not ownership.registers_only(
        CODEOWNERS.replace("/requirements.txt @teacher-gh\n", "") + "/dags/nina/ @nina-gh\n", nina, {"nina"}
    )


def test_a_gitlab_merge_request_names_its_pipeline_user_as_the_signal(ownership: Ownership) -> None:
    from airflow_etiquette.sources.gitlab import gitlab_merge_request

    merge_request = gitlab_merge_request(
        {
            "GITLAB_CI": "true",
            "CI_PIPELINE_SOURCE": "merge_request_event",
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "lasse/x",
            "GITLAB_USER_LOGIN": "maria-gh",
        }
    )
    assert merge_request is not None and merge_request.base_ref == "origin/main"
    maria = identify_author(None, {"AIRFLOW_STUDENT": "lasse"}, merge_request, ownership, ownership.config.root, False)
    assert maria is not None and maria.owner == "maria"
    assert maria.signal == "the merge request pipeline's user @maria-gh (.github/CODEOWNERS)"
    assert gitlab_merge_request({"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push"}) is None
