"""Three flows end to end on a facsimile of the real class repository, with zero configuration.

The layout follows the public class repository this tool is for (see
/work/shared/context/CLASS-REPO.md): a teacher's demo DAG at the top of dags/, one folder
per student, a shared dbt project, a DagBag integrity test, requirements.txt, a CI workflow,
and a CODEOWNERS that lists only the teacher; students are told in comments to add their own
line in their first pull request. No ``[tool.airflow-etiquette]`` table anywhere. The files
are written here in our own words; only the layout and the conventions are the real ones.

Each pull request is simulated as a GitHub runner sees it (an event file, GITHUB_* variables),
in both flavours: ``pull_request`` (the work tree is GitHub's merge commit) and
``pull_request_target`` (the work tree is the base; the pull request's commit is data).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import Result, git, make_repo, run_installed

CODEOWNERS = """\
# Who reviews what in this class repository.
#
# Every student works in one folder, dags/<your-name>/. In your first pull request,
# add a line below that gives that folder to your GitHub account, like this one:
#
#   /dags/your-name/    @your-github-username
#
# The teacher looks after the demo DAG, the tests, CI and the scheduler's packages.
/dags/example_class_demo.py   @lassebenni
/tests/                        @lassebenni
/.github/                      @lassebenni
/requirements.txt              @lassebenni
"""

DEMO_DAG = '''\
"""A DAG the teacher keeps on the shared scheduler, so the UI is never empty.

Students: look, but do not edit; your own DAGs go in dags/<your-name>/.
"""
from datetime import datetime

from airflow.sdk import dag, task


@dag(
    dag_id="class_demo_hello",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["class-demo", "teacher", "week11"],
)
def class_demo_hello():
    @task()
    def say_hello() -> str:
        return "the shared scheduler is alive"

    @task()
    def log_it(text: str) -> None:
        print(text)

    log_it(say_hello())


class_demo_hello()
'''

# The reference pipeline: who the student is comes from the folder, and so does the schema.
TAXI_PIPELINE = '''\
"""Monthly green-taxi trips: load one month into the student's schema, then build it with dbt."""
import io
import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag, get_current_context, task

# Locally AIRFLOW_STUDENT may be set; on the shared scheduler the folder name says who we are.
STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
TRIPS_URL = "https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_{month}.parquet"
DBT_PROJECT = os.environ.get("DBT_PROJECT_DIR", "/opt/airflow/include/dbt_project")

# dbt reads the shared connection's settings through templates; it never changes them.
DBT_ENV = {
    "PG_HOST": "{{ conn.azure_pg.host }}",
    "PG_USER": "{{ conn.azure_pg.login }}",
    "PG_PASSWORD": "{{ conn.azure_pg.password }}",
    "PG_SCHEMA": SCHEMA,
}


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["week11", "taxi", f"student:{STUDENT}"],
)
def taxi_pipeline():
    @task()
    def load_month() -> int:
        run = get_current_context()["dag_run"]
        month = (run.logical_date or run.run_after).strftime("%Y-%m")
        response = requests.get(TRIPS_URL.format(month=month), timeout=60)
        response.raise_for_status()
        trips = pd.read_parquet(io.BytesIO(response.content))

        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        engine = hook.get_sqlalchemy_engine()
        trips.head(0).to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
        hook.run(f'DELETE FROM "{SCHEMA}".raw_trips WHERE to_char(lpep_pickup_datetime, \\'YYYY-MM\\') = %s',
                 parameters=(month,))
        trips.to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
        return len(trips)

    dbt_run = BashOperator(task_id="dbt_run", bash_command=f"dbt run --project-dir {DBT_PROJECT}",
                           env=DBT_ENV, append_env=True)
    dbt_test = BashOperator(task_id="dbt_test", bash_command=f"dbt test --project-dir {DBT_PROJECT}",
                            env=DBT_ENV, append_env=True)

    load_month() >> dbt_run >> dbt_test


