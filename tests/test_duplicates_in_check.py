"""ETQ104 in `check`: a copied DAG file is stopped where it is made, not only in the audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

DAG = """\
from airflow.sdk import dag

@dag(dag_id="{dag_id}", tags=["student:{owner}"])
def pipeline():
    pass

pipeline()
"""


def dag(owner: str, dag_id: str, noqa: bool = False) -> str:
    text = DAG.format(owner=owner, dag_id=dag_id)
    return text.replace(")\ndef", ")  # noqa: ETQ104\ndef") if noqa else text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(
        tmp_path / "class",
        {
            "dags/maria/taxi.py": dag("maria", "maria_taxi"),
            # ETQ101 reports this prefix clash too; silenced here to see what ETQ104 does on its own.
            "dags/ana/taxi.py": dag("ana", "ana_maria_taxi").replace(")\ndef", ")  # noqa: ETQ101\ndef"),
            "dags/ana_maria/weather.py": dag("ana_maria", "ana_maria_weather"),
        },
        config='allow-noqa = ["ETQ101", "ETQ104"]\n',
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def codes(result) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    return [(f["path"], f["line"], f["code"]) for f in result.findings]


def test_whole_folder_check_reports_both_places(repo: Path) -> None:
    (repo / "dags/maria/taxi_copy.py").write_text(dag("maria", "maria_taxi"))
    result = run_installed("check", cwd=repo)
    assert result.exit_code == 1
    assert result.lines[:2] == [
        'dags/maria/taxi.py:3:2: ETQ104 dag_id "maria_taxi" is also defined in dags/maria/taxi_copy.py:3; '
        "the scheduler keeps only one of them, so one DAG silently disappears",
        'dags/maria/taxi_copy.py:3:2: ETQ104 dag_id "maria_taxi" is also defined in dags/maria/taxi.py:3; '
        "the scheduler keeps only one of them, so one DAG silently disappears",
    ]
    only_given = run_installed("check", "dags/maria/taxi_copy.py", cwd=repo)
    assert only_given.exit_code == 0  # explicit files are compared with each other only


def test_a_pull_request_is_compared_with_the_whole_dags_folder(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "ana_maria/taxi")
    (repo / "dags/ana_maria/taxi.py").write_text(dag("ana_maria", "ana_maria_taxi"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "ana_maria: taxi")
    result = run_installed("check", "--base", "main", "--format", "json", cwd=repo)
    # Only the changed file is reported: the PR that makes the clash is the one to fix it.
    assert (result.exit_code, codes(result)) == (1, [("dags/ana_maria/taxi.py", 3, "ETQ104")])
    assert "also defined in dags/ana/taxi.py:3" in result.findings[0]["message"]


def test_pre_commit_compares_with_the_owners_own_files_only(repo: Path) -> None:
    (repo / "dags/maria/taxi_v2.py").write_text(dag("maria", "maria_taxi"))
    (repo / "dags/ana_maria/taxi.py").write_text(dag("ana_maria", "ana_maria_taxi"))
    git(repo, "add", "-A")
    result = run_installed("check", "--staged", "--ignore", "ETQ2", "--format", "json", cwd=repo)
    # The copy inside maria's own folder is caught on her laptop; the clash with another
    # owner's folder is left to CI, which keeps the hook fast.
    assert (result.exit_code, codes(result)) == (1, [("dags/maria/taxi_v2.py", 3, "ETQ104")])


def test_noqa_silences_one_place(repo: Path) -> None:
    (repo / "dags/maria/taxi_copy.py").write_text(dag("maria", "maria_taxi", noqa=True))
    result = run_installed("check", "--format", "json", cwd=repo)
    assert codes(result) == [("dags/maria/taxi.py", 3, "ETQ104")]
    ignored = run_installed("check", "--ignore", "ETQ104", cwd=repo)
    assert ignored.exit_code == 0, ignored.out
    # Without the teacher's allow-noqa an error cannot be waived: the comment is named in the message.
    (repo / "pyproject.toml").unlink()
    refused = run_installed("check", "--format", "json", "--select", "ETQ104", cwd=repo)
    assert codes(refused) == [("dags/maria/taxi.py", 3, "ETQ104"), ("dags/maria/taxi_copy.py", 3, "ETQ104")]
    assert refused.findings[1]["message"].endswith(
        "(# noqa cannot silence ETQ104: by default it waives warnings only; the teacher's allow-noqa setting says what it may waive)"
    )


def test_a_factory_called_twice_with_the_same_name(repo: Path) -> None:
    (repo / "dags/maria/reports.py").write_text(
        "from airflow.sdk import DAG\n\n"
        "def make(name):\n"
        '    return DAG(f"maria_{name}", tags=["student:maria"])\n\n'
        'daily = make("report")\n'
        'again = make("report")\n'
    )
    result = run_installed("check", "dags/maria/reports.py", "--format", "json", cwd=repo)
    assert [(f["line"], f["code"], f["message"].split(";")[0]) for f in result.findings] == [
        (6, "ETQ104", 'dag_id "maria_report" is also defined in dags/maria/reports.py:7'),
        (7, "ETQ104", 'dag_id "maria_report" is also defined in dags/maria/reports.py:6'),
    ]


def test_an_untracked_scratch_copy_is_no_clash_for_a_change(repo: Path) -> None:
    (repo / "dags/maria/taxi_v2.py").write_text(dag("maria", "maria_taxi_v2"))
    git(repo, "add", "-A")
    (repo / "dags/maria/scratch.py").write_text(dag("maria", "maria_taxi_v2"))  # never staged
    result = run_installed("check", "--staged", "--ignore", "ETQ2", cwd=repo)
    assert result.exit_code == 0, result.out


def test_the_arms_of_an_if_or_a_try_are_not_duplicates(repo: Path) -> None:
    (repo / "dags/maria/compat.py").write_text(
        "import os\n"
        "try:\n"
        "    from airflow.sdk import DAG\n"
        '    dag = DAG("maria_compat", tags=["student:maria"])\n'
        "except ImportError:\n"
        "    from airflow import DAG\n"
        '    dag = DAG("maria_compat", tags=["student:maria"])\n'
        'if os.environ.get("ENV") == "astro":\n'
        '    local = DAG("maria_env", tags=["student:maria"])\n'
        "else:\n"
        '    local = DAG("maria_env", tags=["student:maria"])\n'
    )
    result = run_installed("check", "dags/maria/compat.py", cwd=repo)
    assert result.exit_code == 0, result.out
    (repo / "dags/maria/other.py").write_text(dag("maria", "maria_env"))  # another file: both can load
    clash = run_installed("check", "dags/maria", "--format", "json", cwd=repo)
    assert sorted((f["path"], f["line"]) for f in clash.findings) == [
        ("dags/maria/compat.py", 9),
        ("dags/maria/compat.py", 11),
        ("dags/maria/other.py", 3),
    ]


def test_only_different_arms_of_one_statement_exclude_each_other(repo: Path) -> None:
    """Two DAGs in one arm, a try's body and its else, or one DAG beside an if: both run."""
    (repo / "dags/maria/arms.py").write_text(
        "import os\n"
        "from airflow.sdk import DAG\n"
        "ENV = os.environ.get('ENV')\n"
        "if ENV:\n"
        '    a = DAG("maria_same_arm", tags=["student:maria"])\n'
        '    b = DAG("maria_same_arm", tags=["student:maria"])\n'
        "try:\n"
        '    c = DAG("maria_try_else", tags=["student:maria"])\n'
        "except ValueError:\n"
        "    pass\n"
        "else:\n"
        '    d = DAG("maria_try_else", tags=["student:maria"])\n'
        'e = DAG("maria_beside", tags=["student:maria"])\n'
        "if ENV:\n"
        '    f = DAG("maria_beside", tags=["student:maria"])\n'
        "if ENV == 'a':\n"
        '    g = DAG("maria_elif", tags=["student:maria"])\n'
        "elif ENV == 'b':\n"
        "    if os.environ.get('X'):\n"
        '        h = DAG("maria_elif", tags=["student:maria"])\n'
        "    else:\n"
        '        i = DAG("maria_elif", tags=["student:maria"])\n'
        "match ENV:\n"
        "    case 'a':\n"
        '        j = DAG("maria_match", tags=["student:maria"])\n'
        "    case _:\n"
        '        k = DAG("maria_match", tags=["student:maria"])\n'
        "try:\n"
        '    m = DAG("maria_finally", tags=["student:maria"])\n'
        "finally:\n"
        '    n = DAG("maria_finally", tags=["student:maria"])\n'
        'if __name__ == "__main__":  # a local test run: the scheduler never gets here\n'
        '    e = DAG("maria_beside", schedule=None, tags=["student:maria"])\n'
        "    e.test()\n"
    )
    result = run_installed("check", "dags/maria/arms.py", "--format", "json", cwd=repo)
    assert result.exit_code == 1, result.out
    assert sorted((f["line"], f["message"].split(";")[0]) for f in result.findings) == [
        (5, 'dag_id "maria_same_arm" is also defined in dags/maria/arms.py:6'),
        (6, 'dag_id "maria_same_arm" is also defined in dags/maria/arms.py:5'),
        (8, 'dag_id "maria_try_else" is also defined in dags/maria/arms.py:12'),
        (12, 'dag_id "maria_try_else" is also defined in dags/maria/arms.py:8'),
        (13, 'dag_id "maria_beside" is also defined in dags/maria/arms.py:15'),
        (15, 'dag_id "maria_beside" is also defined in dags/maria/arms.py:13'),
        (29, 'dag_id "maria_finally" is also defined in dags/maria/arms.py:31'),
        (31, 'dag_id "maria_finally" is also defined in dags/maria/arms.py:29'),
    ]


