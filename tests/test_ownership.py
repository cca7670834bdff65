"""ETQ201/ETQ202 on real git repositories: branches, staged changes, pull requests, shallow clones."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

CODEOWNERS = """\
# Teacher owns the shared parts; each student their directory.
/dags/example_class_demo.py   @lassebenni
/tests/                       @lassebenni
/.github/                     @lassebenni
/requirements.txt             @lassebenni
/include/                     @lassebenni
/dags/lasse/    @lasse-gh
/dags/maria/    @maria-gh
/dags/sofia/    @sofia-gh
"""

GOOD = """\
import os
from pathlib import Path

from airflow.sdk import dag

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name


@dag(dag_id=f"{STUDENT}_{NAME}", tags=[f"student:{STUDENT}"])
def pipeline():
    pass


pipeline()
"""


def dag_file(name: str) -> str:
    return GOOD.replace("{NAME}", name)


def commit(repo: Path, message: str, email: str = "teacher@school.example") -> None:
    git(repo, "add", "-A")
    env = {
        **os.environ,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_NAME": "x",
        "GIT_COMMITTER_NAME": "x",
    }
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, check=True)


@pytest.fixture
def class_repo(tmp_path: Path) -> Path:
    repo = make_repo(
        tmp_path / "class-airflow",
        {
            ".github/CODEOWNERS": CODEOWNERS,
            "requirements.txt": "apache-airflow-providers-postgres\n",
            "include/dbt_project/dbt_project.yml": "name: taxi\n",
            "dags/example_class_demo.py": 'from airflow.sdk import dag\n\n@dag(dag_id="class_demo_hello", tags=["teacher"])\ndef class_demo_hello():\n    pass\n',
            "dags/lasse/taxi_pipeline.py": dag_file("taxi_pipeline"),
            # an old violation on main: must not be reported to anyone else's branch
            "dags/lasse/legacy.py": 'from airflow import DAG\n\ndag = DAG("legacy")\n',
            "dags/maria/taxi_pipeline.py": dag_file("taxi_pipeline"),
            "dags/maria/helpers.py": "def month(ds):\n    return ds[:7]\n",
            "dags/sofia/weather.py": dag_file("weather"),
        },
        config='shared-connections = ["azure_pg"]\nadmins = ["teacher"]\n[tool.airflow-etiquette.owners]\n'
        'teacher = { github = "lassebenni", emails = ["teacher@school.example"] }\n'
        'maria = { github = "maria-gh", emails = ["maria@student.example"] }\n',
    )
    commit(repo, "init class repo")
    return repo


def findings(result) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(f["path"], f["code"], f["message"]) for f in json.loads(result.out)]


def test_a_mode_change_to_another_owner_s_file_says_it_is_one(class_repo: Path) -> None:
    """`chmod +x` on a classmate's file is a change to it, but reading "is owned by" alone, the
    student looked for an edit that is not there."""
    git(class_repo, "checkout", "-q", "-b", "maria/scripts")
    (class_repo / "dags/lasse/legacy.py").chmod(0o755)
    commit(class_repo, "chmod", email="maria@student.example")
    result = run_installed("check", "--base", "main", "--format", "json", cwd=class_repo)
    assert findings(result) == [
        (
            "dags/lasse/legacy.py",
            "ETQ201",
            "dags/lasse/legacy.py (its mode changed, not its content) is owned by @lasse-gh; maria-gh (maria) may "
            "only change dags/maria/",
        )
    ]


def test_a_branch_that_edits_other_peoples_files(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/fix-schema")
    (class_repo / "dags/maria/taxi_pipeline.py").write_text(dag_file("taxi_pipeline") + "# tweak\n")
    (class_repo / "dags/maria/new_dag.py").write_text('from airflow import DAG\n\ndag = DAG("weather")\n')
    (class_repo / "dags/lasse/taxi_pipeline.py").write_text(dag_file("taxi_pipeline") + "# maria was here\n")
    (class_repo / "requirements.txt").write_text("apache-airflow-providers-postgres\ndbt-core\n")
    (class_repo / "dags/sofia/weather.py").unlink()
    git(class_repo, "mv", "dags/maria/helpers.py", "dags/lasse/helpers.py")
    commit(class_repo, "fix(maria): schema", email="maria@student.example")

    result = run_installed("check", "--base", "main", "--format", "json", cwd=class_repo)
    assert result.exit_code == 1, result.err
    assert findings(result) == [
        (
            "dags/lasse/helpers.py",
            "ETQ201",
            "dags/lasse/helpers.py (renamed) is owned by @lasse-gh; maria-gh (maria) may only change dags/maria/",
        ),
        (
            "dags/lasse/taxi_pipeline.py",
            "ETQ201",
            "dags/lasse/taxi_pipeline.py is owned by @lasse-gh; maria-gh (maria) may only change dags/maria/",
        ),
        ("dags/maria/new_dag.py", "ETQ102", 'DAG "weather" has no tags; add tags=["student:maria"]'),
        ("dags/maria/new_dag.py", "ETQ101", 'dag_id "weather" must start with "maria_" (file is in dags/maria/)'),
        (
            "dags/sofia/weather.py",
            "ETQ201",
            "dags/sofia/weather.py (deleted) is owned by @sofia-gh; maria-gh (maria) may only change dags/maria/",
        ),
        (
            "requirements.txt",
            "ETQ201",
            "requirements.txt is owned by @lassebenni; maria-gh (maria) may only change dags/maria/",
        ),
    ]
    text = run_installed("check", "--base", "main", cwd=class_repo)
    assert text.lines[0] == (
        "Checked what merging into main would change (main at "
        + git(class_repo, "rev-parse", "main")[:7]
        + ") by maria-gh (maria) (identified by the branch name maria/fix-schema)."
    )
    assert text.lines[-1] == "Found 6 errors in 5 files (7 changed paths, 4 files checked)."


def test_own_changes_pass_and_old_violations_elsewhere_are_not_reported(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/taxi-v2")
    (class_repo / "dags/maria/taxi_pipeline.py").write_text(dag_file("taxi_v2"))
    commit(class_repo, "maria: v2")
    result = run_installed("check", "--base", "main", cwd=class_repo)
    assert result.exit_code == 0, result.out + result.err
    assert result.lines[-1] == "All good: no findings (1 changed path, 1 file checked)."


def test_a_merge_from_main_does_not_blame_the_student_for_the_teachers_changes(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/weather")
    (class_repo / "dags/maria/weather.py").write_text(dag_file("weather"))
    commit(class_repo, "maria: weather")
    git(class_repo, "checkout", "-q", "main")
    (class_repo / "requirements.txt").write_text("pandas\n")
    commit(class_repo, "teacher: pandas")
    git(class_repo, "checkout", "-q", "maria/weather")
    git(class_repo, "merge", "-q", "--no-edit", "main")
    result = run_installed("check", "--base", "main", "--format", "json", cwd=class_repo)
    assert (result.exit_code, findings(result)) == (0, [])


def test_staged_changes_and_the_author_signals_in_order(class_repo: Path) -> None:
    (class_repo / "dags/sofia/weather.py").write_text(dag_file("weather") + "# edited\n")
    git(class_repo, "add", "-A")
    detached = run_installed(
        "check",
        "--staged",
        "--format",
        "json",
        cwd=class_repo,
        env={"AIRFLOW_STUDENT": "", "GIT_CONFIG_GLOBAL": "/dev/null"},
    )
    # On main with no signal at all: the hook advises and says that the pull request's check decides.
    assert (detached.exit_code, detached.findings) == (0, [])
    assert detached.err == (
        "airflow-etiquette: Who made this change is not known here (no --author, AIRFLOW_STUDENT, <name>/<topic> "
        "branch or roster e-mail), so ETQ201 was not checked; the pull request's check decides it.\n"
    )

    by_env = run_installed("check", "--staged", cwd=class_repo, env={"AIRFLOW_STUDENT": "lasse"})
    assert by_env.exit_code == 1
    assert by_env.lines[0].endswith("by lasse-gh (lasse) (identified by the AIRFLOW_STUDENT environment variable).")
    by_flag = run_installed("check", "--staged", "--author", "sofia", cwd=class_repo, env={"AIRFLOW_STUDENT": "lasse"})
    assert by_flag.exit_code == 0 and "(identified by --author)" in by_flag.lines[0]
    by_login = run_installed("check", "--staged", "--author", "@Sofia-GH", cwd=class_repo)
    assert by_login.lines[0].endswith("by sofia-gh (sofia) (identified by --author).")
    typo = run_installed("check", "--staged", "--author", "sofai", cwd=class_repo)
    assert (typo.exit_code, typo.err) == (
        2,
        "airflow-etiquette: error: --author names 'sofai', who has no folder under "
        "dags/, no roster entry and no CODEOWNERS line; check the spelling\n",
    )
    git(class_repo, "config", "user.email", "Maria@Student.example")
    by_email = run_installed("check", "--staged", "--format", "json", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert [f[:2] for f in findings(by_email)] == [("dags/sofia/weather.py", "ETQ201")]
    text = run_installed("check", "--staged", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert "(identified by the git e-mail maria@student.example (roster; the weakest signal))" in text.lines[0]
    teacher = run_installed("check", "--staged", "--author", "lassebenni", cwd=class_repo)
    assert teacher.exit_code == 0, teacher.out  # an admin, found through the roster's GitHub login


def test_a_pull_request_in_github_actions(class_repo: Path, tmp_path: Path) -> None:
    base = git(class_repo, "rev-parse", "HEAD").strip()
    git(class_repo, "checkout", "-q", "-b", "fix-things")  # no owner prefix: the PR author decides
    (class_repo / "dags/lasse/taxi_pipeline.py").write_text(dag_file("taxi_pipeline") + "# hi\n")
    (class_repo / "dags/maria/taxi_pipeline.py").write_text(dag_file("taxi") + "x = 'airflow_maria'\n")
    commit(class_repo, "maria: changes")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 7,
                    "user": {"login": "maria-gh"},
                    "head": {"ref": "fix-things"},
                    "base": {"ref": "main", "sha": base},
                }
            }
        )
    )
    summary = tmp_path / "summary.md"
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "fix-things",
        "GITHUB_STEP_SUMMARY": str(summary),
        "AIRFLOW_STUDENT": "",
    }
    sarif = tmp_path / "results.sarif"
    result = run_installed("check", "--sarif-output", str(sarif), cwd=class_repo, env=env)
    assert result.exit_code == 1
    assert result.lines == [
        "::notice title=airflow-etiquette::Checked what merging into " + base[:12] + " would change by "
        "maria-gh (maria) (identified by the pull request author @maria-gh (roster)).",
        # on the line the change touches, where the pull request's diff shows it
        "::error file=dags/lasse/taxi_pipeline.py,line=15,col=1,title=ETQ201 outside-own-directory::"
        "dags/lasse/taxi_pipeline.py is owned by @lasse-gh; maria-gh (maria) may only change dags/maria/",
        "::warning file=dags/maria/taxi_pipeline.py,line=15,col=5,title=ETQ301 hard-coded-schema::"
        'hard-coded schema "airflow_maria"; derive it from the folder: SCHEMA = f"airflow_{STUDENT}"',
        "Found 1 error and 1 warning in 2 files (2 changed paths, 2 files checked).",
    ]
    report = summary.read_text()
    assert report.startswith("## airflow-etiquette\n")
    assert "| ❌ | `dags/lasse/taxi_pipeline.py` | 15 | ETQ201 outside-own-directory |" in report
    log = json.loads(sarif.read_text())
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["ETQ201", "ETQ301"]


def test_a_pull_request_with_an_explicit_base_and_an_unknown_author(class_repo: Path, tmp_path: Path) -> None:
    base = git(class_repo, "rev-parse", "HEAD").strip()
    git(class_repo, "checkout", "-q", "-b", "patch-1")  # GitHub's web editor names branches like this
    (class_repo / "dags/maria/weather.py").write_text(dag_file("weather"))
    commit(class_repo, "add weather", email="new@student.example")
    event = tmp_path / "event.json"

    def run_as(login: str):  # type: ignore[no-untyped-def]
        event.write_text(
            json.dumps(
                {
                    "pull_request": {
                        "user": {"login": login},
                        "head": {"ref": "patch-1"},
                        "base": {"ref": "main", "sha": base},
                    }
                }
            )
        )
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event),
            "AIRFLOW_STUDENT": "",
            "GITHUB_STEP_SUMMARY": "",
        }
        return run_installed("check", "--base", base, "--format", "text", cwd=class_repo, env=env)

    # --base given by the workflow's `args` must not hide who opened the pull request.
    known = run_as("maria-gh")
    assert known.exit_code == 0, known.err
    assert "(identified by the pull request author @maria-gh (roster))" in known.lines[0]
    stranger = run_as("new-student")
    assert stranger.exit_code == 1
    assert stranger.lines[1:] == [
        "dags/maria/weather.py:1:1: ETQ201 dags/maria/weather.py is owned by @maria-gh; @new-student is not mapped to "
        "a folder yet: a first pull request may add one new folder dags/<name>/ (and its CODEOWNERS line "
        "'/dags/<name>/ @new-student'); for an existing folder the teacher adds that line on the base branch",
        "Found 1 error in 1 file (1 changed path, 1 file checked).",
    ]


def test_the_author_is_known_from_the_branch_before_the_first_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "fresh", {"dags/maria/taxi.py": dag_file("taxi")}, init_git=False)
    subprocess.run(["git", "init", "-q", "-b", "maria/first"], cwd=repo, check=True)
    git(repo, "add", "-A")
    result = run_installed("check", "--staged", cwd=repo, env={"AIRFLOW_STUDENT": ""})
    assert result.exit_code == 0, result.err
    assert "(identified by the branch name maria/first)" in result.lines[0]


def test_a_shallow_clone_is_an_error_that_says_to_fetch_the_history(class_repo: Path, tmp_path: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/x")
    for n in range(3):
        (class_repo / f"dags/maria/f{n}.py").write_text("x = 1\n")
        commit(class_repo, f"maria {n}")
    git(class_repo, "checkout", "-q", "main")
    (class_repo / "requirements.txt").write_text("pandas\n")
    commit(class_repo, "teacher")
    clone = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "maria/x",
            f"file://{class_repo}",
            str(clone),
        ],
        check=True,
    )
    result = run_installed("check", "--base", "origin/main", cwd=clone)
    assert result.exit_code == 2
    assert result.err == (
        "airflow-etiquette: error: this clone is shallow and lacks the merge base of origin/main and "
        "HEAD; fetch the whole history (actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 in GitLab CI, or git fetch --unshallow)\n"
    )
    unknown = run_installed("check", "--base", "nope", cwd=clone)
    assert unknown.exit_code == 2 and "unknown base 'nope'" in unknown.err
    # actions/checkout's default (depth 1) lacks even the pull request's base commit.
    base = git(class_repo, "rev-parse", "main~1").strip()  # older than anything the clone holds
    missing = run_installed("check", "--base", base, cwd=clone)
    assert missing.exit_code == 2
    assert missing.err == (
        f"airflow-etiquette: error: this clone is shallow and lacks the base commit {base[:12]}; fetch "
        "the whole history (actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 in GitLab CI, or git fetch --unshallow)\n"
    )


def test_detached_head_and_unusual_file_names(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/names")
    (class_repo / "dags/maria/my weather dag.py").write_text('from airflow import DAG\n\ndag = DAG("weather")\n')
    (class_repo / "dags/lasse/über.py").write_text("x = 1\n")
    commit(class_repo, "names", email="someone@elsewhere.example")
    git(class_repo, "checkout", "-q", "--detach")
    no_branch = run_installed(
        "check", "--base", "main", "--select", "ETQ201", cwd=class_repo, env={"AIRFLOW_STUDENT": ""}
    )
    assert no_branch.exit_code == 0 and "ETQ201 was not checked" in no_branch.err
    result = run_installed("check", "--base", "main", "--author", "maria", "--format", "json", cwd=class_repo)
    assert [(p, c) for p, c, _ in findings(result)] == [
        ("dags/lasse/über.py", "ETQ201"),
        ("dags/maria/my weather dag.py", "ETQ102"),
        ("dags/maria/my weather dag.py", "ETQ101"),
    ]


def test_symlinks_that_escape_the_owners_directory(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "lasse/share")
    os.symlink("../maria/taxi_pipeline.py", class_repo / "dags/lasse/borrowed.py")
    os.symlink("taxi_pipeline.py", class_repo / "dags/lasse/current.py")  # inside the directory: fine
    commit(class_repo, "lasse: borrow")
    expected = (
        "dags/lasse/borrowed.py",
        "ETQ202",
        "dags/lasse/borrowed.py is a symlink to ../maria/taxi_pipeline.py, "
        "outside dags/lasse/; copy what you need into dags/lasse/ instead",
    )
    changed = run_installed("check", "--base", "main", "--format", "json", cwd=class_repo)
    assert findings(changed) == [expected]
    whole = run_installed("check", "--format", "json", "--select", "ETQ202", cwd=class_repo)
    assert findings(whole) == [expected]
    own_folder = run_installed("check", "dags/lasse", "--format", "json", "--select", "ETQ202", cwd=class_repo)
    assert findings(own_folder) == [expected]
    the_link = run_installed(
        "check", "dags/lasse/borrowed.py", "--format", "json", "--select", "ETQ202", cwd=class_repo
    )
    assert findings(the_link) == [expected]
    elsewhere = run_installed("check", "dags/maria", "--format", "json", "--select", "ETQ202", cwd=class_repo)
    assert findings(elsewhere) == []


def test_the_staged_version_is_checked_not_the_working_tree(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/taxi")
    path = class_repo / "dags/maria/taxi_pipeline.py"
    path.write_text(dag_file("taxi").replace('f"{STUDENT}_taxi"', '"taxi"'))
    git(class_repo, "add", "-A")
    path.write_text(dag_file("taxi"))  # fixed on disk, but the fix is not staged
    staged = run_installed("check", "--staged", "--format", "json", cwd=class_repo)
    assert [(p, c) for p, c, _ in findings(staged)] == [("dags/maria/taxi_pipeline.py", "ETQ101")]
    git(class_repo, "add", "-A")
    path.write_text("this is not python(\n")  # broken on disk, but what is staged is fine
    assert run_installed("check", "--staged", cwd=class_repo).exit_code == 0
    git(class_repo, "commit", "-q", "-m", "maria: taxi")  # commits the index; the broken edit stays on disk
    branch = run_installed("check", "--base", "main", cwd=class_repo)  # the pre-push hook: what is committed
    assert branch.exit_code == 0, branch.out
    (class_repo / "dags/maria/late.py").write_text('from airflow import DAG\ndag = DAG("late")\n')
    git(class_repo, "add", "dags/maria/late.py")
    (class_repo / "dags/maria/late.py").unlink()  # gone from disk, still in the index
    late = run_installed("check", "--staged", "--format", "json", cwd=class_repo)
    assert sorted((p, c) for p, c, _ in findings(late)) == [
        ("dags/maria/late.py", "ETQ101"),
        ("dags/maria/late.py", "ETQ102"),
    ]


def test_the_pre_push_hook_judges_the_commit_being_pushed(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/fix")
    (class_repo / "dags/lasse/taxi_pipeline.py").write_text(dag_file("taxi_pipeline") + "# maria was here\n")
    commit(class_repo, "fix(maria): oops", email="maria@student.example")
    git(class_repo, "update-ref", "refs/remotes/origin/main", "main")
    main = git(class_repo, "rev-parse", "main").strip()
    branch = git(class_repo, "rev-parse", "HEAD").strip()
    # `git push origin main` from maria's branch pushes main, which is clean
    pushing_main = run_installed(
        "check", "--base", "auto", cwd=class_repo, env={"PRE_COMMIT_FROM_REF": main, "PRE_COMMIT_TO_REF": main}
    )
    assert pushing_main.exit_code == 0, pushing_main.out

    def push_branch(**env: str):  # type: ignore[no-untyped-def]
        """The pre-push hook's run for pushing maria's new branch (pre-commit's variables)."""
        pushed = {"PRE_COMMIT_FROM_REF": "0" * 40, "PRE_COMMIT_TO_REF": branch, **env}
        return run_installed("check", "--base", "auto", "--format", "json", cwd=class_repo, env=pushed)

    pushing_branch = push_branch()
    assert [(p, c) for p, c, _ in findings(pushing_branch)] == [("dags/lasse/taxi_pipeline.py", "ETQ201")]
    # `git push origin maria/fix` from main: the pushed branch's name says who, not the one checked out
    git(class_repo, "checkout", "-q", "main")
    from_main = push_branch(PRE_COMMIT_LOCAL_BRANCH="refs/heads/maria/fix", AIRFLOW_STUDENT="")
    assert [(p, c) for p, c, _ in findings(from_main)] == [("dags/lasse/taxi_pipeline.py", "ETQ201")], from_main.err


def test_a_pull_request_run_without_its_event_file_stops(class_repo: Path, tmp_path: Path) -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request_target",
        "GITHUB_EVENT_PATH": str(tmp_path / "missing.json"),
        "GITHUB_BASE_REF": "main",
    }
    result = run_installed("check", cwd=class_repo, env=env)
    assert result.exit_code == 2
    assert "a pull_request_target run without its event file" in result.err


