"""Nobody clears their own change: every way a student could try is a test.

A change (a staged commit, a branch, a pull request) is judged by the CODEOWNERS and the
configuration of the commit it starts from, and in a pull request by the login GitHub
verified, never by anything the change itself brings: its own CODEOWNERS lines, its own
``admins``/``ignore``/``allow-noqa``, a branch name, an environment variable, a ``# noqa``
inside a string, a fullwidth ``ＤＡＧ``, a symlink that walks out through another symlink.
Each test below would pass on a tool that read the policy from the change, so it fails there.

Real git repositories, the real command in a subprocess, simulated GitHub Actions runs (an
event file and the variables GitHub sets), and one real ``git commit`` through pre-commit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import Result, git, make_repo, run_installed

TEACHER_LINES = """\
# The teacher runs the repository; each student owns one folder under dags/.
/.github/                     @lassebenni
/tests/                       @lassebenni
/requirements.txt             @lassebenni
/dags/example_class_demo.py   @lassebenni
"""
STUDENT_LINES = """\
/dags/lasse/    @lasse-gh
/dags/maria/    @maria-gh
/dags/sofia/    @sofia-gh
"""
CODEOWNERS = TEACHER_LINES + STUDENT_LINES

PYPROJECT = """\
[project]
name = "class-airflow"
version = "0.0.0"

[tool.airflow-etiquette]
shared-connections = ["azure_pg"]
"""

REQUIREMENTS = "apache-airflow-providers-postgres\npandas\n"

WORKFLOW = """\
name: DAG integrity
on:
  pull_request:
jobs:
  integrity:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt pytest
      - run: pytest tests/
"""

# A student's DAG as the class writes it: everything derived from the folder it sits in.
STUDENT_DAG = '''\
"""One month of taxi trips into the student's own schema."""
import os
from datetime import datetime
from pathlib import Path

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["week11", "taxi", f"student:{STUDENT}"],
)
def taxi_pipeline():
    @task()
    def load_month() -> None:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        hook.run(f'DELETE FROM "{SCHEMA}".raw_trips WHERE month = %s', parameters=("2024-01",))

    load_month()


taxi_pipeline()
'''

DEMO_DAG = '''\
"""The teacher's demo DAG: always something on the shared scheduler."""
from datetime import datetime

from airflow.sdk import dag, task


@dag(dag_id="class_demo_hello", schedule="@daily", start_date=datetime(2026, 1, 1), catchup=False,
     tags=["class-demo", "teacher"])
def class_demo_hello():
    @task()
    def hello() -> str:
        return "hello"

    hello()


