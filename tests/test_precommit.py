"""The hook as students install it: real pre-commit, a real git repository, a real commit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import git, make_repo

GOOD = """
import os
from pathlib import Path

from airflow.sdk import dag

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name


@dag(dag_id=f"{STUDENT}_taxi_pipeline", tags=["week11", f"student:{STUDENT}"])
def taxi_pipeline():
    pass


taxi_pipeline()
"""
BAD = GOOD.replace('dag_id=f"{STUDENT}_taxi_pipeline"', 'dag_id="taxi_pipeline"')


def cache_env() -> dict[str, str]:
    """One pre-commit cache for the module: the hook's environment is built once."""
    return {**os.environ, "PRE_COMMIT_HOME": os.environ["AIRFLOW_ETIQUETTE_TEST_PRE_COMMIT_HOME"], "NO_COLOR": "1"}


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = cache_env()
    command = [sys.executable, "-m", "pre_commit", *args]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def test_try_repo_blocks_a_bad_dag_and_lets_a_good_one_through(tmp_path: Path, hook_source: Path) -> None:
    repo = make_repo(tmp_path / "class-airflow", {"dags/lasse/taxi_pipeline.py": BAD, "README.md": "class\n"})
    git(repo, "add", "-A")
    blocked = pre_commit(repo, "try-repo", str(hook_source), "airflow-etiquette")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert (
        'dags/lasse/taxi_pipeline.py:9:13: ETQ101 dag_id "taxi_pipeline" must start with "lasse_" '
        "(file is in dags/lasse/)"
    ) in blocked.stdout

    (repo / "dags/lasse/taxi_pipeline.py").write_text(GOOD)
    git(repo, "add", "-A")
    passed = pre_commit(repo, "try-repo", str(hook_source), "airflow-etiquette")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_the_installed_hook_stops_git_commit(tmp_path: Path, hook_source: Path) -> None:
    repo = make_repo(
        tmp_path / "class-airflow",
        {
            "dags/maria/taxi_pipeline.py": BAD.replace("lasse", "maria"),
            ".pre-commit-config.yaml": f"""
            repos:
              - repo: {hook_source}
                rev: {git(hook_source, "rev-parse", "HEAD").strip()}
                hooks:
                  - id: airflow-etiquette
        """,
        },
    )
    assert pre_commit(repo, "install").returncode == 0
    git(repo, "add", "-A")
    env = {
        **cache_env(),
        "GIT_AUTHOR_NAME": "m",
        "GIT_AUTHOR_EMAIL": "m@x",
        "GIT_COMMITTER_NAME": "m",
        "GIT_COMMITTER_EMAIL": "m@x",
    }
    commit = subprocess.run(
        ["git", "commit", "-m", "add maria taxi_pipeline"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert commit.returncode != 0
    assert 'ETQ101 dag_id "taxi_pipeline" must start with "maria_"' in commit.stdout + commit.stderr
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True).returncode != 0  # no commit


def test_ownership_hook_and_all_files_only_judge_the_authors_change(tmp_path: Path, hook_source: Path) -> None:
    rev = git(hook_source, "rev-parse", "HEAD").strip()
    repo = make_repo(
        tmp_path / "class-airflow",
        {
            # an old violation by someone else, already on main: never the committer's problem
            "dags/lasse/legacy.py": 'from airflow import DAG\n\ndag = DAG("legacy")\n',
            "dags/maria/taxi_pipeline.py": GOOD,
            "requirements.txt": "pandas\n",
            ".pre-commit-config.yaml": f"""
            repos:
              - repo: {hook_source}
                rev: {rev}
                hooks:
                  - id: airflow-etiquette
                  - id: airflow-etiquette-ownership
                  - id: airflow-etiquette-push
        """,
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    git(repo, "checkout", "-q", "-b", "maria/weather")
    (repo / "dags/maria/weather.py").write_text(GOOD.replace("taxi_pipeline", "weather"))
    git(repo, "add", "-A")
    clean = pre_commit(repo, "run", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "legacy" not in clean.stdout

    (repo / "requirements.txt").write_text("pandas\ndbt-core\n")
    git(repo, "add", "-A")
    blocked = pre_commit(repo, "run", "--all-files")
    assert blocked.returncode == 1
    assert (
        "requirements.txt:2:1: ETQ201 requirements.txt has no owner in CODEOWNERS (only the teacher, an admin, may change it); maria may only "
        "change dags/maria/"
    ) in blocked.stdout
    assert "identified by the branch name maria/weather" in blocked.stdout
    assert "legacy" not in blocked.stdout

    git(repo, "commit", "-q", "--no-verify", "-m", "maria: weather and deps")
    pushed = pre_commit(repo, "run", "--hook-stage", "pre-push", "--all-files")
    assert pushed.returncode == 1
    assert (
        "ETQ201 requirements.txt has no owner in CODEOWNERS (only the teacher, an admin, may change it)"
        in pushed.stdout
    )


def test_a_passing_commit_shows_its_warnings_and_a_staged_script_is_checked(tmp_path: Path, hook_source: Path) -> None:
    repo = make_repo(
        tmp_path / "class-airflow",
        {
            "dags/maria/taxi_pipeline.py": GOOD.replace("lasse", "maria"),
            ".pre-commit-config.yaml": f"""
            repos:
              - repo: {hook_source}
                rev: {git(hook_source, "rev-parse", "HEAD").strip()}
                hooks:
                  - id: airflow-etiquette
                  - id: airflow-etiquette-ownership
        """,
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    assert pre_commit(repo, "install").returncode == 0
    env = {
        **cache_env(),
        "GIT_AUTHOR_NAME": "m",
        "GIT_AUTHOR_EMAIL": "m@x",
        "GIT_COMMITTER_NAME": "m",
        "GIT_COMMITTER_EMAIL": "m@x",
        "AIRFLOW_STUDENT": "",
    }
    (repo / "dags/maria/taxi_pipeline.py").write_text(GOOD.replace("lasse", "maria") + 'SCHEMA = "airflow_maria"\n')
    git(repo, "add", "-A")
    commit = subprocess.run(
        ["git", "commit", "-m", "maria: schema"], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    output = commit.stdout + commit.stderr
    assert commit.returncode == 0, output  # a warning never stops a commit, but it is shown
    assert (
        'dags/maria/taxi_pipeline.py:16:10: ETQ301 hard-coded schema "airflow_maria"; derive it from the '
        'folder: SCHEMA = f"airflow_{STUDENT}"'
    ) in output
    # On main nothing says who is committing: the ownership hook passes and says CI decides.
    assert "so ETQ201 was not checked; the pull request's check decides it." in output

    (repo / "dags/maria/reset.sh").write_text('psql "$PG" -c "TRUNCATE public.raw_trips"\n')
    git(repo, "add", "-A")
    blocked = subprocess.run(
        ["git", "commit", "-m", "maria: reset"], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    assert blocked.returncode != 0
    assert (
        "dags/maria/reset.sh:1:1: ETQ302 TRUNCATE of public.raw_trips writes outside your schema; write to "
        "airflow_maria instead"
    ) in blocked.stdout + blocked.stderr


def test_the_fixing_hook_writes_the_fix_and_the_student_stages_it(tmp_path: Path, hook_source: Path) -> None:
    # the student's loop: the commit is stopped and fixed, review, stage, commit
    untagged = BAD.replace(', tags=["week11", f"student:{STUDENT}"]', "")
    repo = make_repo(
        tmp_path / "class-airflow",
        {
            "dags/lasse/taxi_pipeline.py": untagged,
            ".pre-commit-config.yaml": f"""
            repos:
              - repo: {hook_source}
                rev: {git(hook_source, "rev-parse", "HEAD").strip()}
                hooks:
                  - id: airflow-etiquette-fix
        """,
        },
    )
    assert pre_commit(repo, "install").returncode == 0
    git(repo, "add", "-A")
    env = {**cache_env(), "GIT_AUTHOR_NAME": "l", "GIT_AUTHOR_EMAIL": "l@x", "GIT_COMMITTER_NAME": "l"}
    env["GIT_COMMITTER_EMAIL"] = "l@x"

    def commit() -> subprocess.CompletedProcess[str]:
        command = ["git", "commit", "-m", "taxi pipeline"]
        return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=600)

    stopped = commit()
    assert stopped.returncode != 0
    output = stopped.stdout + stopped.stderr
    assert "fixed 2 finding(s) in 1 file(s); they are in your working tree, not staged" in output
    fixed = (repo / "dags/lasse/taxi_pipeline.py").read_text()
    assert '@dag(dag_id=f"{STUDENT}_taxi_pipeline", tags=[f"student:{STUDENT}"])' in fixed
    assert "tags=" not in git(repo, "show", ":dags/lasse/taxi_pipeline.py")  # the student stages it, not the hook
    git(repo, "add", "-A")
    done = commit()
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_first_dag_from_new_goes_through_the_hooks(tmp_path: Path, hook_source: Path) -> None:
    repo = make_repo(
        tmp_path / "class-airflow",
        {
            "CODEOWNERS": "* @teacher\n/dags/lasse/  @lasse-gh\n",
            "dags/lasse/taxi_pipeline.py": GOOD,
            ".pre-commit-config.yaml": f"""
            repos:
              - repo: {hook_source}
                rev: {git(hook_source, "rev-parse", "HEAD").strip()}
                hooks:
                  - id: airflow-etiquette
                  - id: airflow-etiquette-ownership
        """,
        },
        config='shared-connections = ["azure_pg"]\n',
    )
    env = {**cache_env(), "GIT_AUTHOR_NAME": "m", "GIT_AUTHOR_EMAIL": "m@x", "GIT_COMMITTER_NAME": "m"}
    env["GIT_COMMITTER_EMAIL"] = "m@x"
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the class repository")
    assert pre_commit(repo, "install").returncode == 0
    git(repo, "checkout", "-qb", "lasse/weather")
    made = subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", "new", "weather"], cwd=repo, capture_output=True, text=True
    )
    assert made.returncode == 0 and "wrote dags/lasse/weather.py" in made.stderr, made.stderr
    git(repo, "add", "-A")
    commit = subprocess.run(
        ["git", "commit", "-m", "weather"], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert (commit.stdout + commit.stderr).count("Passed") == 2  # the content and the ownership hook
