"""`airflow-etiquette new NAME`: a first DAG that passes `check`, for a new owner and an existing one,
on Airflow 2 and 3 repositories, from the built-in template or the teacher's."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

CONFIG = 'shared-connections = ["azure_pg"]\n'
AIRFLOW_2_DAG = "from airflow.decorators import dag\n"
AIRFLOW_3_DAG = "from airflow.sdk import dag\n"


def class_repo(tmp_path: Path, other_dag: str = AIRFLOW_3_DAG, config: str = CONFIG) -> Path:
    return make_repo(
        tmp_path / "class",
        {
            "CODEOWNERS": "* @teacher\n/dags/lasse/  @lasse-gh\n",
            "requirements.txt": "apache-airflow-providers-postgres\npandas\n",
            "dags/lasse/old.py": other_dag,
        },
        config=config,
    )


def test_a_new_owners_first_dag_gets_a_folder_a_codeowners_line_and_passes(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    made = run_installed("new", "taxi_pipeline", "--owner", "maria", "--login", "@maria-gh", cwd=repo)
    assert made.exit_code == 0, made.err
    assert made.err.splitlines() == [
        "airflow-etiquette: wrote dags/maria/taxi_pipeline.py",
        "airflow-etiquette: added to CODEOWNERS: /dags/maria/  @maria-gh",
    ]
    assert (repo / "CODEOWNERS").read_text().endswith("/dags/lasse/  @lasse-gh\n/dags/maria/  @maria-gh\n")
    text = (repo / "dags/maria/taxi_pipeline.py").read_text()
    assert "from airflow.sdk import dag, task" in text and 'dag_id=f"{STUDENT}_taxi_pipeline"' in text
    checked = run_installed("check", "--format", "json", "--no-cache", cwd=repo)
    assert (checked.exit_code, checked.findings) == (0, []), checked.out


def test_an_existing_owner_is_who_the_branch_says_and_airflow_2_is_kept(tmp_path: Path) -> None:
    repo = class_repo(tmp_path, AIRFLOW_2_DAG)
    git(repo, "checkout", "-qb", "lasse/weather")
    made = run_installed("new", "weather", cwd=repo)
    assert made.err.splitlines() == ["airflow-etiquette: wrote dags/lasse/weather.py"]
    text = (repo / "dags/lasse/weather.py").read_text()
    assert "from airflow.decorators import dag, task" in text
    assert run_installed("check", "--no-cache", cwd=repo).exit_code == 0
    again = run_installed("new", "weather", cwd=repo)
    assert again.exit_code == 2
    assert again.err == "airflow-etiquette: error: dags/lasse/weather.py exists; `new` never overwrites a file\n"
    assert (repo / "dags/lasse/weather.py").read_text() == text


def test_the_configured_version_wins_and_a_new_owner_without_a_login_is_told_the_line(tmp_path: Path) -> None:
    repo = class_repo(tmp_path, AIRFLOW_3_DAG, CONFIG + 'airflow-version = "2"\n')
    made = run_installed("new", "zones", "--owner", "noor", cwd=repo)
    assert "from airflow.decorators import dag, task" in (repo / "dags/noor/zones.py").read_text()
    assert "add your line to CODEOWNERS in this pull request: /dags/noor/  @your-github-login" in made.err
    assert "noor" not in (repo / "CODEOWNERS").read_text()


def test_the_teachers_template(tmp_path: Path) -> None:
    template = (
        '"""$name by $owner."""\n\nfrom airflow.sdk import DAG\n\n'
        'with DAG(dag_id="$dag_id", tags=["$tag", "week12"], schedule=None):\n'
        '    SCHEMA = "$schema"  # noqa: ETQ301\n'
    )
    repo = class_repo(tmp_path, config=CONFIG + 'new-template = "templates/first.py"\n')
    (repo / "templates").mkdir()
    (repo / "templates/first.py").write_text(template)
    assert run_installed("new", "trips", "--owner", "lasse", cwd=repo).exit_code == 0
    assert (repo / "dags/lasse/trips.py").read_text() == (
        '"""trips by lasse."""\n\nfrom airflow.sdk import DAG\n\n'
        'with DAG(dag_id="lasse_trips", tags=["student:lasse", "week12"], schedule=None):\n'
        '    SCHEMA = "airflow_lasse"  # noqa: ETQ301\n'
    )
    assert run_installed("check", "--no-cache", "dags/lasse/trips.py", cwd=repo).exit_code == 0


@pytest.mark.parametrize(
    ("args", "template", "message"),
    [
        (["Taxi-Pipeline", "--owner", "lasse"], None, "'Taxi-Pipeline' is not a DAG name"),
        (["taxi", "--owner", "../x"], None, "--owner '../x' is not a folder name"),
        (["taxi", "--owner", "lasse"], "$unknown\n", "new-template templates/first.py: 'unknown' is not a placeholder"),
        (["t" * 300, "--owner", "lasse"], None, "is too long: Airflow's dag_ids have at most 250 characters"),
        (["taxi", "--owner", "zoe", "--login", "zoe-gh\n/.github/ @zed-gh"], None, "is not a GitHub or GitLab login"),
        (["taxi", "--owner", "zoe", "--login", "@@developer"], None, "'@@developer' is not a GitHub or GitLab login"),
    ],
)
def test_what_new_refuses_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], template: str | None, message: str
) -> None:
    config = CONFIG + ('new-template = "templates/first.py"\n' if template else "")
    repo = class_repo(tmp_path, config=config)
    if template:
        (repo / "templates").mkdir()
        (repo / "templates/first.py").write_text(template)
    result = run_installed("new", *args, cwd=repo)
    assert result.exit_code == 2 and result.err.count("\n") == 1 and message in result.err, result.err
    assert sorted(p.name for p in (repo / "dags").rglob("*.py")) == ["old.py"]


def test_a_first_pull_requests_branch_names_the_new_owner(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the class repository")
    git(repo, "checkout", "-qb", "maria/first-dag")
    made = run_installed("new", "taxi_pipeline", "--login", "maria-gh", cwd=repo)
    assert "wrote dags/maria/taxi_pipeline.py" in made.err and "/dags/maria/  @maria-gh" in made.err
    git(repo, "add", "-A")
    staged = run_installed("check", "--staged", "--format", "json", cwd=repo)  # ownership included
    assert (staged.exit_code, staged.findings) == (0, []), staged.out + staged.err


def test_nobody_known_is_told_to_say_who(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    result = run_installed("new", "taxi", cwd=repo, env={"AIRFLOW_STUDENT": ""})
    assert result.exit_code == 2 and "give --owner NAME" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["task", "--owner", "lasse"], "'task' cannot name the DAG's function"),
        (["class", "--owner", "lasse"], "'class' cannot name the DAG's function"),
    ],
)
def test_a_name_the_template_cannot_use_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    repo = class_repo(tmp_path)
    result = run_installed("new", *args, cwd=repo)
    assert result.exit_code == 2 and message in result.err


def test_new_outside_a_class_repository_or_over_a_file_writes_nothing(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty", {"README.md": "not a class\n"})
    outside = run_installed("new", "taxi", "--owner", "lasse", cwd=empty)
    assert outside.exit_code == 2 and "no dags folder at" in outside.err
    assert not (empty / "dags").exists()
    repo = class_repo(tmp_path)
    (repo / "dags/filey").write_text("")
    over = run_installed("new", "taxi", "--owner", "filey", cwd=repo)
    assert over.exit_code == 2 and "dags/filey is a file, not an owner's folder" in over.err


def test_a_login_codeowners_maps_names_the_owner(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    made = run_installed("new", "zones", "--login", "lasse-gh", cwd=repo, env={"AIRFLOW_STUDENT": ""})
    assert made.exit_code == 0, made.err
    assert (repo / "dags/lasse/zones.py").exists()
    unknown = run_installed("new", "zones", "--login", "nobody-gh", cwd=repo, env={"AIRFLOW_STUDENT": ""})
    assert unknown.exit_code == 2 and "give --owner NAME" in unknown.err


def test_new_never_writes_through_a_symlink(tmp_path: Path) -> None:
    """An owner folder linked outside got the new file there; a CODEOWNERS linked outside got the line."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "CODEOWNERS").write_text("* @someone\n")
    repo = class_repo(tmp_path)
    (repo / "dags/ahmed").symlink_to(outside)
    result = run_installed("new", "taxi", "--owner", "ahmed", cwd=repo)
    assert result.exit_code == 2 and "dags/ahmed is a symlink" in result.err, result.err
    (repo / "CODEOWNERS").unlink()
    (repo / "CODEOWNERS").symlink_to(outside / "CODEOWNERS")
    result = run_installed("new", "taxi", "--owner", "zoe", "--login", "zoe-gh", cwd=repo)
    assert result.exit_code == 2 and "CODEOWNERS: leads out of the repository" in result.err, result.err
    assert sorted(p.name for p in outside.iterdir()) == ["CODEOWNERS"]
    assert (outside / "CODEOWNERS").read_text() == "* @someone\n"
    assert not (repo / "dags/zoe").exists()


def test_a_codeowners_linked_inside_the_repository_gets_the_line(tmp_path: Path) -> None:
    repo = class_repo(tmp_path)
    (repo / ".github").mkdir()
    (repo / ".github/CODEOWNERS").symlink_to("../CODEOWNERS")
    result = run_installed("new", "taxi", "--owner", "zoe", "--login", "zoe-gh", cwd=repo)
    assert result.exit_code == 0, result.err
    assert (repo / "CODEOWNERS").read_text().endswith("/dags/zoe/  @zoe-gh\n")
    assert (repo / ".github/CODEOWNERS").is_symlink()