class_demo_hello()
'''

INTEGRITY_TEST = "def test_dags_import():\n    assert True\n"

EMAIL = "student@school.example"  # the teacher and the students commit with one address


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` that contains ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def write(repo: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def class_files(pyproject: str | None = PYPROJECT) -> dict[str, str]:
    files = {
        ".github/CODEOWNERS": CODEOWNERS,
        ".github/workflows/ci.yml": WORKFLOW,
        "requirements.txt": REQUIREMENTS,
        "tests/test_dag_integrity.py": INTEGRITY_TEST,
        "dags/example_class_demo.py": DEMO_DAG,
        "dags/lasse/taxi_pipeline.py": STUDENT_DAG,
        "dags/maria/taxi_pipeline.py": STUDENT_DAG,
        "dags/sofia/taxi_pipeline.py": STUDENT_DAG,
    }
    if pyproject is not None:
        files["pyproject.toml"] = pyproject
    return files


@pytest.fixture
def class_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "class-airflow", {})
    write(repo, class_files())
    git(repo, "config", "user.email", EMAIL)
    git(repo, "config", "user.name", "Class")
    commit(repo, "Set up the class repository")
    return repo


# -- simulated GitHub Actions runs ----------------------------------------------------------


def pull_request(repo: Path, branch: str, flavour: str, number: int = 9) -> tuple[str, str]:
    """Turn the committed ``branch`` into a pull request against main as a GitHub runner sees it.

    ``pull_request``: the work tree is GitHub's merge commit (refs/pull/N/merge), so the
    change's own CODEOWNERS and pyproject lie on disk; ``pull_request:head``: the same event
    with the pull request's own commit checked out (actions/checkout with ``ref: head.sha``).
    ``pull_request_target``: the work tree is the base, and the pull request's commit exists
    only as an object fetched as data. Returns (base sha, head sha).
    """
    base = git(repo, "rev-parse", "main").strip()
    head = git(repo, "rev-parse", branch).strip()
    if flavour == "pull_request":
        git(repo, "checkout", "-q", "--detach", "main")
        git(repo, "merge", "-q", "--no-ff", "--no-edit", head)
        git(repo, "update-ref", f"refs/pull/{number}/merge", "HEAD")
    elif flavour == "pull_request:head":
        git(repo, "checkout", "-q", "--detach", head)
    else:
        git(repo, "checkout", "-q", "main")
        git(repo, "update-ref", f"refs/pull/{number}/head", head)
        git(repo, "branch", "-q", "-D", branch)
    return base, head


def actions_env(
    tmp_path: Path, login: str, base: str, head: str, head_ref: str, flavour: str, **extra: str
) -> dict[str, str]:
    """The variables GitHub sets for a pull request job, and its event file."""
    event = tmp_path / f"event-{login}-{head[:7]}.json"
    event.write_text(
        json.dumps(
            {
                "number": 9,
                "pull_request": {
                    "number": 9,
                    "user": {"login": login},
                    "head": {"ref": head_ref, "sha": head},
                    "base": {"ref": "main", "sha": base},
                },
            }
        )
    )
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": flavour.split(":")[0],
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": head_ref,
        "GITHUB_STEP_SUMMARY": "",
        "AIRFLOW_STUDENT": "",
        **extra,
    }


def run_pr(
    repo: Path, tmp_path: Path, login: str, branch: str, flavour: str = "pull_request", *args: str, **extra: str
) -> Result:
    base, head = pull_request(repo, branch, flavour)
    return run_installed(
        "check", *args, cwd=repo, env=actions_env(tmp_path, login, base, head, branch, flavour, **extra)
    )


def found(result: Result) -> list[tuple[str, int, str, str]]:
    assert result.exit_code in (0, 1), result.out + result.err
    return [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(result.out)]


def branch_with(repo: Path, branch: str, files: Mapping[str, str], message: str = "change") -> str:
    git(repo, "checkout", "-q", "-b", branch, "main")
    write(repo, files)
    return commit(repo, message)


# -- 1-3: a change that rewrites the rules it is judged by ------------------------------------

OWN_EVERYTHING_CODEOWNERS = CODEOWNERS + "/dags/lasse/ @maria-gh\n/requirements.txt @maria-gh\n/.github/ @maria-gh\n"
OWN_EVERYTHING_PYPROJECT = PYPROJECT + (
    'admins = ["maria"]\nignore = ["ETQ2"]\nper-file-ignores = {"dags/lasse/*" = ["ETQ2"]}\n'
    '[tool.airflow-etiquette.owners]\nlasse = { github = "maria-gh" }\n'
)
OWN_EVERYTHING = {
    ".github/CODEOWNERS": OWN_EVERYTHING_CODEOWNERS,
    "pyproject.toml": OWN_EVERYTHING_PYPROJECT,
    "dags/lasse/taxi_pipeline.py": STUDENT_DAG.replace('schedule="@monthly"', 'schedule="@hourly"'),
    "requirements.txt": REQUIREMENTS + "dbt-core\n",
    ".github/workflows/ci.yml": WORKFLOW.replace("pytest tests/", "true"),
    "dags/sofia/notes.md": "maria keeps her notes here\n",
}
MARIA = "maria-gh (maria) may only change dags/maria/"
OWN_EVERYTHING_FINDINGS = [
    (
        ".github/CODEOWNERS",
        len(CODEOWNERS.splitlines()) + 1,
        "ETQ201",
        f".github/CODEOWNERS is owned by @lassebenni; {MARIA}",
    ),
    (
        ".github/workflows/ci.yml",
        line_of(WORKFLOW, "pytest tests/"),
        "ETQ201",
        f".github/workflows/ci.yml is owned by @lassebenni; {MARIA}",
    ),
    (
        "dags/lasse/taxi_pipeline.py",
        line_of(STUDENT_DAG, "schedule="),
        "ETQ201",
        f"dags/lasse/taxi_pipeline.py is owned by @lasse-gh; {MARIA}",
    ),
    ("dags/sofia/notes.md", 1, "ETQ201", f"dags/sofia/notes.md is owned by @sofia-gh; {MARIA}"),  # added: line 1
    (
        "pyproject.toml",
        len(PYPROJECT.splitlines()) + 1,
        "ETQ201",
        f"pyproject.toml has no owner in CODEOWNERS (only the teacher, an admin, may change it); {MARIA}",
    ),
    ("requirements.txt", 3, "ETQ201", f"requirements.txt is owned by @lassebenni; {MARIA}"),
]


@pytest.mark.parametrize("flavour", ["pull_request", "pull_request:head", "pull_request_target"])
def test_a_pull_request_cannot_grant_itself_ownership_admin_or_ignores(
    class_repo: Path, tmp_path: Path, flavour: str
) -> None:
    branch_with(class_repo, "maria/own-everything", OWN_EVERYTHING)
    result = run_pr(class_repo, tmp_path, "maria-gh", "maria/own-everything", flavour, "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    assert found(result) == OWN_EVERYTHING_FINDINGS
    if flavour != "pull_request_target":  # the change's own policy lies on disk here
        assert 'admins = ["maria"]' in (class_repo / "pyproject.toml").read_text()
        assert "/dags/lasse/ @maria-gh" in (class_repo / ".github/CODEOWNERS").read_text()


def test_a_staged_policy_edit_does_not_judge_its_own_commit_nor_its_branch(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "maria/own-everything")
    write(class_repo, OWN_EVERYTHING)
    git(class_repo, "add", "-A")
    staged = run_installed("check", "--staged", "--format", "json", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert staged.exit_code == 1, staged.out + staged.err
    assert found(staged) == OWN_EVERYTHING_FINDINGS
    text = run_installed("check", "--staged", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert (
        text.lines[0]
        == "Checked staged changes by maria-gh (maria) (identified by the branch name maria/own-everything)."
    )
    assert text.lines[-1] == "Found 6 errors in 6 files (6 changed paths, 1 file checked)."

    commit(class_repo, "fix(maria): own everything")
    branch = run_installed("check", "--base", "main", "--format", "json", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert branch.exit_code == 1, branch.out + branch.err
    assert found(branch) == OWN_EVERYTHING_FINDINGS


def test_the_history_judges_a_merged_pull_request_by_the_policy_before_it(class_repo: Path) -> None:
    branch_with(class_repo, "maria/own-everything", OWN_EVERYTHING, "fix(maria): own everything")
    git(class_repo, "checkout", "-q", "main")
    git(
        class_repo,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge pull request #9 from org/maria/own-everything",
        "maria/own-everything",
    )
    result = run_installed("audit", "--history", "main~1..main", "--format", "json", cwd=class_repo)
    assert result.exit_code == 1, result.out + result.err
    history = json.loads(result.out)["history"]
    assert history["range"] == "main~1..main"
    [violation] = history["violations"]
    assert violation["subject"] == "Merge pull request #9 from org/maria/own-everything"
    assert violation["commit"] == git(class_repo, "rev-parse", "main").strip()
    assert violation["owner"] == "maria"
    assert violation["signal"] == "pull request branch maria/own-everything"
    paths = [f["path"] for f in violation["findings"]]
    assert {"dags/lasse/taxi_pipeline.py", "requirements.txt", ".github/workflows/ci.yml"} <= set(paths)
    assert sorted(paths) == [p for p, _, _, _ in OWN_EVERYTHING_FINDINGS]
    assert {f["code"] for f in violation["findings"]} == {"ETQ201"}
    lasse = next(f for f in violation["findings"] if f["path"] == "dags/lasse/taxi_pipeline.py")
    assert lasse["message"] == f"dags/lasse/taxi_pipeline.py is owned by @lasse-gh; {MARIA}"


def test_a_configuration_file_the_base_does_not_have_is_just_another_path(class_repo: Path, tmp_path: Path) -> None:
    branch_with(
        class_repo,
        "maria/toml",
        {
            ".airflow-etiquette.toml": 'admins = ["maria"]\nignore = ["ETQ2"]\n',
            "dags/lasse/taxi_pipeline.py": STUDENT_DAG + "# maria was here\n",
        },
    )
    result = run_pr(class_repo, tmp_path, "maria-gh", "maria/toml", "pull_request", "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    assert found(result) == [
        (
            ".airflow-etiquette.toml",
            1,
            "ETQ201",
            f".airflow-etiquette.toml has no owner in CODEOWNERS (only the teacher, an admin, may change it); {MARIA}",
        ),
        (
            "dags/lasse/taxi_pipeline.py",
            len(STUDENT_DAG.splitlines()) + 1,
            "ETQ201",
            f"dags/lasse/taxi_pipeline.py is owned by @lasse-gh; {MARIA}",
        ),
    ]


# -- 4-6: in a pull request only the verified login says who it is ----------------------------

NEWKID = (
    "@newkid is not mapped to a folder yet: a first pull request may add one new folder dags/<name>/ "
    "(and its CODEOWNERS line '/dags/<name>/ @newkid'); for an existing folder the teacher adds that line "
    "on the base branch"
)


def test_a_branch_named_after_a_classmate_does_not_make_you_that_classmate(class_repo: Path, tmp_path: Path) -> None:
    edited = STUDENT_DAG.replace('"week11"', '"week12"')
    branch_with(class_repo, "lasse/a", {"dags/lasse/taxi_pipeline.py": edited})
    # On a laptop the branch name is advice enough: it says lasse.
    local = run_installed("check", "--base", "main", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert local.exit_code == 0, local.out + local.err
    assert local.lines[0].endswith("by lasse-gh (lasse) (identified by the branch name lasse/a).")

    result = run_pr(class_repo, tmp_path, "newkid", "lasse/a", "pull_request", "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    assert found(result) == [
        (
            "dags/lasse/taxi_pipeline.py",
            line_of(STUDENT_DAG, '"week11"'),
            "ETQ201",
            f"dags/lasse/taxi_pipeline.py is owned by @lasse-gh; {NEWKID}",
        )
    ]


def test_a_branch_named_after_an_admin_does_not_make_you_the_admin(class_repo: Path, tmp_path: Path) -> None:
    write(class_repo, {"pyproject.toml": PYPROJECT + 'admins = ["teacher"]\n'})
    commit(class_repo, "chore: the teacher is an admin")
    branch_with(class_repo, "teacher/a", {"requirements.txt": REQUIREMENTS + "dbt-core\n"})
    local = run_installed("check", "--base", "main", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert local.exit_code == 0, local.out + local.err
    assert "(identified by the branch name teacher/a)" in local.lines[0]

    result = run_pr(class_repo, tmp_path, "newkid", "teacher/a", "pull_request_target", "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    assert found(result) == [("requirements.txt", 3, "ETQ201", f"requirements.txt is owned by @lassebenni; {NEWKID}")]


def test_airflow_student_in_the_job_environment_does_not_change_the_author(class_repo: Path, tmp_path: Path) -> None:
    branch_with(class_repo, "fix-things", {"dags/lasse/taxi_pipeline.py": STUDENT_DAG + "# maria was here\n"})
    result = run_pr(class_repo, tmp_path, "maria-gh", "fix-things", "pull_request", AIRFLOW_STUDENT="lasse")
    assert result.exit_code == 1, result.out + result.err
    base = git(class_repo, "rev-parse", "main").strip()
    assert result.lines == [
        (
            f"::notice title=airflow-etiquette::Checked what merging into {base[:12]} would change by maria-gh "
            "(maria) (identified by the pull request author @maria-gh (.github/CODEOWNERS))."
        ),
        (
            f"::error file=dags/lasse/taxi_pipeline.py,line={len(STUDENT_DAG.splitlines()) + 1},col=1,"
            f"title=ETQ201 outside-own-directory::dags/lasse/taxi_pipeline.py is owned by @lasse-gh; {MARIA}"
        ),
        "Found 1 error in 1 file (1 changed path, 1 file checked).",
    ]


def test_a_newcomer_cannot_claim_a_folder_codeowners_already_gives_someone(class_repo: Path, tmp_path: Path) -> None:
    # ahmed is in CODEOWNERS but has not pushed a DAG yet: his folder does not exist on main.
    listed = CODEOWNERS + "/dags/ahmed/    @ahmed-gh\n"
    write(class_repo, {".github/CODEOWNERS": listed})
    commit(class_repo, "chore: ahmed joins")
    branch_with(
        class_repo,
        "ahmed/first",
        {"dags/ahmed/taxi_pipeline.py": STUDENT_DAG, ".github/CODEOWNERS": listed + "/dags/ahmed/    @newkid\n"},
    )
    result = run_pr(class_repo, tmp_path, "newkid", "ahmed/first", "pull_request_target", "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    assert found(result) == [
        (
            ".github/CODEOWNERS",
            len(listed.splitlines()) + 1,
            "ETQ201",
            f".github/CODEOWNERS is owned by @lassebenni; {NEWKID}",
        ),
        ("dags/ahmed/taxi_pipeline.py", 1, "ETQ201", f"dags/ahmed/taxi_pipeline.py is owned by @ahmed-gh; {NEWKID}"),
    ]


def test_author_option_in_a_pull_request_is_a_usage_error(class_repo: Path, tmp_path: Path) -> None:
    branch_with(class_repo, "maria/x", {"dags/lasse/taxi_pipeline.py": STUDENT_DAG + "# hi\n"})
    result = run_pr(class_repo, tmp_path, "maria-gh", "maria/x", "pull_request", "--author", "lasse")
    assert result.exit_code == 2
    assert result.err == (
        "airflow-etiquette: error: in a pull (or merge) request the author is its verified login "
        "(@maria-gh); --author is for local runs\n"
    )
    assert "::error" in result.out  # an annotation, so the red check says why


# -- 7: noqa comments, as the teacher allows them on the base---------------------------------------

TRUNCATE = '        hook.run("TRUNCATE airflow_sofia.raw_trips")'
ANCHOR = "        hook.run(f'DELETE FROM"
TRUNCATE_LINE = line_of(STUDENT_DAG, ANCHOR) + 1
SOFIA = 'airflow_sofia.raw_trips is the schema of owner "sofia"; dags/maria/ may only use airflow_maria'


def with_line(line: str) -> str:
    """maria's DAG with ``line`` added after its DELETE."""
    lines = STUDENT_DAG.splitlines(keepends=True)
    at = TRUNCATE_LINE - 1
    return "".join(lines[:at] + [line + "\n"] + lines[at:])


def test_noqa_in_a_pull_request_silences_only_what_the_base_allows(class_repo: Path, tmp_path: Path) -> None:
    refused = (
        "dags/maria/taxi_pipeline.py",
        TRUNCATE_LINE,
        "ETQ302",
        f"{SOFIA} (# noqa cannot silence ETQ302: by default it waives warnings only; the teacher's allow-noqa setting says what it may waive)",
    )

    branch_with(class_repo, "maria/noqa", {"dags/maria/taxi_pipeline.py": with_line(TRUNCATE + "  # noqa")})
    comment = run_pr(class_repo, tmp_path, "maria-gh", "maria/noqa", "pull_request", "--format", "json")
    assert comment.exit_code == 1
    assert [(p, line, c, m) for p, line, c, m in found(comment)] == [refused]

    # Inside the SQL string the noqa marker is text: no waiver, and no word about one.
    branch_with(
        class_repo,
        "maria/noqa-in-sql",
        {"dags/maria/taxi_pipeline.py": with_line('        hook.run("TRUNCATE airflow_sofia.raw_trips -- # noqa")')},
    )
    in_string = run_pr(class_repo, tmp_path, "maria-gh", "maria/noqa-in-sql", "pull_request", "--format", "json")
    assert in_string.exit_code == 1
    assert found(in_string) == [("dags/maria/taxi_pipeline.py", TRUNCATE_LINE, "ETQ302", SOFIA)]

    # The pull request's own allow-noqa is not the base's.
    branch_with(
        class_repo,
        "maria/allow",
        {
            "dags/maria/taxi_pipeline.py": with_line(TRUNCATE + "  # noqa"),
            "pyproject.toml": PYPROJECT + 'allow-noqa = ["ETQ3"]\n',
        },
    )
    own_allow = run_pr(class_repo, tmp_path, "maria-gh", "maria/allow", "pull_request", "--format", "json")
    assert own_allow.exit_code == 1
    assert found(own_allow) == [
        refused,
        (
            "pyproject.toml",
            len(PYPROJECT.splitlines()) + 1,
            "ETQ201",
            f"pyproject.toml has no owner in CODEOWNERS (only the teacher, an admin, may change it); {MARIA}",
        ),
    ]

    # The teacher allows it on main: now the waiver holds, and the summary counts it.
    git(class_repo, "checkout", "-q", "main")
    write(class_repo, {"pyproject.toml": PYPROJECT + 'allow-noqa = ["ETQ3"]\n'})
    commit(class_repo, "chore: noqa comments may silence ETQ3xx")
    branch_with(class_repo, "maria/noqa-allowed", {"dags/maria/taxi_pipeline.py": with_line(TRUNCATE + "  # noqa")})
    summary = tmp_path / "summary.md"
    base, head = pull_request(class_repo, "maria/noqa-allowed", "pull_request")
    env = actions_env(
        tmp_path, "maria-gh", base, head, "maria/noqa-allowed", "pull_request", GITHUB_STEP_SUMMARY=str(summary)
    )
    allowed = run_installed("check", cwd=class_repo, env=env)
    assert allowed.exit_code == 0, allowed.out + allowed.err
    assert allowed.lines[1:] == ["All good: no findings (1 changed path, 1 file checked, 1 silenced by # noqa)."]
    report = summary.read_text()
    assert "Silenced by `# noqa` (allowed by the configuration):" in report
    shown = SOFIA.replace("_", "\\_")  # Markdown text: what the student wrote is never read as emphasis
    assert f"| `dags/maria/taxi_pipeline.py` | {TRUNCATE_LINE} | ETQ302 foreign-schema | {shown} |" in report

    everything = run_installed("check", "--ignore-noqa", "--format", "json", cwd=class_repo, env=env)
    assert everything.exit_code == 1
    assert found(everything) == [
        (
            "dags/maria/taxi_pipeline.py",
            TRUNCATE_LINE,
            "ETQ302",
            f"{SOFIA} (# noqa cannot silence ETQ302: --ignore-noqa is set)",
        )
    ]


def test_admins_are_named_on_the_base_by_roster_or_by_owning_the_configuration(
    class_repo: Path, tmp_path: Path
) -> None:
    write(
        class_repo,
        {
            "pyproject.toml": PYPROJECT + 'admins = ["ta"]\n[tool.airflow-etiquette.owners]\n'
            'ta = { github = "ta-gh" }\n',
            ".github/CODEOWNERS": CODEOWNERS + "/pyproject.toml    @config-keeper\n",
        },
    )
    commit(class_repo, "chore: a teaching assistant, and who keeps the configuration")
    change = {"requirements.txt": REQUIREMENTS + "pyarrow\n", "dags/lasse/taxi_pipeline.py": STUDENT_DAG + "# fixed\n"}
    for number, login in enumerate(["ta-gh", "config-keeper"]):
        branch_with(class_repo, f"fix-{number}", change)
        result = run_pr(class_repo, tmp_path, login, f"fix-{number}", "pull_request_target")
        assert result.exit_code == 0, result.out + result.err
        why = "an admin by the roster" if login == "ta-gh" else "who owns the repository's policy in .github/CODEOWNERS"
        assert f"(identified by the pull request author @{login} ({why}))" in result.lines[0]
        assert result.lines[1:] == ["All good: no findings (2 changed paths, 1 file checked)."]
    # `admins` names owners, not logins: the stranger whose GitHub login is "ta" is nobody's admin.
    branch_with(class_repo, "fix-stranger", change)
    stranger = run_pr(class_repo, tmp_path, "ta", "fix-stranger", "pull_request_target")
    assert stranger.exit_code == 1
    assert "@ta is not mapped to a folder yet" in stranger.out


# -- 8: identifiers as Python reads them ------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        'from airflow import DAG\n\nwith ＤＡＧ("taxi", tags=["student:maria"]):\n    pass\n',
        'from airflow import DAG as Ｄ\n\nwith Ｄ("taxi", tags=["student:maria"]):\n    pass\n',
        'from airflow import DAG as Ｄ\n\nwith D("taxi", tags=["student:maria"]):\n    pass\n',
        'from airflow import ＤＡＧ\n\ndag = DAG("taxi", tags=["student:maria"])\n',
    ],
    ids=["fullwidth-call", "fullwidth-alias", "fullwidth-alias-ascii-call", "fullwidth-import"],
)
def test_fullwidth_identifiers_are_the_names_python_runs(class_repo: Path, tmp_path: Path, source: str) -> None:
    branch_with(class_repo, "maria/wide", {"dags/maria/wide.py": source})
    result = run_pr(class_repo, tmp_path, "maria-gh", "maria/wide", "pull_request_target", "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    assert [(p, c, m) for p, _, c, m in found(result)] == [
        ("dags/maria/wide.py", "ETQ101", 'dag_id "taxi" must start with "maria_" (file is in dags/maria/)')
    ]


# -- 9: symlinks and submodules -----------------------------------------------------------


def lasse_links(repo: Path) -> list[tuple[str, int, str, str]]:
    """lasse's branch: every way a link in dags/lasse/ can lead the scheduler elsewhere."""
    folder = repo / "dags/lasse"
    (folder / "utils").mkdir()
    (folder / "utils/helpers.py").write_text("def month(ds):\n    return ds[:7]\n")
    (folder / "notes.txt").write_text("import os\nos.system('airflow connections delete azure_pg')\n")
    os.symlink("../sofia/taxi_pipeline.py", folder / "borrowed.py")
    os.symlink(".", folder / "here")
    os.symlink("here/../sofia/taxi_pipeline.py", folder / "mine.py")  # inside on paper, sofia's in fact
    os.symlink("utils", folder / "tools")
    os.symlink("b.py", folder / "a.py")
    os.symlink("a.py", folder / "b.py")
    os.symlink("notes.txt", folder / "job.py")
    os.symlink("/etc/passwd", folder / "passwd.py")
    os.symlink("taxi_pipeline.py", folder / "current.py")  # a regular file in the same folder: fine
    outside = "outside dags/lasse/; copy what you need into dags/lasse/ instead"
    folder_link = (
        "the scheduler walks into it (a link to . or a parent makes a loop that breaks the dags folder "
        "for everyone) and no check follows it; remove it"
    )
    return [
        (
            "dags/lasse/a.py",
            1,
            "ETQ202",
            "dags/lasse/a.py is a symlink to b.py, which leads back to itself (a loop); remove it",
        ),
        (
            "dags/lasse/b.py",
            1,
            "ETQ202",
            "dags/lasse/b.py is a symlink to a.py, which leads back to itself (a loop); remove it",
        ),
        (
            "dags/lasse/borrowed.py",
            1,
            "ETQ202",
            f"dags/lasse/borrowed.py is a symlink to ../sofia/taxi_pipeline.py, {outside}",
        ),
        ("dags/lasse/here", 1, "ETQ202", f"dags/lasse/here is a symlink to the folder .; {folder_link}"),
        (
            "dags/lasse/job.py",
            1,
            "ETQ202",
            (
                "dags/lasse/job.py is a symlink to notes.txt, which the scheduler loads "
                "as Python but no check reads; make it a regular file"
            ),
        ),
        (
            "dags/lasse/mine.py",
            1,
            "ETQ202",
            f"dags/lasse/mine.py is a symlink to here/../sofia/taxi_pipeline.py, {outside}",
        ),
        ("dags/lasse/passwd.py", 1, "ETQ202", f"dags/lasse/passwd.py is a symlink to /etc/passwd, {outside}"),
        ("dags/lasse/tools", 1, "ETQ202", f"dags/lasse/tools is a symlink to the folder utils; {folder_link}"),
    ]


def test_symlinks_out_of_the_owners_folder_in_a_branch_a_pull_request_and_the_whole_tree(
    class_repo: Path, tmp_path: Path
) -> None:
    git(class_repo, "checkout", "-q", "-b", "lasse/links")
    expected = lasse_links(class_repo)
    commit(class_repo, "feat(lasse): links")
    branch = run_installed("check", "--base", "main", "--format", "json", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert branch.exit_code == 1, branch.out + branch.err
    assert found(branch) == expected
    whole = run_installed("check", "--select", "ETQ202", "--format", "json", cwd=class_repo)
    assert whole.exit_code == 1, whole.out + whole.err
    assert [f for f in found(whole) if f[2] == "ETQ202"] == expected
    # On disk the loop cannot even be read; that is said too (ETQ002), never passed in silence.
    assert {f for f in found(whole) if f[2] != "ETQ202"} <= {
        (f"dags/lasse/{name}", 1, "ETQ002", "cannot read the file: a symlink loop") for name in ("a.py", "b.py")
    }

    # pull_request_target: the work tree is main, which has none of these links; they are read from git.
    pr = run_pr(class_repo, tmp_path, "lasse-gh", "lasse/links", "pull_request_target", "--format", "json")
    assert not (class_repo / "dags/lasse/mine.py").is_symlink()
    assert pr.exit_code == 1, pr.out + pr.err
    assert found(pr) == expected


def test_a_file_turned_into_a_symlink_and_links_at_the_top_of_dags(class_repo: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "lasse/retype")
    (class_repo / "dags/lasse/taxi_pipeline.py").unlink()
    os.symlink("../sofia/taxi_pipeline.py", class_repo / "dags/lasse/taxi_pipeline.py")  # git: type change
    os.symlink("lasse", class_repo / "dags/newkid")  # a second name for lasse's folder
    commit(class_repo, "feat(lasse): retype")
    result = run_installed("check", "--base", "main", "--format", "json", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert result.exit_code == 1, result.out + result.err
    retyped = (
        "dags/lasse/taxi_pipeline.py is a symlink to ../sofia/taxi_pipeline.py, outside dags/lasse/; "
        "copy what you need into dags/lasse/ instead"
    )
    second_name = (
        "dags/newkid is a symlink to the folder lasse; the scheduler walks into it (a link to . or a parent "
        "makes a loop that breaks the dags folder for everyone) and no check follows it; remove it"
    )
    assert found(result) == [
        ("dags/lasse/taxi_pipeline.py", 1, "ETQ202", retyped),
        (
            "dags/newkid",
            1,
            "ETQ201",
            "dags/newkid has no owner in CODEOWNERS (only the teacher, an admin, may change it); lasse-gh (lasse) may only change dags/lasse/",
        ),
        ("dags/newkid", 1, "ETQ202", second_name),
    ]


def test_a_submodule_under_dags_is_reported(class_repo: Path, tmp_path: Path) -> None:
    git(class_repo, "checkout", "-q", "-b", "lasse/vendor")
    git(class_repo, "update-index", "--add", "--cacheinfo", f"160000,{'a1' * 20},dags/lasse/vendor")
    message = (
        "dags/lasse/vendor is a git submodule: the scheduler loads its files, but they live in another "
        "repository that no check (and no review here) sees; copy the DAG files in instead"
    )
    staged = run_installed("check", "--staged", "--format", "json", cwd=class_repo, env={"AIRFLOW_STUDENT": ""})
    assert (staged.exit_code, found(staged)) == (1, [("dags/lasse/vendor", 1, "ETQ204", message)])
    git(class_repo, "commit", "-q", "-m", "feat(lasse): vendor")
    pr = run_pr(class_repo, tmp_path, "lasse-gh", "lasse/vendor", "pull_request", "--format", "json")
    assert (pr.exit_code, found(pr)) == (1, [("dags/lasse/vendor", 1, "ETQ204", message)])


# -- 10-12: the honest paths -----------------------------------------------------------------


@pytest.mark.parametrize("pyproject", [None, '[project]\nname = "class-airflow"\n'], ids=["no-pyproject", "no-table"])
def test_the_teacher_changes_shared_files_with_zero_configuration(tmp_path: Path, pyproject: str | None) -> None:
    repo = make_repo(tmp_path / "class-airflow", {})
    write(repo, class_files(pyproject=pyproject))
    commit(repo, "Set up the class repository")
    assert not (repo / ".airflow-etiquette.toml").exists()
    branch_with(
        repo,
        "bump-deps",
        {
            "requirements.txt": REQUIREMENTS + "pyarrow\n",
            "tests/test_dag_integrity.py": INTEGRITY_TEST + "\n\ndef test_more():\n    pass\n",
        },
    )
    for flavour in ("pull_request", "pull_request_target"):
        result = run_pr(repo, tmp_path, "lassebenni", "bump-deps", flavour)
        assert result.exit_code == 0, result.out + result.err
        assert (
            "(identified by the pull request author @lassebenni (who owns the repository's policy in "
            ".github/CODEOWNERS))." in result.lines[0]
        )
        assert result.lines[1:] == ["All good: no findings (2 changed paths, 0 files checked)."]
        assert result.err == ""
        assert "dags/<name>" not in result.out and "not mapped" not in result.out


def test_the_teachers_commit_on_main_without_any_signal_is_left_to_the_pull_request(class_repo: Path) -> None:
    write(class_repo, {"requirements.txt": REQUIREMENTS + "pyarrow\n"})
    git(class_repo, "add", "-A")
    result = run_installed(
        "check",
        "--staged",
        cwd=class_repo,
        env={"AIRFLOW_STUDENT": "", "GITHUB_ACTIONS": "", "GIT_CONFIG_GLOBAL": "/dev/null"},
    )
    assert result.exit_code == 0, result.out + result.err
    assert result.lines == ["Checked staged changes.", "All good: no findings (1 changed path, 0 files checked)."]
    assert result.err == (
        "airflow-etiquette: Who made this change is not known here (no --author, AIRFLOW_STUDENT, <name>/<topic> "
        "branch or roster e-mail), so ETQ201 was not checked; the pull request's check decides it.\n"
    )


@pytest.mark.slow
def test_a_laptop_commit_that_maps_a_classmates_folder_to_yourself_is_refused(
    class_repo: Path, hook_source: Path, tmp_path: Path
) -> None:
    write(
        class_repo,
        {
            ".pre-commit-config.yaml": f"""\
repos:
  - repo: {hook_source}
    rev: {git(hook_source, "rev-parse", "HEAD").strip()}
    hooks:
      - id: airflow-etiquette
      - id: airflow-etiquette-ownership
"""
        },
    )
    commit(class_repo, "chore: pre-commit hooks")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "NO_COLOR": "1",
        "AIRFLOW_STUDENT": "",
        "GIT_AUTHOR_NAME": "Maria",
        "GIT_AUTHOR_EMAIL": EMAIL,
        "GIT_COMMITTER_NAME": "Maria",
        "GIT_COMMITTER_EMAIL": EMAIL,
    }
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        check=False,
        cwd=class_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    git(class_repo, "checkout", "-q", "-b", "maria/x")
    write(
        class_repo,
        {
            ".github/CODEOWNERS": CODEOWNERS + "/dags/lasse/ @maria-gh\n",
            "dags/lasse/taxi_pipeline.py": STUDENT_DAG + "# maria's tweak\n",
        },
    )
    git(class_repo, "add", "-A")
    before = git(class_repo, "rev-parse", "HEAD").strip()
    attempt = subprocess.run(
        ["git", "commit", "-m", "fix(maria): take over lasse's pipeline"],
        cwd=class_repo,
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = attempt.stdout + attempt.stderr
    assert attempt.returncode != 0, output
    assert (
        f".github/CODEOWNERS:{len(CODEOWNERS.splitlines()) + 1}:1: ETQ201 .github/CODEOWNERS is owned by "
        f"@lassebenni; {MARIA}"
    ) in output
    assert (
        f"dags/lasse/taxi_pipeline.py:{len(STUDENT_DAG.splitlines()) + 1}:1: ETQ201 dags/lasse/taxi_pipeline.py "
        "is owned by @lasse-gh"
    ) in output
    assert "identified by the branch name maria/x" in output
    assert git(class_repo, "rev-parse", "HEAD").strip() == before  # nothing was committed


# -- found by review: each a way past the gate, or an honest path blocked ---------------------


def test_a_newcomer_cannot_become_an_admin_by_creating_the_admins_folder(class_repo: Path, tmp_path: Path) -> None:
    write(class_repo, {"pyproject.toml": PYPROJECT + 'admins = ["teacher"]\n'})
    commit(class_repo, "chore: the teacher is an admin")
    branch_with(
        class_repo,
        "takeover",
        {
            "dags/teacher/wipe.py": 'def wipe(hook):\n    hook.run("DROP SCHEMA airflow_lasse CASCADE")\n',
            "dags/lasse/taxi_pipeline.py": STUDENT_DAG + "# mine now\n",
        },
    )
    result = run_pr(class_repo, tmp_path, "mallory-gh", "takeover", "pull_request_target", "--format", "json")
    assert result.exit_code == 1
    assert [(p, c) for p, _, c, _ in found(result) if c == "ETQ201"] == [
        ("dags/lasse/taxi_pipeline.py", "ETQ201"),
        ("dags/teacher/wipe.py", "ETQ201"),
    ]
    # and a login spelled like an admin's name is nobody's admin either
    branch_with(class_repo, "teacher/fix", {"dags/lasse/taxi_pipeline.py": STUDENT_DAG + "# mine now\n"})
    named = run_pr(class_repo, tmp_path, "teacher", "teacher/fix", "pull_request_target", "--format", "json")
    assert [(p, c) for p, _, c, _ in found(named)] == [("dags/lasse/taxi_pipeline.py", "ETQ201")]


def test_a_newcomer_cannot_claim_another_spelling_of_a_classmates_folder(class_repo: Path, tmp_path: Path) -> None:
    branch_with(
        class_repo,
        "Maria/first",
        {
            "dags/Maria/taxi_pipeline.py": 'def wipe(hook):\n    hook.run("DELETE FROM airflow_Maria.raw_trips")\n',
            ".github/CODEOWNERS": CODEOWNERS + "/dags/Maria/ @mallory-gh\n",
        },
    )
    result = run_pr(class_repo, tmp_path, "mallory-gh", "Maria/first", "pull_request_target", "--format", "json")
    assert result.exit_code == 1
    assert {(p, c) for p, _, c, _ in found(result) if c == "ETQ201"} == {
        (".github/CODEOWNERS", "ETQ201"),
        ("dags/Maria/taxi_pipeline.py", "ETQ201"),
    }


def test_uncommenting_the_example_line_or_saving_with_a_bom_is_an_honest_first_pull_request(
    class_repo: Path, tmp_path: Path
) -> None:
    write(
        class_repo,
        {
            ".github/CODEOWNERS": "# Add yourself on your first PR, e.g.:\n# /dags/alice/   @alice-gh\n"
            + TEACHER_LINES
            + STUDENT_LINES
        },
    )
    commit(class_repo, "chore: the example line")
    for number, text in enumerate(
        [
            "/dags/nina/   @nina-gh\n" + TEACHER_LINES + STUDENT_LINES.replace("\n", "\r\n"),  # uncommented, CRLF
            "\ufeff# Add yourself on your first PR, e.g.:\n# /dags/alice/   @alice-gh\n"
            + TEACHER_LINES
            + STUDENT_LINES
            + "/dags/nina/ @Nina-GH\n",  # an editor's BOM, the login in another case
        ]
    ):
        branch_with(
            class_repo, f"nina/first-{number}", {".github/CODEOWNERS": text, "dags/nina/taxi_pipeline.py": STUDENT_DAG}
        )
        result = run_pr(class_repo, tmp_path, "nina-gh", f"nina/first-{number}", "pull_request_target")
        assert result.exit_code == 0, result.out


def test_only_one_codeowners_file_may_carry_the_first_pull_request_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "bare-class", {"dags/lasse/taxi_pipeline.py": STUDENT_DAG})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "no CODEOWNERS yet")
    branch_with(
        repo,
        "nina/first",
        {
            ".github/CODEOWNERS": "/dags/nina/ @nina-gh\n",
            "docs/CODEOWNERS": "* @nina-gh\n/dags/lasse/ @nina-gh\n",
            "dags/nina/taxi_pipeline.py": STUDENT_DAG,
        },
    )
    result = run_pr(repo, tmp_path, "nina-gh", "nina/first", "pull_request_target", "--format", "json")
    assert [(p, c) for p, _, c, _ in found(result)] == [(".github/CODEOWNERS", "ETQ201"), ("docs/CODEOWNERS", "ETQ201")]


def test_strict_findings_cannot_be_waived_even_where_allow_noqa_lists_the_code(
    class_repo: Path, tmp_path: Path
) -> None:
    write(class_repo, {"pyproject.toml": PYPROJECT + 'allow-noqa = ["ETQ103", "ETQ301"]\nstrict = ["ETQ302"]\n'})
    commit(class_repo, "chore: strict SQL")
    hidden = 'import base64\n\ndef wipe(hook):\n    hook.run(base64.b64decode("VFJVTkNBVEUgcHVibGljLnRyaXBz").decode())'
    branch_with(class_repo, "maria/hidden", {"dags/maria/wipe.py": hidden + "  # noqa: ETQ103\n"})
    result = run_pr(class_repo, tmp_path, "maria-gh", "maria/hidden", "pull_request_target", "--format", "json")
    assert result.exit_code == 1
    (finding,) = found(result)
    assert finding[2] == "ETQ103" and finding[3].endswith("(# noqa cannot silence ETQ103: strict mode lists it)")


def test_a_configuration_the_change_adds_in_a_subfolder_moves_nothing(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "mono", {"airflow/dags/lasse/taxi.py": "X = 1\n"}, config='dags-folder = "airflow/dags"\n'
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "monorepo")
    git(repo, "checkout", "-q", "-b", "maria/x")
    (repo / "airflow/dags/maria").mkdir()
    (repo / "airflow/dags/maria/wipe.py").write_text('def wipe(hook):\n    hook.run("TRUNCATE public.trips")\n')
    (repo / "airflow/.airflow-etiquette.toml").write_text('dags-folder = "dags"\n')
    git(repo, "add", "-A")
    result = run_installed(
        "check", "--staged", "--ignore", "ETQ2", "--format", "json", "airflow/dags/maria/wipe.py", cwd=repo
    )
    assert [(p, c) for p, _, c, _ in found(result)] == [("airflow/dags/maria/wipe.py", "ETQ302")]


def test_what_cannot_be_read_stops_the_run_instead_of_passing_it(class_repo: Path, tmp_path: Path) -> None:
    (class_repo / "ci-policy.toml").write_text('strict = ["ETQ101"]\n')  # on disk, not on the base
    branch_with(class_repo, "maria/x", {"dags/maria/taxi_pipeline.py": STUDENT_DAG + "# x\n"})
    missing = run_installed("check", "--base", "main", "--config", "ci-policy.toml", cwd=class_repo)
    assert missing.exit_code == 2
    assert "ci-policy.toml: not in the base commit" in missing.err
    env = actions_env(tmp_path, "maria-gh", "0" * 40, "1" * 40, "maria/x", "pull_request")
    Path(env["GITHUB_EVENT_PATH"]).write_text("{not json")
    broken = run_installed("check", cwd=class_repo, env=env)
    assert broken.exit_code == 2 and "cannot read the pull_request event at GITHUB_EVENT_PATH" in broken.err


def test_before_the_first_commit_the_staged_configuration_does_not_count(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "fresh",
        {"dags/maria/wipe.py": 'def wipe(hook):\n    hook.run("TRUNCATE public.trips")\n'},
        config='ignore = ["ETQ302"]\n',
        init_git=False,
    )
    subprocess.run(["git", "init", "-q", "-b", "maria/first"], cwd=repo, check=True)
    git(repo, "add", "-A")
    result = run_installed("check", "--staged", "--format", "json", cwd=repo)
    assert [(p, c) for p, _, c, _ in found(result)] == [("dags/maria/wipe.py", "ETQ302"), ("pyproject.toml", "ETQ201")]


def test_a_fullwidth_keyword_is_the_syntax_error_python_sees(class_repo: Path, tmp_path: Path) -> None:
    branch_with(class_repo, "maria/wide", {"dags/maria/wide.py": "ｉｍｐｏｒｔ os\n"})
    result = run_pr(class_repo, tmp_path, "maria-gh", "maria/wide", "pull_request_target", "--format", "json")
    assert [(p, c) for p, _, c, _ in found(result)] == [("dags/maria/wide.py", "ETQ001")]


def test_a_waived_duplicate_is_counted_and_listed(class_repo: Path, tmp_path: Path) -> None:
    write(class_repo, {"pyproject.toml": PYPROJECT + 'allow-noqa = ["ETQ104"]\n'})
    commit(class_repo, "chore: duplicates may be waived")
    copy = STUDENT_DAG.replace("@dag(\n", "@dag(  # noqa: ETQ104\n")
    branch_with(class_repo, "maria/copy", {"dags/maria/taxi_copy.py": copy})
    result = run_pr(class_repo, tmp_path, "maria-gh", "maria/copy", "pull_request_target", "--format", "text")
    assert result.exit_code == 0, result.out
    assert result.lines[-1] == "All good: no findings (1 changed path, 1 file checked, 1 silenced by # noqa)."
