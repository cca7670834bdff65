"""`check --fix`, `--diff` and `--unsafe-fixes` through the real command on real repositories: the
fixed text exactly, nothing else in the file touched, idempotence, composition of two fixes on one
DAG, safety by whether the scheduler already knows the file, and waivers respected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

CLASS_IDIOM = '''\
"""Weekly taxi pipeline (week 11)."""

import os
from pathlib import Path

from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name


@dag(
    dag_id="taxi_pipeline",  # the name in the UI
    schedule=None,
    tags=["week11"],
)
def taxi_pipeline():
    @task
    def load():
        pass  # keep: a comment in the body

    load()


@dag(schedule="@daily")
def zones():
    pass


taxi_pipeline()
zones()
'''

CLASS_IDIOM_FIXED = (
    CLASS_IDIOM.replace('dag_id="taxi_pipeline"', 'dag_id=f"{STUDENT}_taxi_pipeline"')
    .replace('tags=["week11"]', 'tags=["week11", f"student:{STUDENT}"]')
    .replace(
        '@dag(schedule="@daily")', '@dag(schedule="@daily", dag_id=f"{STUDENT}_zones", tags=[f"student:{STUDENT}"])'
    )
)

PLAIN = """\
from airflow import DAG

with DAG('weather_lasse', schedule=None) as dag:  # suffix form, no tags
    pass
"""
PLAIN_FIXED = """\
from airflow import DAG

with DAG('lasse_weather', schedule=None, tags=["student:lasse"]) as dag:  # suffix form, no tags
    pass
"""


def codes(result: object) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in result.findings]  # type: ignore[attr-defined]


def test_fix_writes_the_class_idiom_and_touches_nothing_else(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/taxi.py": CLASS_IDIOM, "dags/lasse/plain.py": PLAIN})
    before = run_installed("check", "--format", "json", cwd=repo)
    assert sorted({c for _, _, c in codes(before)}) == ["ETQ101", "ETQ102"] and len(before.findings) == 6

    fixed = run_installed("check", "--fix", "--format", "json", cwd=repo)
    assert (fixed.exit_code, fixed.findings) == (0, []), fixed.out + fixed.err
    assert "fixed 6 finding(s) in 2 file(s)" in fixed.err
    assert (repo / "dags/lasse/taxi.py").read_text() == CLASS_IDIOM_FIXED
    assert (repo / "dags/lasse/plain.py").read_text() == PLAIN_FIXED

    again = run_installed("check", "--fix", cwd=repo)  # idempotent: nothing left to do
    assert again.exit_code == 0 and "nothing to fix" in again.err
    assert (repo / "dags/lasse/taxi.py").read_text() == CLASS_IDIOM_FIXED


def test_diff_shows_the_fixes_and_writes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/plain.py": PLAIN})
    result = run_installed("check", "--diff", cwd=repo)
    assert result.exit_code == 1
    assert result.out == (
        "--- a/dags/lasse/plain.py\n+++ b/dags/lasse/plain.py\n@@ -1,4 +1,4 @@\n from airflow import DAG\n \n"
        "-with DAG('weather_lasse', schedule=None) as dag:  # suffix form, no tags\n"
        "+with DAG('lasse_weather', schedule=None, tags=[\"student:lasse\"]) as dag:  # suffix form, no tags\n"
        "     pass\n"
    )
    assert "would fix 2 finding(s) in 1 file(s)" in result.err
    assert (repo / "dags/lasse/plain.py").read_text() == PLAIN
    clean = make_repo(tmp_path / "clean", {"dags/lasse/plain.py": PLAIN_FIXED})
    assert run_installed("check", "--diff", cwd=clean).exit_code == 0


def test_renaming_a_dag_the_scheduler_knows_needs_unsafe_fixes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/plain.py": PLAIN})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "on main: the scheduler has run weather_lasse")
    safe = run_installed("check", "--fix", "--format", "json", cwd=repo)
    assert codes(safe) == [("dags/lasse/plain.py", 3, "ETQ101")]  # the tag is fixed, the id is not
    assert "fixed 1 finding(s) in 1 file(s) (1 more with --unsafe-fixes" in safe.err
    assert "'weather_lasse'" in (repo / "dags/lasse/plain.py").read_text()
    explained = run_installed("explain", "ETQ101", cwd=repo)
    assert "unsafe (`--unsafe-fixes`) for a" in explained.out

    unsafe = run_installed("check", "--fix", "--unsafe-fixes", cwd=repo)
    assert unsafe.exit_code == 0, unsafe.out + unsafe.err
    assert (repo / "dags/lasse/plain.py").read_text() == PLAIN_FIXED


def test_a_waived_finding_and_code_it_cannot_see_whole_are_left_alone(tmp_path: Path) -> None:
    waived = PLAIN.replace("# suffix form, no tags", "# noqa: ETQ101")
    made = (
        "from airflow import DAG\n\n\ndef make(name):\n    return DAG(name, schedule=None)\n\n\n"
        'make("lasse_a")\nmake("b")\n'
    )
    repo = make_repo(tmp_path / "r", {"dags/lasse/plain.py": waived, "dags/lasse/factory.py": made})
    result = run_installed("check", "--fix", "--format", "json", cwd=repo)
    text = (repo / "dags/lasse/plain.py").read_text()
    assert "'weather_lasse'" in text and 'tags=["student:lasse"]' in text  # only the tag
    assert (repo / "dags/lasse/factory.py").read_text() == made  # an id from a factory's argument
    assert ("dags/lasse/factory.py", 9, "ETQ101") in codes(result)


def test_fix_and_diff_are_one_or_the_other(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/plain.py": PLAIN})
    both = run_installed("check", "--fix", "--diff", cwd=repo)
    assert both.exit_code == 2 and "give one of them" in both.err
    alone = run_installed("check", "--unsafe-fixes", cwd=repo)
    assert alone.exit_code == 2 and "--unsafe-fixes goes with --fix or --diff" in alone.err


FALLBACK = """\
\"\"\"Doc.\"\"\"

