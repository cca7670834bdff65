"""Every file the scheduler loads or runs is read: zip bundles of DAGs and shell scripts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from conftest import git, make_repo, run_installed

OWN_DAG = """\
import os
from pathlib import Path

from airflow.sdk import dag

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name


@dag(dag_id=f"{STUDENT}_taxi", tags=[f"student:{STUDENT}"])
def taxi():
    pass


taxi()
"""

RESET_SCRIPT = """\
#!/usr/bin/env bash
# Reset my tables before a rerun (run by the DAG's BashOperator).
set -euo pipefail
psql "$PG_URI" -c "TRUNCATE airflow_lasse.raw_trips"
airflow connections delete azure_pg
psql "$PG_URI" <<SQL
DELETE FROM public.trips
 WHERE pickup_date = '$1';
SQL
echo "read airflow_sofia.zones for the lookup, \\
  see the teacher's notes"
export AIRFLOW_CONN_AZURE_PG="postgresql://me@localhost/dev"
"""


def bundle(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def findings(result) -> list[tuple[str, int, str, str]]:  # type: ignore[no-untyped-def]
    return [(f["path"], f["line"], f["code"], f["message"]) for f in result.findings]


def class_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    repo = make_repo(
        root,
        {"dags/lasse/taxi.py": OWN_DAG, "dags/sofia/taxi.py": OWN_DAG, **files},
        config='shared-connections = ["azure_pg"]\n',
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    return repo


def test_a_zip_bundle_is_read_member_by_member(tmp_path: Path) -> None:
    repo = class_repo(
        tmp_path / "class",
        {
            "dags/lasse/bundle.zip": bundle(
                {
                    "weekly.py": 'from airflow import DAG\ndag = DAG("weekly", tags=["student:lasse"])\n',
                    "lib/helpers.py": 'TARGET = "public.trips"\ndef wipe(hook):\n    hook.run("DELETE FROM public.trips")\n',
                    "copy.py": OWN_DAG.replace("Path(__file__).parent.name", '"lasse"'),  # the same dag_id as taxi.py
                    "README.txt": "notes",
                }
            ),
            "dags/lasse/nested.zip": bundle({"inner.zip": bundle({"x.py": "x = 1\n"}), "ok.py": "x = 1\n"}),
            "dags/lasse/corrupt.zip": b"PK\x03\x04 this is not an archive",
        },
    )
    result = run_installed("check", "--format", "json", cwd=repo)
    assert result.exit_code == 1
    assert findings(result) == [
        (
            "dags/lasse/bundle.zip/copy.py",
            9,
            "ETQ104",
            'dag_id "lasse_taxi" is also defined in dags/lasse/taxi.py:9; the scheduler keeps only one of them, so '
            "one DAG silently disappears",
        ),
        (
            "dags/lasse/bundle.zip/lib/helpers.py",
            3,
            "ETQ302",
            "DELETE from public.trips writes outside your schema; write to airflow_lasse instead",
        ),
        (
            "dags/lasse/bundle.zip/weekly.py",
            2,
            "ETQ101",
            'dag_id "weekly" must start with "lasse_" (file is in dags/lasse/)',
        ),
        ("dags/lasse/corrupt.zip", 1, "ETQ002", "cannot read the archive: File is not a zip file"),
        ("dags/lasse/nested.zip", 1, "ETQ002", "it holds another archive (inner.zip), which is not read"),
        (
            "dags/lasse/taxi.py",
            9,
            "ETQ104",
            'dag_id "lasse_taxi" is also defined in dags/lasse/bundle.zip/copy.py:9; the scheduler keeps only one of '
            "them, so one DAG silently disappears",
        ),
    ]


def test_a_zip_bundle_in_a_change_is_read_from_git(tmp_path: Path) -> None:
    repo = class_repo(tmp_path / "class", {})
    git(repo, "checkout", "-q", "-b", "lasse/bundle")
    (repo / "dags/lasse/bundle.zip").write_bytes(
        bundle({"weekly.py": 'from airflow import DAG\ndag = DAG("weekly")\n'})
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bundle")
    (repo / "dags/lasse/bundle.zip").unlink()  # what counts is the committed archive
    result = run_installed("check", "--base", "main", "--format", "json", cwd=repo)
    assert [(p, line, code) for p, line, code, _ in findings(result)] == [
        ("dags/lasse/bundle.zip/weekly.py", 2, "ETQ102"),
        ("dags/lasse/bundle.zip/weekly.py", 2, "ETQ101"),
    ]


def test_an_oversized_member_is_reported_not_read(tmp_path: Path) -> None:
    repo = class_repo(tmp_path / "class", {"dags/lasse/big.zip": bundle({"big.py": "x = 1\n" * 400_000})})
    (repo / "pyproject.toml").write_text("[tool.airflow-etiquette]\nmax-file-size-mb = 1\n")
    result = run_installed("check", "--format", "json", cwd=repo)
    assert findings(result) == [
        ("dags/lasse/big.zip", 1, "ETQ002", "the member big.py is 2.3 MB, over the max-file-size-mb limit of 1 MB")
    ]


def test_a_shell_script_is_scanned_line_by_line(tmp_path: Path) -> None:
    repo = class_repo(tmp_path / "class", {"dags/lasse/scripts/reset.sh": RESET_SCRIPT})
    result = run_installed("check", "--format", "json", cwd=repo)
    assert findings(result) == [
        (
            "dags/lasse/scripts/reset.sh",
            5,
            "ETQ401",
            'deletes the shared connection "azure_pg" (airflow connections delete); ask the teacher instead',
        ),
        (
            "dags/lasse/scripts/reset.sh",
            7,
            "ETQ302",
            "DELETE from public.trips writes outside your schema; write to airflow_lasse instead",
        ),
        (
            "dags/lasse/scripts/reset.sh",
            12,
            "ETQ401",
            'overrides the shared connection "azure_pg" (AIRFLOW_CONN_AZURE_PG); ask the teacher instead',
        ),
    ]


COMMENTED_SCRIPT = """\
#!/usr/bin/env bash
# Never run `airflow connections delete azure_pg` here: ask the teacher.
  # Also never TRUNCATE public.trips.
