""".airflowignore: a file the scheduler skips is no DAG file (no owner, tag or duplicate findings),
with Airflow's two syntaxes; in a change, the base's .airflowignore decides, never the change's."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

from airflow_etiquette.sources.airflowignore import AirflowIgnore

NO_PREFIX = 'from airflow import DAG\n\nDAG("taxi")\n'
COPY = 'from airflow import DAG\n\nDAG("lasse_taxi", tags=["student:lasse"])\nSQL = "DELETE FROM public.trips"\n'
GOOD = 'from airflow import DAG\n\nDAG("lasse_taxi", tags=["student:lasse"])\n'


@pytest.mark.parametrize(
    ("syntax", "files", "ignored", "kept"),
    [
        (
            "regexp",
            {"dags": b"scratch/\n# a comment\nold_.*  # trailing comment\n[unclosed\n"},
            ["dags/lasse/scratch/a.py", "dags/maria/old_copy.py", "dags/scratch/x.py"],
            ["dags/lasse/taxi.py", "dags/lasse/scratchpad.py"],
        ),
        (
            "glob",
            {"dags": b"scratch/\n*_test.py\n!keep_test.py\n"},
            ["dags/lasse/scratch/a.py", "dags/lasse/x_test.py"],
            ["dags/lasse/keep_test.py", "dags/lasse/old_copy.py"],
        ),
        (
            "regexp",  # a folder's file applies to what is below it, relative to itself
            {"dags/lasse": b"^draft"},
            ["dags/lasse/draft.py", "dags/lasse/drafts/x.py"],
            ["dags/maria/draft.py", "dags/lasse/sub/draft.py"],
        ),
    ],
)
def test_airflows_matching_rules(syntax: str, files: dict[str, bytes], ignored: list[str], kept: list[str]) -> None:
    rules = AirflowIgnore(files, syntax)
    assert [path for path in ignored + kept if rules.ignored(path)] == ignored


def findings(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(f["path"], f["code"]) for f in result.findings]


def test_an_ignored_file_gets_no_dag_findings_but_its_sql_is_still_checked(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/.airflowignore": "scratch/\nold_.*\n",
            "dags/lasse/scratch/try.py": NO_PREFIX,
            "dags/lasse/old_copy.py": COPY,
            "dags/lasse/taxi.py": GOOD,
        },
    )
    result = run_installed("check", "--format", "json", cwd=root)
    assert (result.exit_code, findings(result)) == (1, [("dags/lasse/old_copy.py", "ETQ302")])
    audit = run_installed("audit", "--format", "json", cwd=root)
    [lasse] = audit.findings["owners"]  # type: ignore[call-overload]
    assert [dag["path"] for dag in lasse["dags"]] == ["dags/lasse/taxi.py"]  # the scheduler's DAGs only


def test_glob_is_the_syntax_of_an_airflow_3_repository(tmp_path: Path) -> None:
    files = {
        "dags/lasse/.airflowignore": "old_.*\nscratch/\n",  # old_.* is no glob for old_copy.py
        "dags/lasse/scratch/try.py": NO_PREFIX,
        "dags/lasse/old_copy.py": COPY,
        "dags/lasse/taxi.py": GOOD.replace("from airflow import DAG", "from airflow.sdk import DAG"),
    }
    result = run_installed("check", "--format", "json", cwd=make_repo(tmp_path / "auto", files))
    assert sorted(findings(result)) == [
        ("dags/lasse/old_copy.py", "ETQ104"),
        ("dags/lasse/old_copy.py", "ETQ302"),
        ("dags/lasse/taxi.py", "ETQ104"),
    ]
    forced = make_repo(tmp_path / "forced", files, config='dag-ignore-file-syntax = "regexp"\n')
    assert findings(run_installed("check", "--format", "json", cwd=forced)) == [("dags/lasse/old_copy.py", "ETQ302")]
    wrong = make_repo(tmp_path / "wrong", files, config='dag-ignore-file-syntax = "gitignore"\n')
    refused = run_installed("check", cwd=wrong)
    assert refused.exit_code == 2
    assert "'dag-ignore-file-syntax' must be one of" in refused.err


def test_a_change_cannot_ignore_its_own_files(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "CODEOWNERS": "/dags/lasse/ @lasse\n",
            "dags/lasse/.airflowignore": "scratch/\n",
            "dags/lasse/taxi.py": GOOD,
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "lasse/more")
    (root / "dags/lasse/scratch").mkdir()
    (root / "dags/lasse/scratch/try.py").write_text(NO_PREFIX)  # ignored by the base's file: fine
    (root / "dags/lasse/new.py").write_text(NO_PREFIX)
    (root / "dags/lasse/.airflowignore").write_text(".*\n")  # would hide new.py, if the change decided
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    result = run_installed("check", "--base", "main", "--author", "lasse", "--format", "json", cwd=root)
    assert sorted(findings(result)) == [("dags/lasse/new.py", "ETQ101"), ("dags/lasse/new.py", "ETQ102")]