from __future__ import annotations

import os

from airflow.sdk import dag

STUDENT = os.environ.get("AIRFLOW_STUDENT", "default")
SCHEMA = f"airflow_{STUDENT}"


@dag(dag_id=f"{STUDENT}_a", tags=[f"student:{STUDENT}"])
def a():
    pass


a()
"""


def test_the_owner_a_file_derives_is_fixed_first_and_what_it_caused_goes_with_it(tmp_path: Path) -> None:
    copied = 'from airflow.sdk import dag\n\nSTUDENT = "maria"\n\n\n@dag(dag_id=f"{STUDENT}_b", tags=[f"student:{STUDENT}"])\ndef b():\n    pass\n'
    repo = make_repo(tmp_path / "r", {"dags/lasse/a.py": FALLBACK, "dags/lasse/b.py": copied})
    before = run_installed("check", "--format", "json", cwd=repo)
    assert sorted(c for _, _, c in codes(before)) == ["ETQ101", "ETQ101", "ETQ102", "ETQ102", "ETQ105", "ETQ105"]
    fixed = run_installed("check", "--fix", "--format", "json", cwd=repo)
    assert (fixed.exit_code, fixed.findings) == (0, []), fixed.out + fixed.err
    idiom = 'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
    assert (repo / "dags/lasse/a.py").read_text() == FALLBACK.replace(
        "import os\n", "from pathlib import Path\nimport os\n"
    ).replace('STUDENT = os.environ.get("AIRFLOW_STUDENT", "default")\n', idiom)
    assert (repo / "dags/lasse/b.py").read_text() == "import os\nfrom pathlib import Path\n" + copied.replace(
        'STUDENT = "maria"\n', idiom
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "on main")
    (repo / "dags/lasse/a.py").write_text(FALLBACK)
    known = run_installed("check", "--fix", cwd=repo)
    assert "(1 more with --unsafe-fixes: see `airflow-etiquette explain ETQ105`)" in known.err  # ran as "default"


def test_constants_about_students_are_not_the_owners_name_and_are_never_rewritten(tmp_path: Path) -> None:
    """Only a name that holds the student's name is judged; a table of students is data."""
    source = FALLBACK.replace('"default")', '"lasse")') + (
        'STUDENT_TABLE = "students"\n'
        'STUDENT_GITHUB = "lasse-gh"\n'
        'MAX_STUDENTS = os.getenv("MAX_STUDENTS", "30")\n'
        'ID_COLUMN = os.environ["STUDENT_ID_COLUMN"]\n'
        'CURRENT_STUDENT = "maria"\n'
    )
    repo = make_repo(tmp_path / "r", {"dags/lasse/grades.py": source})
    result = run_installed("check", "--format", "json", cwd=repo)
    assert [(f["line"], f["code"], f["message"].split(":")[0]) for f in result.findings] == [
        (23, "ETQ105", 'CURRENT_STUDENT is "maria" but this file is in dags/lasse/, so it is lasse\'s')
    ]
    diff = run_installed("check", "--diff", cwd=repo)
    assert [line for line in diff.out.splitlines() if line.startswith(("-", "+"))] == [
        "--- a/dags/lasse/grades.py",
        "+++ b/dags/lasse/grades.py",
        "+from pathlib import Path",
        '-CURRENT_STUDENT = "maria"',
        '+CURRENT_STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name',
    ], diff.out


