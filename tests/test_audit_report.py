"""The audit's links and names: where the ``origin`` remote is on GitHub or GitLab (https or ssh),
files, commits and pull requests are links; credentials in the remote URL and the local path of
the checkout never reach a report; the teacher's own files are the maintainers'."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed
from test_audit import TAXI, validated

from airflow_etiquette.sources.remote import parse_remote

pytestmark = pytest.mark.slow

CODEOWNERS = """\
/.github/                      @teacher-gh
/pyproject.toml                @teacher-gh
/dags/example_class_demo.py    @teacher-gh
/dags/lasse/    @lasse-gh
/dags/maria/    @maria-gh
"""

TEACHER = 'from airflow.sdk import dag\n\n\n@dag(dag_id="class_demo", schedule="@daily", tags=["teacher"])\ndef class_demo():\n    pass\n\n\nclass_demo()\n'


@pytest.mark.parametrize(
    ("url", "name", "web"),
    [
        (
            "https://github.com/class-org/class-airflow.git",
            "class-org/class-airflow",
            "https://github.com/class-org/class-airflow",
        ),
        (
            "https://x-access-token:ghp_SECRET@github.com/class-org/class-airflow",
            "class-org/class-airflow",
            "https://github.com/class-org/class-airflow",
        ),
        (
            "git@github.com:class-org/class-airflow.git",
            "class-org/class-airflow",
            "https://github.com/class-org/class-airflow",
        ),
        (
            "ssh://git@ssh.github.com:443/class-org/class-airflow.git",
            "class-org/class-airflow",
            "https://github.com/class-org/class-airflow",
        ),
        (
            "https://oauth2:glpat-SECRET@gitlab.com/school/y2026/airflow.git",
            "school/y2026/airflow",
            "https://gitlab.com/school/y2026/airflow",
        ),
        (
            "ssh://git@gitlab.school.example:2222/school/airflow.git",
            "school/airflow",
            "https://gitlab.school.example/school/airflow",
        ),
        ("http://gitlab.local:8080/school/airflow.git", "school/airflow", "http://gitlab.local:8080/school/airflow"),
        ("https://git.example.org/school/airflow.git", "school/airflow", None),  # neither: a name, no links
    ],
)
def test_remote_urls_give_a_name_and_a_web_address_without_credentials(url: str, name: str, web: str | None) -> None:
    remote = parse_remote(url)
    assert remote is not None and (remote.name, remote.web) == (name, web)
    assert "SECRET" not in repr(remote)


@pytest.mark.parametrize(
    "url", ["/srv/git/class.git", "../class", "file:///srv/class.git", "C:/class", "https://github.com/x"]
)
def test_local_or_nameless_remotes_give_nothing(url: str) -> None:
    assert parse_remote(url) is None


def commit(repo: Path, message: str, email: str = "shared@school.example") -> str:
    git(repo, "add", "-A")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": email.split("@")[0],
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": email.split("@")[0],
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": "2026-03-02T09:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-03-02T09:00:00+00:00",
    }
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, check=True)
    return git(repo, "rev-parse", "HEAD").strip()


def class_with_history(root: Path, remote: str) -> tuple[Path, dict[str, str]]:
    """lasse clean; maria with a waived warning and a squashed pull request that edited lasse's
    file; a commit nobody can attribute; the teacher's demo DAG at the top of dags/."""
    repo = make_repo(
        root,
        {
            ".github/CODEOWNERS": CODEOWNERS,
            "dags/example_class_demo.py": TEACHER,
            "dags/lasse/taxi_pipeline.py": TAXI,
            "dags/maria/taxi_pipeline.py": TAXI + 'LEGACY = "airflow_maria"  # noqa: ETQ301\n',
        },
        config='shared-connections = ["azure_pg"]\n',
    )
    shas = {"init": commit(repo, "init: class repository", "teacher@school.example")}
    (repo / "dags/lasse/taxi_pipeline.py").write_text(TAXI + "# maria was here\n")
    shas["squash"] = commit(repo, "fix(maria): tidy everyone's DAGs (#12)")
    (repo / "dags/lasse/notes.txt").write_text("x\n")
    shas["unknown"] = commit(repo, "wip", "someone@example.com")
    git(repo, "remote", "add", "origin", remote)
    return repo, shas


