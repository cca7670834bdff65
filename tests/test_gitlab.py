"""GitLab: merge-request pipelines, sections in CODEOWNERS, Code Quality and the example job.

Real git repositories and the real command in a subprocess, with the variables a GitLab runner
sets for a merge-request pipeline (the runner's checkout is the merge request's commit,
detached). As on GitHub, the change never judges itself: the policy comes from the target
branch, the author from the pipeline's user.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, Result, git, make_repo, run_installed

pytestmark = pytest.mark.slow

CODEOWNERS = """\
[Class infrastructure] @teacher-gl
/.gitlab/
/.gitlab-ci.yml
/pyproject.toml
/requirements.txt

[Students] @teacher-gl
/dags/
/dags/maria/ @maria-gl
/dags/lasse/ @lasse-gl

^[Reviews][2] @ta-gl
/dags/
"""
PYPROJECT = """\
[tool.airflow-etiquette]
shared-connections = ["azure_pg"]

[tool.airflow-etiquette.owners]
sofia = { github = "sofia-gl" }
"""
DAG = """\
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag

STUDENT = Path(__file__).parent.name


@dag(dag_id=f"{STUDENT}_taxi", schedule="@daily", start_date=datetime(2024, 1, 1), catchup=False,
     tags=[f"student:{STUDENT}"])
def taxi():
    pass