LOADER = '''\
"""Loads trips."""

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

TABLE = "raw_trips"


@dag(dag_id="lasse_loader", tags=["student:lasse"])
def loader():
    @task
    def load(df, engine):
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run("DELETE FROM airflow_lasse.raw_trips WHERE month = %s", parameters=("2024-01",))
        hook.run(f"DELETE FROM AIRFLOW_LASSE.{TABLE} WHERE x = 1")
        df.to_sql("raw_trips", engine, schema="airflow_lasse", if_exists="append")
        hook.run("SELECT * FROM airflow_lasse.t WHERE d = '{{ ds }}'")

    load(None, None)


loader()
'''
LOADER_FIXED = (
    LOADER.replace("from airflow.providers", "import os\nfrom pathlib import Path\nfrom airflow.providers")
    .replace(
        'TABLE = "raw_trips"',
        'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\nSCHEMA = f"airflow_{STUDENT}"\n'
        'TABLE = "raw_trips"',
    )
    .replace('"DELETE FROM airflow_lasse.raw_trips', 'f"DELETE FROM {SCHEMA}.raw_trips')
    .replace("AIRFLOW_LASSE.{TABLE}", "{SCHEMA}.{TABLE}")
    .replace('schema="airflow_lasse"', "schema=SCHEMA")
)
CONSTANT = r"""import os
from pathlib import Path

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = "airflow_lasse"
Q = "INSERT INTO airflow_lasse.docs VALUES ('{\"a\": 1}')"
"""
CONSTANT_FIXED = r"""import os
from pathlib import Path

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
Q = f"INSERT INTO {SCHEMA}.docs VALUES ('{{\"a\": 1}}')"
"""