@pytest.mark.parametrize(
    "payload", ["[]", '{"pull_request": null}', '{"pull_request": {"user": {"login": "lasse-gh"}}}']
)
def test_a_pull_request_run_whose_event_names_no_base_stops(class_repo: Path, tmp_path: Path, payload: str) -> None:
    """Without a base the run cannot see the change: a plain check of the tree would pass it."""
    (tmp_path / "event.json").write_text(payload)
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
    }
    result = run_installed("check", cwd=class_repo, env=env)
    assert result.exit_code == 2
    assert result.err.splitlines()[0] == (
        f"airflow-etiquette: error: a pull_request run whose event names no base (no pull_request.base in "
        f"{tmp_path / 'event.json'}, GITHUB_BASE_REF unset): cannot tell what the pull request changes"
    )


def test_a_newcomer_names_their_login_with_author_before_the_teacher_maps_it(class_repo: Path) -> None:
    """A first change that adds the newcomer's folder and CODEOWNERS line is judged for --author
    <login> as the pull request will judge it; a login nobody knows, without a new folder, is a typo."""
    git(class_repo, "checkout", "-q", "-b", "first-dag")
    (class_repo / "dags/zoe").mkdir()
    (class_repo / "dags/zoe/taxi.py").write_text(dag_file("taxi").replace("lasse", "zoe"))
    with (class_repo / ".github/CODEOWNERS").open("a") as codeowners:
        codeowners.write("/dags/zoe/ @zoe-gh\n")
    git(class_repo, "add", "-A")
    env = {"AIRFLOW_STUDENT": ""}
    result = run_installed("check", "--staged", "--author", "zoe-gh", cwd=class_repo, env=env)
    assert (result.exit_code, result.lines[1:]) == (0, ["All good: no findings (2 changed paths, 1 file checked)."])
    assert "identified by --author @zoe-gh, not mapped to a folder" in result.lines[0]
    git(class_repo, "reset", "-q", "--", ".github/CODEOWNERS", "dags/zoe")
    (class_repo / "dags/sofia/weather.py").write_text("x = 1\n")
    git(class_repo, "add", "dags/sofia/weather.py")
    typo = run_installed("check", "--staged", "--author", "zoe-gh", cwd=class_repo, env=env)
    assert (typo.exit_code, typo.err) == (
        2,
        "airflow-etiquette: error: --author names 'zoe-gh', who has no folder under dags/, no roster entry and no "
        "CODEOWNERS line; check the spelling\n",
    )