taxi()
"""
BAD_DAG = 'from airflow import DAG\n\ndag = DAG("taxi", tags=["student:maria"])\n'


def class_files(prefix: str = "") -> dict[str, str]:
    files = {
        ".gitlab/CODEOWNERS": CODEOWNERS,
        f"{prefix}pyproject.toml": PYPROJECT,
        "requirements.txt": "apache-airflow-providers-postgres\n",
        **{f"{prefix}dags/{owner}/taxi.py": DAG for owner in ("maria", "lasse", "sofia")},
    }
    return files


def class_repo(tmp_path: Path, prefix: str = "") -> Path:
    repo = make_repo(tmp_path / "class", class_files(prefix))
    commit(repo, "the class repository")
    return repo


def write(repo: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(content)


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def merge_request(repo: Path, branch: str, files: Mapping[str, str]) -> str:
    """Commit ``files`` on ``branch`` off main and check it out as a runner does (detached);
    returns the diff base GitLab reports (the merge base with the target branch)."""
    git(repo, "checkout", "-q", "-B", branch, "main")
    write(repo, files)
    head = commit(repo, f"change on {branch}")
    git(repo, "checkout", "-q", "--detach", head)
    return git(repo, "merge-base", "main", head).strip()


def gitlab_env(login: str | None, branch: str, base_sha: str | None, target: str | None = "main") -> dict[str, str]:
    env = {
        "GITLAB_CI": "true",
        "CI": "true",
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": branch,
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": target or "",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base_sha or "",
        "GITLAB_USER_LOGIN": login or "",
        "GITHUB_ACTIONS": "",  # the tests may themselves run in GitHub Actions
        "AIRFLOW_STUDENT": "",
    }
    return env


def run_mr(repo: Path, login: str | None, branch: str, base: str | None, *args: str, **extra: str) -> Result:
    return run_installed("check", "--no-cache", *args, cwd=repo, env={**gitlab_env(login, branch, base), **extra})


def found(result: Result) -> list[tuple[str, int, str, str]]:
    assert result.exit_code in (0, 1), result.out + result.err
    return [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(result.out)]


def test_a_merge_request_is_judged_by_the_target_branchs_policy_and_the_pipeline_user(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    grab = {
        ".gitlab/CODEOWNERS": CODEOWNERS + "\n[Students]\n/dags/lasse/ @maria-gl\n",
        "pyproject.toml": PYPROJECT.replace("sofia = {", 'maria = { github = "lasse-gl" }\nsofia = {').replace(
            "\n\n[", '\nadmins = ["maria"]\nignore = ["ETQ2"]\n\n['
        ),
        "dags/lasse/taxi.py": DAG + "# maria was here\n",
        "dags/maria/taxi.py": DAG + "# mine\n",
    }
    base = merge_request(repo, "maria/grab", grab)
    result = run_mr(repo, "maria-gl", "maria/grab", base, "--format", "json", AIRFLOW_STUDENT="lasse")
    assert result.exit_code == 1, result.out + result.err
    mine = "maria-gl (maria) may only change dags/maria/"
    assert found(result) == [
        (
            ".gitlab/CODEOWNERS",
            len(CODEOWNERS.splitlines()) + 1,
            "ETQ201",
            f".gitlab/CODEOWNERS is owned by @teacher-gl; {mine}",
        ),
        ("dags/lasse/taxi.py", 16, "ETQ201", f"dags/lasse/taxi.py is owned by @lasse-gl, @ta-gl; {mine}"),
        ("pyproject.toml", 3, "ETQ201", f"pyproject.toml is owned by @teacher-gl; {mine}"),
    ]
    text = run_mr(repo, "maria-gl", "maria/grab", base)
    assert text.lines[0] == (
        f"Checked what merging into {base[:12]} would change by maria-gl (maria) "
        "(identified by the merge request pipeline's user @maria-gl (.gitlab/CODEOWNERS))."
    )
    # The same change run by the teacher (GitLab's user of a pipeline they ran): an admin's change.
    teacher = run_mr(repo, "teacher-gl", "maria/grab", base, "--format", "json")
    assert teacher.exit_code == 0 and found(teacher) == [], teacher.out + teacher.err


def test_the_roster_maps_the_login_and_the_target_branch_name_is_the_fallback_base(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    git(repo, "update-ref", "refs/remotes/origin/main", "main")  # what the runner fetched
    merge_request(repo, "sofia/schedule", {"dags/sofia/taxi.py": DAG.replace("@daily", "@weekly")})
    git(repo, "branch", "-q", "-f", "main", "HEAD")  # a local main that moved: never the base
    env = gitlab_env("sofia-gl", "sofia/schedule", None)
    ok = run_installed("check", "--no-cache", cwd=repo, env=env)
    assert ok.exit_code == 0, ok.out + ok.err
    assert ok.lines[0].startswith("Checked what merging into origin/main would change (origin/main at ")
    assert "by sofia-gl (sofia) (identified by the merge request pipeline's user @sofia-gl (roster))." in ok.lines[0]
    assert ok.lines[-1] == "All good: no findings (1 changed path, 1 file checked)."
    other = run_installed(
        "check", "--no-cache", "--format", "json", cwd=repo, env={**env, "GITLAB_USER_LOGIN": "lasse-gl"}
    )
    assert found(other) == [
        (
            "dags/sofia/taxi.py",
            9,
            "ETQ201",
            "dags/sofia/taxi.py is owned by @teacher-gl, @ta-gl; lasse-gl (lasse) may only change dags/lasse/",
        )
    ]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (
            {"CI_MERGE_REQUEST_DIFF_BASE_SHA": "", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": ""},
            "airflow-etiquette: error: a merge_request_event pipeline without CI_MERGE_REQUEST_DIFF_BASE_SHA or "
            "CI_MERGE_REQUEST_TARGET_BRANCH_NAME: cannot tell what the merge request changes",
        ),
        (
            {"GITLAB_USER_LOGIN": ""},
            "airflow-etiquette: error: a merge_request_event pipeline without GITLAB_USER_LOGIN: cannot tell who made "
            "the change (the pipeline's user is the author in a merge request, and nothing else)",
        ),
        (
            {"CI_MERGE_REQUEST_DIFF_BASE_SHA": "main; rm -rf /"},
            "airflow-etiquette: error: CI_MERGE_REQUEST_DIFF_BASE_SHA is not a commit id: 'main; rm -rf /'",
        ),
    ],
)
def test_a_merge_request_pipeline_without_its_variables_stops(
    tmp_path: Path, missing: dict[str, str], message: str
) -> None:
    repo = class_repo(tmp_path)
    base = merge_request(repo, "maria/x", {"dags/maria/taxi.py": DAG + "# x\n"})
    result = run_mr(repo, "maria-gl", "maria/x", base, **missing)
    assert result.exit_code == 2 and result.out == ""
    assert result.err.splitlines() == [message]


def test_author_and_plain_pipelines(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    base = merge_request(repo, "maria/x", {"dags/lasse/taxi.py": DAG + "# x\n"})
    refused = run_mr(repo, "maria-gl", "maria/x", base, "--author", "lasse")
    assert refused.exit_code == 2
    assert refused.err.splitlines() == [
        "airflow-etiquette: error: in a pull (or merge) request the author is its verified login (@maria-gl); --author is for local runs"
    ]
    # A branch pipeline in GitLab CI is a plain run: the dags folder as it is, no change, no author.
    pushed = run_mr(repo, "maria-gl", "maria/x", base, CI_PIPELINE_SOURCE="push")
    assert pushed.exit_code == 0, pushed.out + pushed.err
    assert pushed.lines == ["All good: no findings (3 files checked)."]


def test_a_newcomers_first_merge_request_may_add_its_own_line_inside_a_section(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    first = {
        ".gitlab/CODEOWNERS": CODEOWNERS.replace(
            "/dags/lasse/ @lasse-gl\n", "/dags/lasse/ @lasse-gl\n/dags/nina/ @nina-gl\n"
        ),
        "dags/nina/taxi.py": DAG,
    }
    base = merge_request(repo, "nina/first", first)
    ok = run_mr(repo, "nina-gl", "nina/first", base)
    assert ok.exit_code == 0, ok.out + ok.err
    # Moving a section's default owners is not registering a folder.
    grab = {
        **first,
        ".gitlab/CODEOWNERS": first[".gitlab/CODEOWNERS"].replace("[Students] @teacher", "[Students] @nina"),
    }
    base = merge_request(repo, "nina/grab", grab)
    result = run_mr(repo, "nina-gl", "nina/grab", base, "--format", "json")
    assert [(path, code) for path, _, code, _ in found(result)] == [(".gitlab/CODEOWNERS", "ETQ201")]


def test_code_quality_paths_carry_the_subfolder_and_fingerprints_survive_a_moved_line(tmp_path: Path) -> None:
    repo = class_repo(tmp_path, prefix="airflow/")
    project = repo / "airflow"
    base = merge_request(repo, "maria/bad", {"airflow/dags/maria/taxi.py": BAD_DAG, "airflow/dags/maria/b.py": BAD_DAG})
    # (The CODEOWNERS at the git root is not the project's: this test is about the report.)
    before = run_mr(project, "maria-gl", "maria/bad", base, "--format", "gitlab", "--select", "ETQ101")
    assert before.exit_code == 1, before.out + before.err
    issues = json.loads(before.out)
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("ETQ101", "major", {"path": "airflow/dags/maria/b.py", "lines": {"begin": 3}}),
        ("ETQ101", "major", {"path": "airflow/dags/maria/taxi.py", "lines": {"begin": 3}}),
    ]
    assert issues[0]["description"] == 'ETQ101 dag_id "taxi" must start with "maria_" (file is in dags/maria/)'
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]
    git(repo, "checkout", "-q", "maria/bad")
    write(repo, {"airflow/dags/maria/taxi.py": "# a comment\n\n" + BAD_DAG})
    commit(repo, "move it down")
    git(repo, "checkout", "-q", "--detach")
    after = json.loads(run_mr(project, "maria-gl", "maria/bad", base, "--format", "gitlab", "--select", "ETQ101").out)
    assert after[1]["location"]["lines"]["begin"] == 5
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in issues]


# -- the example job -------------------------------------------------------------------------

EXAMPLE = ROOT / "examples" / "gitlab" / ".gitlab-ci.yml"


def test_the_example_job_runs_in_merge_requests_from_outside_the_checkout() -> None:
    config = yaml.safe_load(EXAMPLE.read_text())
    job = config["airflow-etiquette"]
    assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    assert job["variables"]["GIT_DEPTH"] in (0, "0")
    reports = job["artifacts"]["reports"]
    assert reports == {"codequality": "gl-code-quality-report.json", "junit": "airflow-etiquette-junit.xml"}
    assert job["artifacts"]["when"] == "always"
    script = "\n".join(job["script"])
    # Installed in a virtualenv outside the checkout, run in isolated mode from there: nothing in
    # the repository (a pip.py, an airflow_etiquette/ folder) is ever imported.
    assert 'cd "$TOOL_HOME"' in script and "python3 -I -m venv" in script
    assert "pip install" in script and "-e ." not in script and "-r " not in script
    (check,) = [line for line in job["script"] if "airflow_etiquette check" in line]  # one analysis
    assert check.startswith('"$VENV/bin/python" -I -m airflow_etiquette check')
    assert check.endswith("|| status=$?") and job["script"][-1] == 'exit "$status"'  # findings fail the job
    assert '--report-file "gitlab=$CI_PROJECT_DIR/gl-code-quality-report.json"' in check
    assert '--report-file "junit=$CI_PROJECT_DIR/airflow-etiquette-junit.xml"' in check
    assert "--exit-zero" not in script and "--author" not in script
    assert "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in script  # the target branch is fetched for its merge base


def test_a_merged_results_pipeline_is_judged_from_the_target_it_merged_onto(tmp_path: Path) -> None:
    """GitLab runs a merged-results pipeline on the merge of the merge request into the target as
    it is now: what landed on main since the fork point is not the author's change."""
    repo = class_repo(tmp_path)
    fork_point = merge_request(repo, "maria/taxi", {"dags/maria/taxi.py": DAG + "# mine\n"})
    maria_head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "main")
    write(repo, {"dags/sofia/taxi.py": DAG + "# sofia's, merged to main meanwhile\n"})
    target = commit(repo, "sofia's change")
    git(repo, "merge", "-q", "--no-ff", "-m", "merged result", maria_head)
    git(repo, "checkout", "-q", "--detach", "HEAD")
    merged = {"CI_MERGE_REQUEST_TARGET_BRANCH_SHA": target, "CI_MERGE_REQUEST_EVENT_TYPE": "merged_result"}
    result = run_mr(repo, "maria-gl", "maria/taxi", fork_point, "--format", "json", **merged)
    assert (result.exit_code, found(result)) == (0, [])
    # Without the merged-results variable the fork point is the base, and sofia's file would count.
    blamed = run_mr(repo, "maria-gl", "maria/taxi", fork_point, "--format", "json")
    assert [f[:3] for f in found(blamed)] == [("dags/sofia/taxi.py", 16, "ETQ201")]
    bad = run_mr(repo, "maria-gl", "maria/taxi", fork_point, CI_MERGE_REQUEST_TARGET_BRANCH_SHA="main")
    assert (bad.exit_code, bad.err) == (
        2,
        "airflow-etiquette: error: CI_MERGE_REQUEST_TARGET_BRANCH_SHA is not a commit id: 'main'\n",
    )


def test_show_settings_in_a_merge_request_shows_the_targets_policy(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    base = merge_request(
        repo, "maria/quiet", {"pyproject.toml": PYPROJECT.replace("\n\n[", '\nignore = ["ETQ1", "ETQ3"]\n\n[')}
    )
    shown = run_mr(repo, "maria-gl", "maria/quiet", base, "--show-settings")
    assert shown.exit_code == 0, shown.err
    assert shown.lines[1].startswith("# read from: pyproject.toml [tool.airflow-etiquette], in the base commit ")
    assert any(line.startswith("ignore = []") for line in shown.lines)


def test_staged_in_a_merge_request_run_says_it_checked_nothing(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    base = merge_request(repo, "maria/x", {"dags/lasse/taxi.py": DAG + "# not mine\n"})
    result = run_mr(repo, "maria-gl", "maria/x", base, "--staged")
    assert result.exit_code == 0
    assert result.err == (
        "airflow-etiquette: --staged in a pull or merge request run: nothing is staged there, so nothing was "
        "checked; the check without --staged judges the pull request\n"
    )
    assert run_mr(repo, "maria-gl", "maria/x", base).exit_code == 1