def test_a_hard_coded_schema_becomes_the_derived_one_in_every_form_it_can(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/loader.py": LOADER, "dags/lasse/constant.py": CONSTANT})
    assert len(run_installed("check", "--format", "json", cwd=repo).findings) == 6
    fixed = run_installed("check", "--fix", "--format", "json", cwd=repo)
    assert "fixed 5 finding(s) in 2 file(s)" in fixed.err
    # the Jinja statement is left: its placeholder is another kind (params=), the author's to write
    assert codes(fixed) == [("dags/lasse/loader.py", 21, "ETQ301")]
    assert (repo / "dags/lasse/loader.py").read_text() == LOADER_FIXED
    assert (repo / "dags/lasse/constant.py").read_text() == CONSTANT_FIXED
    assert "nothing to fix" in run_installed("check", "--fix", cwd=repo).err


def test_lines_added_before_a_function_keep_its_two_blank_lines(tmp_path: Path) -> None:
    source = (
        "from airflow.providers.postgres.hooks.postgres import PostgresHook\n\n\n"
        "# deletes one month\ndef purge(where):\n"
        '    PostgresHook(postgres_conn_id="azure_pg").run("DELETE FROM airflow_lasse.trips WHERE " + where())\n'
    )
    repo = make_repo(tmp_path / "r", {"dags/lasse/purge.py": source})
    run_installed("check", "--fix", cwd=repo)
    assert (repo / "dags/lasse/purge.py").read_text() == (
        "import os\nfrom pathlib import Path\n"
        "from airflow.providers.postgres.hooks.postgres import PostgresHook\n\n\n"
        'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
        'SCHEMA = f"airflow_{STUDENT}"\n\n\n'
        "# deletes one month\ndef purge(where):\n"
        '    PostgresHook(postgres_conn_id="azure_pg").run(f"DELETE FROM {SCHEMA}.trips WHERE " + where())\n'
    )


LAYOUTS = """\
from airflow.sdk import DAG, dag

with DAG(
    dag_id="lasse_a",
    schedule=None,  # manual only
):
    pass


@dag(
    dag_id="lasse_b",
    catchup=False
)
def b():
    pass


with DAG(
    "lasse_c",
    tags=[
        "week11",
        "taxi",
    ],
):
    pass
"""


def test_an_added_argument_or_tag_follows_the_calls_layout(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/layouts.py": LAYOUTS})
    assert run_installed("check", "--fix", cwd=repo).exit_code == 0
    assert (repo / "dags/lasse/layouts.py").read_text() == (
        LAYOUTS.replace("None,  # manual only\n", 'None,  # manual only\n    tags=["student:lasse"],\n')
        .replace("catchup=False\n", 'catchup=False,\n    tags=["student:lasse"]\n')
        .replace('"taxi",\n', '"taxi",\n        "student:lasse",\n')
    )


@pytest.mark.parametrize(
    ("path", "source"),
    [
        # SCHEMA above the owner name: SCHEMA = f"airflow_{STUDENT}" there would be a NameError
        (
            "dags/lasse/order.py",
            'import os\nfrom pathlib import Path\n\nSCHEMA = "airflow_lasse"\n'
            'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n',
        ),
        # in a subfolder Path(__file__).parent.name is "sub": the idiom would name the wrong owner
        ("dags/lasse/sub/copied.py", 'STUDENT = "maria"\nSCHEMA = f"airflow_{STUDENT}"\n'),
        # a local SCHEMA shadows the module's: schema=SCHEMA would be "staging"
        (
            "dags/lasse/shadow.py",
            'SCHEMA = f"airflow_{\'lasse\'}"\n\n\ndef load(df, engine, SCHEMA="staging"):\n'
            '    df.to_sql("t", engine, schema="airflow_lasse")\n',
        ),
        # the waiver may follow the closing quotes of a multi-line string
        ("dags/lasse/waived.py", 'SQL = """\nDELETE FROM airflow_lasse.raw_trips\n"""  # noqa: ETQ301\n'),
        # a \\N{...} escape would break if its braces were doubled for an f-string
        ("dags/lasse/escape.py", "SQL = \"select * from airflow_lasse.t where unit = '\\\\N{DEGREE SIGN}'\"\n"),
        # the new id is another DAG's in the same file: one of them would vanish
        (
            "dags/lasse/twins.py",
            'from airflow import DAG\n\nDAG("lasse_taxi", tags=["student:lasse"])\nDAG("taxi", tags=["student:lasse"])\n',
        ),
    ],
)
def test_a_fix_that_would_change_what_the_code_means_is_not_made(tmp_path: Path, path: str, source: str) -> None:
    repo = make_repo(tmp_path / "r", {path: source})
    before = run_installed("check", "--format", "json", "--ignore", "ETQ105", cwd=repo)
    result = run_installed("check", "--fix", "--ignore", "ETQ105", cwd=repo)
    assert result.exit_code in (0, 1) and "internal error" not in result.err, result.err
    assert (repo / path).read_text() == source
    assert codes(run_installed("check", "--format", "json", "--ignore", "ETQ105", cwd=repo)) == codes(before)


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_a_fix_keeps_every_line_end_of_the_file(tmp_path: Path, end: str) -> None:
    """With old Mac line ends (a lone carriage return) the fix dropped the file's last one: libcst
    does not give it back."""
    lines = ["from airflow import DAG", 'dag = DAG("taxi", tags=["student:maria"])', ""]
    repo = make_repo(tmp_path / "r", {"dags/maria/a.py": end.join(lines).encode()})
    result = run_installed("check", "--fix", cwd=repo)
    assert (result.exit_code, result.out) == (0, "All good: no findings (1 file checked).\n"), result.err
    fixed = ["from airflow import DAG", 'dag = DAG("maria_taxi", tags=["student:maria"])', ""]
    assert (repo / "dags/maria/a.py").read_bytes() == end.join(fixed).encode()


def test_a_symlinked_dag_file_is_not_rewritten(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"shared/plain.py": PLAIN})
    (repo / "dags/lasse").mkdir(parents=True)
    (repo / "dags/lasse/plain.py").symlink_to("../../shared/plain.py")
    result = run_installed("check", "--fix", cwd=repo)
    assert result.exit_code == 1
    assert (
        "airflow-etiquette: dags/lasse/plain.py: not fixed: it is shared/plain.py through a symbolic link; fix that "
        "file, or the link"
    ) in result.err.splitlines()
    assert (repo / "dags/lasse/plain.py").is_symlink()
    assert (repo / "shared/plain.py").read_text() == PLAIN


def test_a_file_in_a_linked_owner_folder_is_not_rewritten(tmp_path: Path) -> None:
    """`dags/sofia -> maria`: a fix of dags/sofia/plain.py rewrote maria's file with sofia's prefix."""
    repo = make_repo(tmp_path / "r", {"dags/maria/plain.py": PLAIN})
    (repo / "dags/sofia").symlink_to("maria")
    result = run_installed("check", "--fix", "--unsafe-fixes", "dags/sofia/plain.py", cwd=repo)
    assert result.exit_code == 1 and "nothing to fix" in result.err
    assert "dags/sofia/plain.py: not fixed: it is dags/maria/plain.py through a symbolic link" in result.err
    assert (repo / "dags/maria/plain.py").read_text() == PLAIN


def test_a_diff_read_by_head_ends_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    many = "from airflow import DAG\n\n" + "".join(
        f'DAG("weather_{{}}_{n}", tags=["student:lasse"])\n' for n in range(350)
    )
    files = {f"dags/lasse/plain_{n}.py": many.format(*[n] * 350) for n in range(3)}  # more than a pipe holds
    repo = make_repo(tmp_path / "r", files)
    command = f"{sys.executable} -m airflow_etiquette check --diff | head -1"
    result = subprocess.run(command, shell=True, cwd=repo, capture_output=True, text=True, check=False)
    assert result.stdout == "--- a/dags/lasse/plain_0.py\n"
    assert result.stderr.count("\n") == 1 and "would fix" in result.stderr, result.stderr  # no error, no traceback


def test_no_dag_is_renamed_to_an_id_another_file_already_defines(tmp_path: Path) -> None:
    """Two DAGs with one id: the scheduler keeps one and the other vanishes. So a fix that would
    make two (here with an id another file builds with the STUDENT idiom) leaves that rename out,
    says why, and still makes the fixes that do no harm."""
    derived = (
        "import os\nfrom pathlib import Path\n\nfrom airflow import DAG\n\n"
        'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n\n'
        'dag = DAG(f"{STUDENT}_weather", tags=[f"student:{STUDENT}"])\n'
    )
    repo = make_repo(tmp_path / "r", {"dags/lasse/old.py": derived})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "lasse_weather runs on the scheduler")
    (repo / "dags/lasse/plain.py").write_text(PLAIN)  # weather_lasse: its fix would be lasse_weather
    (repo / "dags/lasse/other.py").write_text("from airflow import DAG\n\ndag = DAG('rain')\n")

    fixed = run_installed("check", "--fix", "--format", "json", cwd=repo)
    assert fixed.exit_code == 1
    assert codes(fixed) == [("dags/lasse/plain.py", 3, "ETQ101")]
    assert (
        'airflow-etiquette: dags/lasse/plain.py: no DAG renamed to "lasse_weather", which dags/lasse/old.py '
        "already defines (the scheduler keeps one DAG per id): choose another name\n"
    ) in fixed.err
    assert "fixed 3 finding(s) in 2 file(s)" in fixed.err  # plain.py's tag, other.py's id and tag
    assert (repo / "dags/lasse/plain.py").read_text() == PLAIN_FIXED.replace("'lasse_weather'", "'weather_lasse'")
    assert (repo / "dags/lasse/other.py").read_text() == (
        "from airflow import DAG\n\ndag = DAG('lasse_rain', tags=[\"student:lasse\"])\n"
    )
    assert "choose another name" in run_installed("check", "--diff", cwd=repo).err