def test_a_merge_conflict_in_the_index_is_named_as_one(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/a")
    (class_repo / "dags/maria/helpers.py").write_text("def month(ds):\n    return ds[:4]\n")
    commit(class_repo, "maria a")
    git(class_repo, "checkout", "-q", "main")
    (class_repo / "dags/maria/helpers.py").write_text("def month(ds):\n    return ds[5:7]\n")
    commit(class_repo, "main b")
    git(class_repo, "checkout", "-q", "maria/a")
    subprocess.run(["git", "merge", "-q", "main"], cwd=class_repo, capture_output=True)  # conflicts
    result = run_installed("check", "--staged", cwd=class_repo)
    assert (result.exit_code, result.err) == (
        2,
        "airflow-etiquette: error: the index holds unmerged paths (a merge conflict: resolve it, then git add): "
        "dags/maria/helpers.py\n",
    )


def test_git_dir_and_work_tree_from_the_environment_name_the_repository(class_repo: Path, tmp_path: Path) -> None:
    """Run from elsewhere with GIT_DIR and GIT_WORK_TREE set, as git itself would be."""
    git(class_repo, "checkout", "-q", "-b", "lasse/x")
    (class_repo / "dags/maria/taxi_pipeline.py").write_text(dag_file("taxi_pipeline") + "# lasse was here\n")
    commit(class_repo, "lasse x")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"GIT_DIR": str(class_repo / ".git"), "GIT_WORK_TREE": str(class_repo), "AIRFLOW_STUDENT": ""}
    result = run_installed("check", "--base", "main", "--format", "json", cwd=elsewhere, env=env)
    assert [(p, c) for p, c, _ in findings(result)] == [("dags/maria/taxi_pipeline.py", "ETQ201")], result.err