def test_a_factorys_dags_sit_where_the_factory_is_called(repo: Path) -> None:
    """Called in the two arms of the Airflow 2/3 fallback, or in a local test run: one DAG;
    called twice side by side: two."""
    (repo / "dags/maria/built.py").write_text(
        "from airflow import DAG\n\n"
        "def build(dag_id, schedule):\n"
        '    return DAG(dag_id, schedule=schedule, tags=["student:maria"])\n\n'
        "try:\n"
        "    from airflow.sdk import DAG as _V3\n"
        '    dag = build("maria_built", "@daily")\n'
        "except ImportError:\n"
        '    dag = build("maria_built", None)\n\n'
        'twice = build("maria_twice", None)\n'
        'again = build("maria_twice", None)\n\n'
        'if __name__ == "__main__":\n'
        '    build("maria_built", None).test()\n'
    )
    result = run_installed("check", "dags/maria/built.py", "--format", "json", cwd=repo)
    assert sorted((f["line"], f["code"]) for f in result.findings) == [(12, "ETQ104"), (13, "ETQ104")], result.out


def test_a_pull_request_finds_an_id_built_from_words_of_a_path(repo: Path) -> None:
    """Only the files that hold every word of a changed id (text or path) are parsed to be compared
    with: a file whose id comes from its folder and its name passes that screen."""
    (repo / "dags/lasse").mkdir()
    (repo / "dags/lasse/taxi_pipeline.py").write_text(
        "from pathlib import Path\nfrom airflow.sdk import dag\n\n"
        "STUDENT = Path(__file__).parent.name\n\n"
        '@dag(dag_id=f"{STUDENT}_{Path(__file__).stem}", tags=[f"student:{STUDENT}"])\n'
        "def pipeline():\n    pass\n\npipeline()\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "lasse's pipeline")
    git(repo, "checkout", "-q", "-b", "lasse/copy")
    (repo / "dags/lasse/copy.py").write_text(dag("lasse", "lasse_taxi_pipeline"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a copy")
    result = run_installed("check", "--base", "main", "--author", "lasse", "--format", "json", cwd=repo)
    assert (result.exit_code, codes(result)) == (1, [("dags/lasse/copy.py", 3, "ETQ104")]), result.err
    assert "is also defined in dags/lasse/taxi_pipeline.py:6" in result.findings[0]["message"]


def test_an_asset_and_a_dag_with_one_id_clash(repo: Path) -> None:
    (repo / "dags/maria/zones.py").write_text(
        "from airflow.sdk import asset, dag\n\n"
        '@asset(schedule="@daily", name="maria_zones", tags=["student:maria"])\ndef zones():\n    pass\n\n'
        '@dag(dag_id="maria_zones", tags=["student:maria"])\ndef refresh():\n    pass\n\nrefresh()\n'
    )
    result = run_installed("check", "--format", "json", cwd=repo)
    assert (result.exit_code, codes(result)) == (
        1,
        [("dags/maria/zones.py", 3, "ETQ104"), ("dags/maria/zones.py", 7, "ETQ104")],
    )


@pytest.mark.parametrize(
    ("other", "copy_id"),
    [
        ('from airflow import DAG\n\nDAG("2024")\n', "2024"),  # no letters: no words to screen by
        ('from airflow import DAG\n\nDAG("maria_dai\\\nly_report")\n', "maria_daily_report"),  # continued line
        ('from airflow import DAG\n\nDAG("maria_straße".casefold())\n', "maria_strasse"),
        ('from airflow import DAG\n\nDAG("MARIA_Daily_Report".lower())\n', "maria_daily_report"),  # ASCII
    ],
    ids=["digits", "continuation", "casefold", "lettercase"],
)
def test_the_screen_lets_through_every_file_that_can_clash(repo: Path, other: str, copy_id: str) -> None:
    (repo / "dags/maria/other.py").write_text(other)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "other")
    git(repo, "checkout", "-q", "-b", "maria/copy")
    (repo / "dags/maria/copy.py").write_text(dag("maria", copy_id))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "copy")
    result = run_installed(
        "check", "--base", "main", "--author", "maria", "--select", "ETQ104", "--format", "json", cwd=repo
    )
    assert codes(result) == [("dags/maria/copy.py", 3, "ETQ104")], result.err