def test_no_two_dags_are_renamed_to_one_id_in_one_run(tmp_path: Path) -> None:
    """weather_lasse and weather would both become lasse_weather: in two files fixed together, or
    in one file; neither is renamed, and each says why. DAGs that already shared an id (the arms
    of a try/except) are renamed together."""
    plain = "from airflow import DAG\n\ndag = DAG('{}')\n"
    arms = "from airflow import DAG\n\ntry:\n    x = DAG('snow')\nexcept ImportError:\n    x = DAG('snow')\n"
    repo = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/a.py": plain.format("weather_lasse"),
            "dags/lasse/b.py": plain.format("weather"),
            "dags/lasse/both.py": "from airflow import DAG\n\nx = DAG('rain_lasse')\ny = DAG('rain')\n",
            "dags/lasse/arms.py": arms,
        },
    )
    fixed = run_installed("check", "--fix", "--select", "ETQ101", cwd=repo)
    assert fixed.exit_code == 1
    assert fixed.err.splitlines() == [
        'airflow-etiquette: dags/lasse/a.py: no DAG renamed to "lasse_weather", which the fix of dags/lasse/b.py '
        "gives a DAG too (the scheduler keeps one DAG per id): choose another name",
        'airflow-etiquette: dags/lasse/b.py: no DAG renamed to "lasse_weather", which the fix of dags/lasse/a.py '
        "gives a DAG too (the scheduler keeps one DAG per id): choose another name",
        'airflow-etiquette: dags/lasse/both.py: no DAG renamed to "lasse_rain", which another DAG of the file has '
        "or gets (the scheduler keeps one DAG per id): choose another name",
        "airflow-etiquette: fixed 2 finding(s) in 1 file(s)",
    ]
    assert (repo / "dags/lasse/a.py").read_text() == plain.format("weather_lasse")
    assert (repo / "dags/lasse/both.py").read_text().count("lasse_rain") == 0
    assert (repo / "dags/lasse/arms.py").read_text() == arms.replace("'snow'", "'lasse_snow'")
    assert len(fixed.out.splitlines()) == 5  # four ETQ101 findings and the summary