def test_an_admins_entry_that_names_no_owner_is_said(class_repo: Path) -> None:
    """`admins = ["lassebenni"]`, the teacher's login where an owner name belongs, made nobody an
    admin without a word: the teacher's own pull request failed as an unknown student's."""
    pyproject = (class_repo / "pyproject.toml").read_text()
    (class_repo / "pyproject.toml").write_text(pyproject.replace('admins = ["teacher"]', 'admins = ["lassebenni"]'))
    commit(class_repo, "admins by login")
    git(class_repo, "checkout", "-q", "-b", "teacher/weekly")
    (class_repo / "dags/lasse/taxi_pipeline.py").write_text(dag_file("taxi_pipeline") + "# weekly now\n")
    commit(class_repo, "weekly")
    result = run_installed("check", "--base", "main", "--author", "maria-gh", cwd=class_repo)
    assert result.err.splitlines()[0] == (
        "airflow-etiquette: 'admins' names 'lassebenni', which is no owner here (no dags/lassebenni/ folder, "
        "roster entry or CODEOWNERS folder line), so it makes nobody an admin; 'admins' lists owner names: for a "
        'GitHub login, add a roster entry, [tool.airflow-etiquette.owners] lassebenni = { github = "lassebenni" }'
    )


def test_a_base_branch_behind_its_upstream_is_said(class_repo: Path, tmp_path: Path) -> None:
    """`check --base main` with a main not pulled since a classmate's work was merged blamed the
    student for it, with nothing to say that main was stale."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(class_repo), str(clone))
    (class_repo / "dags/sofia/weather.py").write_text(dag_file("weather") + "# merged meanwhile\n")
    commit(class_repo, "sofia's pull request")
    git(clone, "checkout", "-q", "-b", "maria/tweak")
    (clone / "dags/maria/taxi_pipeline.py").write_text(dag_file("taxi_pipeline") + "# tweak\n")
    commit(clone, "tweak", email="maria@student.example")
    git(clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    result = run_installed("check", "--base", "main", "--author", "maria-gh", cwd=clone)
    assert result.err.splitlines()[0] == (
        "airflow-etiquette: main is 1 commit(s) behind origin/main: what was merged there since shows as this "
        "change's; check with --base origin/main, or bring main up to date"
    )
    fresh = run_installed("check", "--base", "origin/main", "--author", "maria-gh", cwd=clone)
    assert (fresh.exit_code, fresh.err) == (0, ""), fresh.out


def test_logins_map_to_folders_alone_first_then_from_shared_lines(tmp_path: Path) -> None:
    """A login on a line of its own keeps its folder even where it also owns a second one (the
    mapping of lines with several logins must not take that away); a pair's logins map to their
    folder; the teacher beside several students maps to none of them."""
    from airflow_etiquette.config import Config
    from airflow_etiquette.people.ownership import Ownership

    lines = [
        "/dags/lasse/ @lasse-gh",
        "/dags/lasse_old/ @lasse-gh",
        "/dags/ahmed/ @ahmed-gh @yusuf-gh",
        "/dags/maria/ @maria-gh @lassebenni",
        "/dags/sofia/ @sofia-gh @lassebenni",
    ]
    root = make_repo(tmp_path / "r", {".github/CODEOWNERS": "\n".join(lines) + "\n"})
    owners = ["lasse", "lasse_old", "ahmed", "maria", "sofia"]
    ownership = Ownership(Config(root=root), owners)
    mapped = {login: ownership.owner_of_login(login) for login in ("lasse-gh", "yusuf-gh", "ahmed-gh", "lassebenni")}
    assert mapped["lasse-gh"] in ("lasse", "lasse_old")
    assert (mapped["yusuf-gh"], mapped["ahmed-gh"], mapped["lassebenni"]) == ("ahmed", "ahmed", None)


def test_a_project_in_a_subfolder_says_what_the_change_alters_outside_it(tmp_path: Path) -> None:
    """With the project in airflow/ (the action's working-directory), a change that also edited
    the repository's CI workflow or CODEOWNERS passed without a word: the change is listed from
    the project folder only. Until those paths are judged, the check says they were not."""
    repo = make_repo(
        tmp_path / "r",
        {
            "airflow/pyproject.toml": "[tool.airflow-etiquette]\n",  # (the project's root)
            "airflow/dags/maria/taxi.py": dag_file("taxi"),
            ".github/workflows/ci.yml": "on: pull_request\n",
        },
    )
    commit(repo, "class")
    git(repo, "checkout", "-q", "-b", "maria/tweak")
    (repo / "airflow/dags/maria/taxi.py").write_text(dag_file("taxi") + "# tweak\n")
    (repo / ".github/workflows/ci.yml").write_text("on: push\n")
    commit(repo, "tweak")
    result = run_installed("check", "--base", "main", "--author", "maria", cwd=repo / "airflow")
    assert result.err.splitlines()[0] == (
        "airflow-etiquette: this project is airflow/ in its repository, and the change also alters "
        ".github/workflows/ci.yml outside it, which this check does not judge (nor the repository's CODEOWNERS): "
        "review those paths by hand"
    )
    at_top = run_installed("check", "--base", "main", "--author", "maria", cwd=repo / "airflow" / "dags")
    assert "outside it" in at_top.err