set -euo pipefail
echo "never run: airflow connections delete azure_pg"
psql "$PG_URI" -v ON_ERROR_STOP=1 <<SQL
CREATE SCHEMA IF NOT EXISTS "${SCHEMA}";
DELETE FROM "${SCHEMA}".raw_trips WHERE month = '$1';
INSERT INTO "$SCHEMA".raw_trips SELECT * FROM public.trips WHERE month = '$1';
# a here-document's lines are data, not comments
DROP TABLE public.trips;
SQL
echo done && airflow connections delete `cat name.txt`
OLD=$(airflow connections delete azure_pg)
echo "a heredoc starts with <<EOF, as in the notes"
# still a comment: airflow connections delete azure_pg
echo "airflow connections delete azure_pg" | bash
RUN=$(airflow dags trigger maria_taxi)
cat <<NOTE
usage: never airflow connections delete azure_pg, never TRUNCATE public.trips
NOTE
cat <<SQL | psql "$PG_URI"
TRUNCATE public.trips;
SQL
cat > /tmp/reset.sh <<EOF
airflow connections delete azure_pg
EOF
bash /tmp/reset.sh
"""


def test_comments_printed_text_and_quoted_shell_variables_run_nothing_of_their_own(tmp_path: Path) -> None:
    repo = class_repo(tmp_path / "class", {"dags/lasse/load.sh": COMMENTED_SCRIPT})
    result = run_installed("check", "--format", "json", cwd=repo)
    assert findings(result) == [
        (
            "dags/lasse/load.sh",
            11,
            "ETQ302",
            "DROP of public.trips writes outside your schema; write to airflow_lasse instead",
        ),
        (
            "dags/lasse/load.sh",
            14,
            "ETQ401",
            'deletes the shared connection "azure_pg" (airflow connections delete); ask the teacher instead',
        ),
        (  # printed, but into a shell
            "dags/lasse/load.sh",
            17,
            "ETQ401",
            'deletes the shared connection "azure_pg" (airflow connections delete); ask the teacher instead',
        ),
        (
            "dags/lasse/load.sh",
            18,
            "ETQ402",
            'triggers the DAG "maria_taxi", which is not named as yours (airflow dags trigger): act only on your '
            'own DAGs, whose ids start with "lasse_"; ask its owner or the teacher',
        ),
        (  # a here-document piped on to psql runs
            "dags/lasse/load.sh",
            23,
            "ETQ302",
            "TRUNCATE of public.trips writes outside your schema; write to airflow_lasse instead",
        ),
        (  # one written to a file may be run from it
            "dags/lasse/load.sh",
            26,
            "ETQ401",
            'deletes the shared connection "azure_pg" (airflow connections delete); ask the teacher instead',
        ),
    ]


def test_a_shell_script_in_a_change_and_one_that_only_reads(tmp_path: Path) -> None:
    repo = class_repo(tmp_path / "class", {})
    git(repo, "checkout", "-q", "-b", "lasse/scripts")
    (repo / "dags/lasse/load.sh").write_text(
        '#!/bin/sh\npsql "$PG" -c "SELECT * FROM public.zones"\npsql "$PG" -c "INSERT INTO airflow_lasse.t SELECT 1"\n'
    )
    (repo / "dags/lasse/wipe.sh").write_text('psql "$PG" -c "TRUNCATE airflow_sofia.raw_trips"\n')
    git(repo, "add", "-A")
    result = run_installed("check", "--staged", "--format", "json", cwd=repo)
    assert findings(result) == [
        (
            "dags/lasse/wipe.sh",
            1,
            "ETQ302",
            'airflow_sofia.raw_trips is the schema of owner "sofia"; dags/lasse/ may only use airflow_lasse',
        )
    ]


def test_code_no_check_can_read_is_reported_in_a_change(tmp_path: Path) -> None:
    import os

    repo = class_repo(tmp_path / "class", {})
    git(repo, "checkout", "-q", "-b", "lasse/sneaky")
    (repo / "dags/lasse/__pycache__").mkdir()
    (repo / "dags/lasse/__pycache__/taxi.cpython-311.pyc").write_bytes(b"\xa7\r\r\n" + b"\x00" * 12)
    (repo / "dags/lasse/trips.csv").write_bytes(bundle({"evil.py": 'from airflow import DAG\ndag = DAG("x")\n'}))
    (repo / "dags/lasse/compiled.zip").write_bytes(bundle({"evil.pyc": b"\x00"}))
    (repo / "dags/lasse/payload.txt").write_text("airflow connections delete azure_pg\n")
    os.symlink("payload.txt", repo / "dags/lasse/run.sh")
    git(repo, "add", "-A")
    result = run_installed("check", "--staged", "--author", "lasse", "--format", "json", cwd=repo)
    assert [(p, c) for p, _, c, _ in findings(result)] == [
        ("dags/lasse/__pycache__/taxi.cpython-311.pyc", "ETQ205"),
        ("dags/lasse/compiled.zip", "ETQ002"),
        ("dags/lasse/run.sh", "ETQ202"),
        ("dags/lasse/trips.csv", "ETQ205"),
    ]
    messages = {p: m for p, _, _, m in findings(result)}
    assert messages["dags/lasse/run.sh"] == (
        "dags/lasse/run.sh is a symlink to payload.txt, which the scheduler loads "
        "as a shell script but no check reads; make it a regular file"
    )
    assert messages["dags/lasse/compiled.zip"] == (
        "it holds compiled code (evil.pyc), which the scheduler loads and no check reads"
    )


LOAD_SQL = """\
-- Load one month of trips; the DAG passes params={"schema": SCHEMA}.
DELETE FROM {{ params.schema }}.raw_trips WHERE month = '{{ ds }}';