def test_a_fix_that_would_give_two_dags_of_a_file_one_id_is_not_made(tmp_path: Path) -> None:
    """The owner derivation's fix (ETQ105) renames every DAG built on STUDENT at once: where that
    gives one of them the id of another, the file is left as it is and the line says so; where only
    ETQ101's renames would, those are left out and the derivation is fixed."""
    wrong_owner = (
        'from airflow import DAG\n\nSTUDENT = "maria"\n'
        'a = DAG("lasse_weather", tags=["student:lasse"])\nb = DAG(f"{STUDENT}_weather", tags=["student:lasse"])\n'
    )
    unknown_owner = (
        'import os\n\nfrom airflow import DAG\n\nSTUDENT = os.environ["AIRFLOW_STUDENT"]\n'
        'a = DAG(f"{STUDENT}_taxi", tags=["student:lasse"])\n'
        'b = DAG("rain_lasse", tags=["student:lasse"])\nc = DAG("rain", tags=["student:lasse"])\n'
    )
    repo = make_repo(tmp_path / "r", {"dags/lasse/wrong.py": wrong_owner, "dags/lasse/unknown.py": unknown_owner})
    fixed = run_installed("check", "--fix", cwd=repo)
    assert fixed.exit_code == 1
    assert (repo / "dags/lasse/wrong.py").read_text() == wrong_owner
    assert (
        'airflow-etiquette: dags/lasse/wrong.py: not fixed: a fix would give a DAG the id "lasse_weather", which '
        "another DAG of the file has or gets (the scheduler keeps one DAG per id); fix the file by hand\n"
    ) in fixed.err
    unknown = (repo / "dags/lasse/unknown.py").read_text()
    assert 'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name' in unknown
    assert 'DAG("rain_lasse"' in unknown and 'DAG("rain"' in unknown
    assert 'dags/lasse/unknown.py: no DAG renamed to "lasse_rain"' in fixed.err