taxi_pipeline()
'''

INTEGRITY_TEST = '''\
"""Every DAG in dags/ must import; CI runs this on each pull request."""
from airflow.models import DagBag


def test_dags_import_without_errors():
    bag = DagBag(dag_folder="dags", include_examples=False)
    assert bag.import_errors == {}


def test_dags_have_tags():
    bag = DagBag(dag_folder="dags", include_examples=False)
    assert all(dag.tags for dag in bag.dags.values())
'''

WORKFLOW = """\
name: DAG integrity

on:
  pull_request:
  push:
    branches: [main]

jobs:
  integrity:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install apache-airflow -r requirements.txt pytest
      - run: pytest tests/test_dag_integrity.py -v
"""

REQUIREMENTS = """\
# What the shared scheduler installs at start-up. No dbt here: it fights Airflow's pins.
apache-airflow-providers-postgres
psycopg2-binary
pyarrow
pandas
requests
"""

CLASS_REPO = {
    "README.md": "# Class Airflow\n\nOne scheduler for the whole class; your DAGs go in dags/<your-name>/.\n",
    ".gitignore": "__pycache__/\n.env\n",
    ".github/CODEOWNERS": CODEOWNERS,
    ".github/workflows/integrity-ci.yml": WORKFLOW,
    "requirements.txt": REQUIREMENTS,
    "tests/test_dag_integrity.py": INTEGRITY_TEST,
    "dags/.gitkeep": "",
    "dags/example_class_demo.py": DEMO_DAG,
    "dags/lasse/taxi_pipeline.py": TAXI_PIPELINE,
    "include/dbt_project/dbt_project.yml": "name: taxi\nversion: '1.0'\nprofile: taxi\nmodel-paths: [models]\n",
    "include/dbt_project/profiles.yml.example": "taxi:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n"
    "      host: \"{{ env_var('PG_HOST') }}\"\n"
    "      schema: \"{{ env_var('PG_SCHEMA') }}\"\n",
    "include/dbt_project/models/staging/stg_trips.sql": "select * from {{ source('raw', 'raw_trips') }}\n",
    "include/dbt_project/models/marts/fct_trips.sql": "select count(*) as trips from {{ ref('stg_trips') }}\n",
}

MARIA_LINE = "/dags/maria/    @maria-gh\n"
FIRST_PR = {"dags/maria/taxi_pipeline.py": TAXI_PIPELINE, ".github/CODEOWNERS": CODEOWNERS + MARIA_LINE}
NOT_MAPPED = "@maria-gh (not mapped yet) may only add dags/maria/ and its CODEOWNERS line '/dags/maria/ @maria-gh'"
FLAVOURS = ["pull_request", "pull_request_target"]


@pytest.fixture
def class_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "class-airflow", {})
    write(repo, CLASS_REPO)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Class repository")
    assert "airflow-etiquette" not in "".join(p.read_text() for p in repo.rglob("*.toml"))
    return repo


def write(repo: Path, files: Mapping[str, str]) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def open_pull_request(
    repo: Path,
    tmp_path: Path,
    login: str,
    branch: str,
    files: Mapping[str, str],
    flavour: str,
    number: int = 4,
    main_moves: Mapping[str, str] | None = None,
) -> tuple[dict[str, str], str]:
    """Commit ``files`` on ``branch`` off main (then, while the pull request is open, commit
    ``main_moves`` on main) and set the repository up as the runner of a ``flavour`` job for that
    pull request. Returns the job's environment and the base sha."""
    git(repo, "checkout", "-q", "-b", branch, "main")
    write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"{branch}: changes")
    head = git(repo, "rev-parse", "HEAD").strip()
    if main_moves:
        git(repo, "checkout", "-q", "main")
        write(repo, main_moves)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "main moves on")
    base = git(repo, "rev-parse", "main").strip()
    if flavour == "pull_request":  # actions/checkout checks out refs/pull/N/merge
        git(repo, "checkout", "-q", "--detach", "main")
        git(repo, "merge", "-q", "--no-ff", "--no-edit", head)
    else:  # the base is checked out; the pull request's head is fetched as data only
        git(repo, "checkout", "-q", "main")
        git(repo, "update-ref", f"refs/pull/{number}/head", head)
        git(repo, "branch", "-q", "-D", branch)
    event = tmp_path / f"event-{number}-{flavour}.json"
    event.write_text(
        json.dumps(
            {
                "action": "opened",
                "number": number,
                "pull_request": {
                    "number": number,
                    "user": {"login": login},
                    "head": {"ref": branch, "sha": head},
                    "base": {"ref": "main", "sha": base},
                },
            }
        )
    )
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": flavour,
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": branch,
        "GITHUB_STEP_SUMMARY": "",
        "AIRFLOW_STUDENT": "",
    }
    return env, base


def check(repo: Path, env: Mapping[str, str], *args: str) -> Result:
    return run_installed("check", *args, cwd=repo, env=env)


def found(result: Result) -> list[tuple[str, int, str, str]]:
    assert result.exit_code in (0, 1), result.out + result.err
    return [(f["path"], f["line"], f["code"], f["message"]) for f in json.loads(result.out)]


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` that contains ``needle``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_facsimile_is_clean_with_zero_configuration(class_repo: Path) -> None:
    result = run_installed("check", cwd=class_repo)
    assert (result.exit_code, result.lines, result.err) == (0, ["All good: no findings (2 files checked)."], "")


# -- a. a new student's first pull request ------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_new_students_first_pull_request_passes(class_repo: Path, tmp_path: Path, flavour: str) -> None:
    env, base = open_pull_request(class_repo, tmp_path, "maria-gh", "maria/first-dag", FIRST_PR, flavour)
    result = check(class_repo, env)
    assert result.exit_code == 0, result.out + result.err
    assert result.lines == [
        (
            f"::notice title=airflow-etiquette::Checked what merging into {base[:12]} would change by @maria-gh "
            "(not mapped to a folder yet) (identified by the pull request author @maria-gh, not mapped to a folder in "
            ".github/CODEOWNERS)."
        ),
        "All good: no findings (2 changed paths, 1 file checked).",
    ]
    assert result.err == ""


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_first_pull_request_passes_after_main_s_codeowners_moved_on(
    class_repo: Path, tmp_path: Path, flavour: str
) -> None:
    """While thirty first pull requests are open, the teacher edits CODEOWNERS on main: the pull
    request that adds only its own line was judged against main's new file, as if it had removed
    the teacher's edit, and failed. What counts is what merging it would change."""
    moved = CODEOWNERS.replace("/tests/                        @lassebenni", "/tests/  @lassebenni @ta-gh")
    env, base = open_pull_request(
        class_repo, tmp_path, "maria-gh", "maria/first-dag", FIRST_PR, flavour, main_moves={".github/CODEOWNERS": moved}
    )
    result = check(class_repo, env)
    assert (result.exit_code, result.lines[1:]) == (0, ["All good: no findings (2 changed paths, 1 file checked)."])
    assert f"Checked what merging into {base[:12]} would change by @maria-gh" in result.lines[0]


def test_a_dag_id_merged_while_the_pull_request_was_open_is_a_duplicate(class_repo: Path, tmp_path: Path) -> None:
    """maria's second pull request defines the id her first one, merged after she branched, has:
    the pull request that makes the clash must fail, not main after it."""
    merge_first_pull_request(class_repo)
    green = TAXI_PIPELINE.replace('dag_id=f"{STUDENT}_taxi_pipeline"', 'dag_id=f"{STUDENT}_green_taxi"')
    assert green != TAXI_PIPELINE
    env, _ = open_pull_request(
        class_repo,
        tmp_path,
        "maria-gh",
        "maria/green-v2",
        {"dags/maria/green_v2.py": green},
        "pull_request_target",
        number=7,
        main_moves={"dags/maria/green.py": green},
    )
    result = check(class_repo, env, "--format", "json")
    assert [(path, code) for path, _, code, _ in found(result)] == [("dags/maria/green_v2.py", "ETQ104")]
    assert "is also defined in dags/maria/green.py" in found(result)[0][3]


@pytest.mark.parametrize(
    ("login", "folder", "passes"),
    [
        ("yusuf-gh", "ahmed", True),
        ("ahmed-gh", "ahmed", True),
        ("lasse-gh", "lasse", True),
        ("yusuf-gh", "lasse", False),
    ],
)
def test_a_folder_line_with_two_logins_is_each_one_s(
    class_repo: Path, tmp_path: Path, login: str, folder: str, passes: bool
) -> None:
    """A pair's folder (`/dags/ahmed/ @ahmed-gh @yusuf-gh`) or the teacher beside a student
    (`/dags/lasse/ @lasse-gh @lassebenni`) mapped nobody: each of them was told to get a
    CODEOWNERS line that was already there."""
    lines = "/dags/lasse/  @lasse-gh @lassebenni\n/dags/ahmed/  @ahmed-gh @yusuf-gh\n"
    write(class_repo, {".github/CODEOWNERS": CODEOWNERS + lines, "dags/lasse/taxi_pipeline.py": TAXI_PIPELINE})
    write(class_repo, {"dags/ahmed/taxi_pipeline.py": TAXI_PIPELINE})
    git(class_repo, "add", "-A")
    git(class_repo, "commit", "-q", "-m", "the class so far")
    edited = {f"dags/{folder}/taxi_pipeline.py": TAXI_PIPELINE.replace('"@monthly"', '"@weekly"')}
    env, _ = open_pull_request(class_repo, tmp_path, login, "weekly", edited, "pull_request_target")
    result = check(class_repo, env)
    assert result.exit_code == (0 if passes else 1), result.out + result.err
    if passes:
        owner = "ahmed" if login != "lasse-gh" else "lasse"
        assert f"by {login} ({owner}) (identified by the pull request author @{login}" in result.lines[0]
    else:
        assert "dags/lasse/taxi_pipeline.py is owned by @lasse-gh, @lassebenni; yusuf-gh (ahmed) may only change" in (
            result.out
        )


# -- b. the same pull request also edits a classmate's DAG -------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_first_pull_request_that_also_edits_a_classmates_dag_fails(
    class_repo: Path, tmp_path: Path, flavour: str
) -> None:
    tweaked = TAXI_PIPELINE.replace("max_active_runs=1", "max_active_runs=3")
    env, _ = open_pull_request(
        class_repo,
        tmp_path,
        "maria-gh",
        "maria/first-dag",
        {**FIRST_PR, "dags/lasse/taxi_pipeline.py": tweaked},
        flavour,
    )
    result = check(class_repo, env, "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    line = line_of(TAXI_PIPELINE, "max_active_runs")
    assert found(result) == [
        ("dags/lasse/taxi_pipeline.py", line, "ETQ201", f"dags/lasse/taxi_pipeline.py belongs to lasse; {NOT_MAPPED}")
    ]
    text = check(class_repo, env)
    assert text.exit_code == 1
    assert text.lines[1:] == [
        (
            f"::error file=dags/lasse/taxi_pipeline.py,line={line},col=1,title=ETQ201 outside-own-directory::"
            f"dags/lasse/taxi_pipeline.py belongs to lasse; {NOT_MAPPED}"
        ),
        "Found 1 error in 1 file (3 changed paths, 2 files checked).",
    ]


# -- c. the teacher --------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_teachers_pull_request_to_requirements_passes(class_repo: Path, tmp_path: Path, flavour: str) -> None:
    env, _ = open_pull_request(
        class_repo,
        tmp_path,
        "lassebenni",
        "pin-pandas",
        {"requirements.txt": REQUIREMENTS.replace("pandas\n", "pandas<3\n")},
        flavour,
    )
    result = check(class_repo, env)
    assert result.exit_code == 0, result.out + result.err
    assert result.lines[0].endswith(
        "by lassebenni (identified by the pull request author @lassebenni (who owns the "
        "repository's policy in .github/CODEOWNERS))."
    )
    assert result.lines[1:] == ["All good: no findings (1 changed path, 0 files checked)."]
    assert "not mapped" not in result.out + result.err


# -- what a first pull request may not write into CODEOWNERS -----------------------------------

# (maria's CODEOWNERS, the first line git's diff shows as changed)
CODEOWNERS_CASES = {
    # her new folder, but for somebody else's login
    "another-login": (CODEOWNERS + "/dags/maria/    @someone-else\n", len(CODEOWNERS.splitlines()) + 1),
    # her own line, and the teacher's /tests/ line is gone (a deleted line: git names the line before it)
    "drops-a-teacher-line": (
        CODEOWNERS.replace("/tests/                        @lassebenni\n", "") + MARIA_LINE,
        line_of(CODEOWNERS, "/tests/") - 1,
    ),
    # her own line, and a shared file for herself
    "claims-a-shared-file": (
        CODEOWNERS + MARIA_LINE + "/requirements.txt  @maria-gh\n",
        len(CODEOWNERS.splitlines()) + 1,
    ),
    # her own line, and the teacher's line rewritten
    "rewrites-a-teacher-line": (
        CODEOWNERS.replace("/tests/                        @lassebenni", "/tests/                        @maria-gh")
        + MARIA_LINE,
        line_of(CODEOWNERS, "/tests/"),
    ),
}


@pytest.mark.parametrize("case", list(CODEOWNERS_CASES))
def test_a_first_pull_request_may_only_add_its_own_codeowners_line(class_repo: Path, tmp_path: Path, case: str) -> None:
    new, first_change = CODEOWNERS_CASES[case]
    env, _ = open_pull_request(
        class_repo,
        tmp_path,
        "maria-gh",
        "maria/first-dag",
        {"dags/maria/taxi_pipeline.py": TAXI_PIPELINE, ".github/CODEOWNERS": new},
        "pull_request_target",
    )
    result = check(class_repo, env, "--format", "json")
    assert result.exit_code == 1, result.out + result.err
    assert found(result) == [
        (".github/CODEOWNERS", first_change, "ETQ201", f".github/CODEOWNERS is owned by @lassebenni; {NOT_MAPPED}")
    ]


def test_a_newcomer_cannot_map_an_existing_folder_nor_two_new_ones(class_repo: Path, tmp_path: Path) -> None:
    hint = (
        "@maria-gh is not mapped to a folder yet: a first pull request may add one new folder dags/<name>/ "
        "(and its CODEOWNERS line '/dags/<name>/ @maria-gh'); for an existing folder the teacher adds that line "
        "on the base branch"
    )
    env, _ = open_pull_request(
        class_repo,
        tmp_path,
        "maria-gh",
        "lasse/claim",
        {".github/CODEOWNERS": CODEOWNERS + "/dags/lasse/    @maria-gh\n"},
        "pull_request",
    )
    existing = check(class_repo, env, "--format", "json")
    assert found(existing) == [
        (
            ".github/CODEOWNERS",
            len(CODEOWNERS.splitlines()) + 1,
            "ETQ201",
            f".github/CODEOWNERS is owned by @lassebenni; {hint}",
        )
    ]

    git(class_repo, "checkout", "-q", "main")
    env, _ = open_pull_request(
        class_repo,
        tmp_path,
        "maria-gh",
        "maria/two",
        {
            "dags/maria/taxi_pipeline.py": TAXI_PIPELINE,
            "dags/mariab/taxi_pipeline.py": TAXI_PIPELINE,
            ".github/CODEOWNERS": CODEOWNERS + MARIA_LINE,
        },
        "pull_request_target",
        number=5,
    )
    two = check(class_repo, env, "--format", "json")
    assert two.exit_code == 1
    assert [(p, c, m) for p, _, c, m in found(two)] == [
        (".github/CODEOWNERS", "ETQ201", f".github/CODEOWNERS is owned by @lassebenni; {hint}"),
        ("dags/maria/taxi_pipeline.py", "ETQ201", f"dags/maria/taxi_pipeline.py belongs to maria; {hint}"),
        ("dags/mariab/taxi_pipeline.py", "ETQ201", f"dags/mariab/taxi_pipeline.py belongs to mariab; {hint}"),
    ]


# -- after the first pull request is merged ---------------------------------------------------


def merge_first_pull_request(repo: Path) -> None:
    """maria's first pull request, merged by the teacher with GitHub's merge commit."""
    git(repo, "checkout", "-q", "-b", "maria/first-dag")
    write(repo, FIRST_PR)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feat(maria): first DAG")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge pull request #4 from org/maria/first-dag", "maria/first-dag")


def test_once_merged_the_codeowners_line_is_who_she_is(class_repo: Path, tmp_path: Path) -> None:
    merge_first_pull_request(class_repo)
    env, _ = open_pull_request(
        class_repo,
        tmp_path,
        "maria-gh",
        "weekly",
        {
            "dags/maria/taxi_pipeline.py": TAXI_PIPELINE.replace('"@monthly"', '"@weekly"'),
            "dags/lasse/taxi_pipeline.py": TAXI_PIPELINE.replace('"@monthly"', '"@weekly"'),
        },
        "pull_request",
        number=6,
    )
    result = check(class_repo, env)
    assert result.exit_code == 1, result.out + result.err
    line = line_of(TAXI_PIPELINE, "@monthly")
    assert (
        "by maria-gh (maria) (identified by the pull request author @maria-gh (.github/CODEOWNERS))." in result.lines[0]
    )
    assert result.lines[1:] == [
        (
            f"::error file=dags/lasse/taxi_pipeline.py,line={line},col=1,title=ETQ201 outside-own-directory::"
            "dags/lasse/taxi_pipeline.py belongs to lasse; maria-gh (maria) may only change dags/maria/"
        ),
        "Found 1 error in 1 file (2 changed paths, 2 files checked).",
    ]


def test_the_history_does_not_blame_the_first_pull_request_ci_accepted(class_repo: Path) -> None:
    merge_first_pull_request(class_repo)
    audit = run_installed("audit", "--history", "main~1..main", "--format", "json", cwd=class_repo)
    report = json.loads(audit.out)
    assert report["history"]["violations"] == [] and report["history"]["unattributed"] == []
    assert (audit.exit_code, report["summary"]["errors"]) == (0, 0)


def test_fix_turns_the_classs_earlier_mistakes_back_into_its_idiom(class_repo: Path) -> None:
    # the class repository's taxi_pipeline.py once fell back to "default"; a copy into maria's
    # folder kept lasse's literal names: --fix gives back exactly the file the class has now
    idiom = 'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name'
    earlier = TAXI_PIPELINE.replace(idiom, 'STUDENT = os.environ.get("AIRFLOW_STUDENT", "default")')
    copied = TAXI_PIPELINE.replace('dag_id=f"{STUDENT}_taxi_pipeline"', 'dag_id="taxi_pipeline"').replace(
        'f"student:{STUDENT}"]', '"student:lasse"]'
    )
    write(class_repo, {"dags/lasse/taxi_pipeline.py": earlier, "dags/maria/taxi_pipeline.py": copied})
    fixed = run_installed("check", "--fix", "--unsafe-fixes", "--format", "json", cwd=class_repo)
    assert (fixed.exit_code, fixed.findings) == (0, []), fixed.out + fixed.err
    assert (class_repo / "dags/lasse/taxi_pipeline.py").read_text() == TAXI_PIPELINE
    maria = (class_repo / "dags/maria/taxi_pipeline.py").read_text()
    assert maria == TAXI_PIPELINE.replace('f"student:{STUDENT}"]', '"student:lasse", f"student:{STUDENT}"]')
    assert "nothing to fix" in run_installed("check", "--fix", "--unsafe-fixes", cwd=class_repo).err