INSERT INTO {{ params.schema }}.raw_trips SELECT * FROM staging.trips; INSERT INTO public.daily
SELECT 1;
/* TRUNCATE public.zones; */ SELECT 'a;b' FROM airflow_maria.zones;
"""


def test_a_sql_template_is_read_statement_by_statement(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/queries/load.sql": LOAD_SQL,
            "dags/maria/x.py": "x = 1\n",
            "sql/outside.sql": "DROP SCHEMA public;\n",  # not in the dags folder: not a DAG's to judge
        },
    )
    result = run_installed("check", "--format", "json", cwd=root)
    assert result.exit_code == 1
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in result.findings] == [
        ("dags/lasse/queries/load.sql", 4, 72, "ETQ302"),
        ("dags/lasse/queries/load.sql", 6, 30, "ETQ302"),
    ]
    assert result.findings[0]["message"].startswith("INSERT into public.daily writes outside your schema")
    assert result.findings[1]["message"].startswith('airflow_maria.zones is the schema of owner "maria"')


def test_a_jinja_comment_and_an_escape_string_hide_no_statement_end(tmp_path: Path) -> None:
    """A ; inside {# ... #} or inside E'it\\'s; ...' ends no statement: what follows it in there is
    text, not a write. A real statement after them is still read, at its own line."""
    sql = (
        "{#\n  Old version, kept for reference:\n  DELETE FROM public.trips WHERE d = '{{ ds }}';\n#}\n"
        "INSERT INTO {{ params.schema }}.t (note) VALUES (E'it\\'s; DELETE FROM public.x');\n"
        "DELETE FROM public.y;\n"
    )
    stray = "SELECT 1; {# no closer: text, as Jinja would refuse it\nDELETE FROM public.d;\n"
    root = make_repo(tmp_path / "r", {"dags/lasse/queries/load.sql": sql, "dags/lasse/queries/stray.sql": stray})
    result = run_installed("check", "--format", "json", cwd=root)
    assert [(f["path"][-9:], f["line"], f["code"], f["message"].split(";")[0]) for f in result.findings] == [
        ("/load.sql", 6, "ETQ302", "DELETE from public.y writes outside your schema"),
        ("stray.sql", 1, "ETQ302", "DELETE from public.d writes outside your schema"),
    ]


def test_a_changed_sql_template_is_checked_in_a_change(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"CODEOWNERS": "/dags/lasse/ @lasse\n", "dags/lasse/taxi.py": "x = 1\n"})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / "dags/lasse/cleanup.sql").write_text("TRUNCATE public.raw_trips;\n")
    git(root, "add", "-A")
    result = run_installed("check", "--staged", "--author", "lasse", "--format", "json", cwd=root)
    assert [(f["path"], f["line"], f["code"]) for f in result.findings] == [("dags/lasse/cleanup.sql", 1, "ETQ302")]