def test_a_rename_only_unsafe_fixes_make_never_keeps_another_files_safe_one_from_being_made(tmp_path: Path) -> None:
    plain = "from airflow import DAG\n\ndag = DAG('{}', tags=['student:lasse'])\n"
    repo = make_repo(tmp_path / "r", {"dags/lasse/a.py": plain.format("weather_lasse")})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "weather_lasse runs on the scheduler")
    (repo / "dags/lasse/b.py").write_text(plain.format("weather"))
    fixed = run_installed("check", "--fix", cwd=repo)
    assert (repo / "dags/lasse/b.py").read_text() == plain.format("lasse_weather")
    assert (repo / "dags/lasse/a.py").read_text() == plain.format("weather_lasse")
    assert "--unsafe-fixes" not in fixed.err  # a's rename would now clash with b's: no hint at it
    assert 'dags/lasse/a.py: no DAG renamed to "lasse_weather", which the fix of dags/lasse/b.py' in fixed.err


def test_a_committed_rename_that_would_clash_is_not_offered_as_unsafe_either(tmp_path: Path) -> None:
    plain = "from airflow import DAG\n\ndag = DAG('{}', tags=['student:lasse'])\n"
    repo = make_repo(
        tmp_path / "r",
        {"dags/lasse/a.py": plain.format("weather_lasse"), "dags/lasse/b.py": plain.format("lasse_weather")},
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "both run on the scheduler")
    fixed = run_installed("check", "--fix", cwd=repo)
    assert fixed.exit_code == 1
    assert "--unsafe-fixes" not in fixed.err
    assert 'dags/lasse/a.py: no DAG renamed to "lasse_weather", which dags/lasse/b.py already defines' in fixed.err


def test_an_editors_fix_on_standard_input_says_why_a_rename_is_left_out(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/old.py": "from airflow import DAG\n\ndag = DAG('lasse_weather')\n"})
    source = "from airflow import DAG\n\ndag = DAG('weather')\n"
    proc = subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", "check", "--stdin-filename", "dags/lasse/new.py", "--fix"],
        input=source,
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout == "from airflow import DAG\n\ndag = DAG('weather', tags=[\"student:lasse\"])\n"
    assert (
        'airflow-etiquette: dags/lasse/new.py: no DAG renamed to "lasse_weather", which dags/lasse/old.py already '
        "defines (the scheduler keeps one DAG per id): choose another name\n"
    ) in proc.stderr


def test_a_clash_a_loop_or_an_if_block_would_make_is_refused_and_never_hinted_at(tmp_path: Path) -> None:
    """A loop whose ids the owner derivation's fix would make one, two DAGs of one if block, and a
    committed file (whose fixes need --unsafe-fixes): the hint at --unsafe-fixes is not given where
    that run would be refused too."""
    loop = (
        'from airflow import DAG\n\nSTUDENT = "maria"\nfor who in [STUDENT, "lasse"]:\n'
        '    DAG(f"{who}_snow", tags=["student:lasse"])\n'
    )
    block = (
        "from airflow import DAG\n\nif True:\n"
        '    x = DAG("rain_lasse", tags=["student:lasse"])\n    y = DAG("rain", tags=["student:lasse"])\n'
    )
    repo = make_repo(tmp_path / "r", {"dags/lasse/loop.py": loop, "dags/lasse/block.py": block})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "both run on the scheduler")
    safe = run_installed("check", "--fix", cwd=repo)
    assert safe.err.splitlines() == [
        'airflow-etiquette: dags/lasse/block.py: no DAG renamed to "lasse_rain", which another DAG of the file has '
        "or gets (the scheduler keeps one DAG per id): choose another name",
        'airflow-etiquette: dags/lasse/loop.py: --unsafe-fixes would give a DAG the id "lasse_snow", which another '
        "DAG of the file has or gets (the scheduler keeps one DAG per id); fix that by hand",
        "airflow-etiquette: nothing to fix",
    ]
    unsafe = run_installed("check", "--fix", "--unsafe-fixes", cwd=repo)
    assert "dags/lasse/loop.py: not fixed: a fix would give a DAG the id" in unsafe.err
    assert (repo / "dags/lasse/loop.py").read_text() == loop
    assert (repo / "dags/lasse/block.py").read_text() == block