def test_github_links_from_an_https_remote_with_a_token_and_no_local_path(tmp_path: Path) -> None:
    repo, shas = class_with_history(
        tmp_path / "checkout", "https://x-access-token:ghp_SECRET@github.com/class-org/class-airflow.git"
    )
    web = "https://github.com/class-org/class-airflow"
    outputs = {
        fmt: run_installed("audit", "--format", fmt, "--history", f"{shas['init']}..HEAD", cwd=repo)
        for fmt in ("text", "markdown", "json")
    }
    html_file = tmp_path / "report.html"
    html = run_installed(
        "audit", "--format", "html", "-o", str(html_file), "--history", f"{shas['init']}..HEAD", cwd=repo
    )
    pages = {**{fmt: r.out for fmt, r in outputs.items()}, "html": html_file.read_text()}
    for fmt, page in pages.items():
        assert "SECRET" not in page and "x-access-token" not in page, fmt
        assert str(tmp_path) not in page, fmt  # the repository by its name, never by its path
        assert "class-org/class-airflow" in page, fmt
    assert "SECRET" not in html.err and all(r.exit_code == 1 for r in (*outputs.values(), html))
    assert outputs["text"].lines[0] == "airflow-etiquette audit of class-org/class-airflow"

    report = validated(outputs["json"].out)
    assert report["repository"] == {
        "name": "class-org/class-airflow",
        "url": web,
        "host": "github",
        "commit": shas["unknown"],
    }
    owners = {o["owner"]: o for o in report["owners"]}
    # maria's squashed pull request edited lasse's file: she is the one with errors, and first.
    assert [(o["owner"], o["status"]) for o in report["owners"]] == [
        ("maria", "errors"),
        ("lasse", "clean"),
        ("shared (maintainers)", "clean"),
    ]
    assert owners["shared (maintainers)"]["files"] == ["dags/example_class_demo.py"]
    assert [(f["code"], f["url"]) for f in owners["maria"]["silenced"]] == [
        ("ETQ301", f"{web}/blob/{shas['unknown']}/dags/maria/taxi_pipeline.py#L25")
    ]
    (violation,) = report["history"]["violations"]
    assert (violation["commit"], violation["pull_request"]) == (shas["squash"], "#12")
    assert violation["url"] == f"{web}/commit/{shas['squash']}"
    assert violation["pull_request_url"] == f"{web}/pull/12"
    assert [f["url"] for f in violation["findings"]] == [
        f"{web}/blob/{shas['squash']}/dags/lasse/taxi_pipeline.py#L25"
    ]  # the first line it changed
    (unknown,) = report["history"]["unattributed"]
    assert unknown == {
        "sha": shas["unknown"],
        "date": "2026-03-02T09:00:00+00:00",
        "subject": "wip",
        "author_name": "someone",
        "author_email": "someone@example.com",
        "pull_request": None,
        "url": f"{web}/commit/{shas['unknown']}",
        "pull_request_url": None,
    }
    assert report["summary"]["errors"] == sum(o["errors"] for o in report["owners"]) == 1
    assert report["summary"]["waived"] == 1

    markdown = outputs["markdown"].out
    assert f"[`{shas['squash'][:7]}`](<{web}/commit/{shas['squash']}>) [#12](<{web}/pull/12>)" in markdown
    assert (
        f"| [`{shas['unknown'][:7]}`](<{web}/commit/{shas['unknown']}>) | 2026-03-02 | someone &lt;someone@example.com&gt; | wip |"
        in markdown
    )
    page = pages["html"]
    assert f'href="{web}/pull/12"' in page and f'href="{web}/commit/{shas["unknown"]}"' in page
    assert f'href="{web}/blob/{shas["unknown"]}/dags/maria/taxi_pipeline.py#L25"' in page  # the waiver


def test_gitlab_links_from_an_ssh_remote_and_a_merge_request(tmp_path: Path) -> None:
    repo, shas = class_with_history(tmp_path / "checkout", "git@gitlab.school.example:school/y2026/airflow.git")
    # GitLab's merge commit names the merge request in its body only.
    git(repo, "checkout", "-q", "-b", "maria/more")
    (repo / "dags/lasse/helpers.py").write_text("X = 1\n")
    commit(repo, "feat(maria): helpers for lasse")
    git(repo, "checkout", "-q", "main")
    message = "Merge branch 'maria/more' into 'main'\n\nhelpers\n\nSee merge request school/y2026/airflow!7"
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", message, "maria/more"],
        cwd=repo,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@x",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@x",
        },
    )
    merge = git(repo, "rev-parse", "HEAD").strip()
    result = run_installed("audit", "--format", "json", "--history", f"{shas['init']}..HEAD", cwd=repo)
    report = validated(result.out)
    web = "https://gitlab.school.example/school/y2026/airflow"
    assert report["repository"] == {"name": "school/y2026/airflow", "url": web, "host": "gitlab", "commit": merge}
    by_commit = {v["commit"]: v for v in report["history"]["violations"]}
    assert by_commit[merge]["pull_request"] == "!7"
    assert by_commit[merge]["url"] == f"{web}/-/commit/{merge}"
    assert by_commit[merge]["pull_request_url"] == f"{web}/-/merge_requests/7"
    assert [f["url"] for f in by_commit[merge]["findings"]] == [f"{web}/-/blob/{merge}/dags/lasse/helpers.py#L1"]
    # On GitLab "#12" is an issue, not the squashed pull request: no pull request link for it.
    assert (by_commit[shas["squash"]]["pull_request"], by_commit[shas["squash"]]["pull_request_url"]) == ("#12", None)
    maria = next(o for o in report["owners"] if o["owner"] == "maria")
    assert maria["status"] == "errors" and sorted(maria["history"]) == sorted([merge, shas["squash"]])
    assert report["owners"][0]["owner"] == "maria"


def test_no_links_without_a_known_remote(tmp_path: Path) -> None:
    repo, shas = class_with_history(tmp_path / "my-class", "https://git.example.org/school/airflow.git")
    report = validated(run_installed("audit", "--format", "json", "--since", "2000-01-01", cwd=repo).out)
    assert report["repository"] == {"name": "school/airflow", "url": None, "host": None, "commit": shas["unknown"]}
    urls = [f["url"] for o in report["owners"] for f in o["findings"] + o["silenced"]]
    urls += [v["url"] for v in report["history"]["violations"]] + [u["url"] for u in report["history"]["unattributed"]]
    assert urls and set(urls) == {None}
    html_file = tmp_path / "r.html"
    run_installed("audit", "--format", "html", "-o", str(html_file), "--since", "2000-01-01", cwd=repo)
    assert 'href="http' not in html_file.read_text()
    git(repo, "remote", "remove", "origin")
    text = run_installed("audit", cwd=repo)
    assert text.lines[0] == "airflow-etiquette audit of my-class"
    assert json.loads(run_installed("audit", "--format", "json", cwd=repo).out)["repository"]["name"] == "my-class"