def test_an_assets_name_stays_and_its_dag_gets_a_dag_id(tmp_path: Path) -> None:
    """@asset(name=...) names the DAG only when dag_id= is missing, and it is also the asset's name
    and URI, which other DAGs are scheduled on: the fix adds dag_id= and leaves the name alone."""
    source = (
        "from airflow.sdk import asset\n\n\n"
        '@asset(name="taxi_trips", schedule="@daily", tags=["student:lasse"])\ndef taxi_trips():\n    pass\n'
    )
    repo = make_repo(tmp_path / "r", {"dags/lasse/trips.py": source})
    fixed = run_installed("check", "--fix", cwd=repo)
    assert fixed.exit_code == 0, fixed.out + fixed.err
    assert (repo / "dags/lasse/trips.py").read_text() == source.replace(
        '"student:lasse"])', '"student:lasse"], dag_id="lasse_taxi_trips")'
    )


def test_a_prefix_template_with_text_before_the_owner_is_fixed_too(tmp_path: Path) -> None:
    """A company's "team_{owner}__": the fix writes the whole template, with the owner derived
    where the file derives it."""
    derived = (
        "import os\nfrom pathlib import Path\n\nfrom airflow.sdk import dag\n\n"
        'TEAM = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n\n\n'
        '@dag(dag_id="taxi", tags=["finance"])\ndef taxi():\n    pass\n\n\ntaxi()\n'
    )
    literal = (
        'from airflow.sdk import dag\n\n\n@dag(dag_id="rides", tags=["finance"])\ndef rides():\n    pass\n\n\nrides()\n'
    )
    # ids named under the default "{owner}_" before the team's template: the owner is not repeated
    moved = (
        "import os\nfrom pathlib import Path\n\nfrom airflow import DAG\n\n"
        'TEAM = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
        'old = DAG(f"{TEAM}_old", tags=[f"team:{TEAM}"])\n'
        'half = DAG("team_finance_half", tags=[f"team:{TEAM}"])\n'
    )
    repo = make_repo(
        tmp_path / "r",
        {"dags/finance/taxi.py": derived, "dags/finance/rides.py": literal, "dags/finance/moved.py": moved},
        config='dag-id-prefix = "team_{owner}__"\nowner-tag = "team:{owner}"\n',
    )
    fixed = run_installed("check", "--fix", "--format", "json", cwd=repo)
    assert (fixed.exit_code, fixed.findings) == (0, []), fixed.out + fixed.err
    assert (
        '@dag(dag_id=f"team_{TEAM}__taxi", tags=["finance", f"team:{TEAM}"])'
        in (repo / "dags/finance/taxi.py").read_text()
    )
    assert (
        '@dag(dag_id="team_finance__rides", tags=["finance", "team:finance"])'
        in (repo / "dags/finance/rides.py").read_text()
    )
    assert (repo / "dags/finance/moved.py").read_text() == moved.replace(
        'f"{TEAM}_old"', 'f"team_{TEAM}__old"'
    ).replace('"team_finance_half"', 'f"team_{TEAM}__half"')


def test_a_dags_folder_that_is_a_link_is_fixed_as_usual(tmp_path: Path) -> None:
    """`dags -> airflow/dags` is a layout, not a way into someone else's file: its files are fixed."""
    repo = make_repo(tmp_path / "r", {"airflow/dags/lasse/plain.py": PLAIN})
    (repo / "dags").symlink_to("airflow/dags")
    result = run_installed("check", "--fix", "--unsafe-fixes", cwd=repo)
    assert result.exit_code == 0, (result.out, result.err)
    assert (repo / "airflow/dags/lasse/plain.py").read_text() != PLAIN
