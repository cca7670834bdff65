"""The command line as a student and a teacher use it: output, exit codes, options, config errors."""

from __future__ import annotations

from pathlib import Path

from conftest import make_repo, run_installed

from airflow_etiquette.rules import ALL_RULES

LASSE_GOOD = '''
    """Lasse's taxi pipeline: the class's correct patterns, which must stay quiet."""
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
        def ingest(ds=None):
            hook = PostgresHook(postgres_conn_id="azure_pg")
            with hook.get_conn() as conn, conn.cursor() as cur:
                cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
                cur.execute(f'DELETE FROM "{SCHEMA}".raw_trips WHERE month = %s', (ds[:7],))

        ingest()


    taxi_pipeline()
'''

MARIA_BAD = """
    from datetime import datetime

    from airflow import DAG
    from airflow.operators.bash import BashOperator

    with DAG(
        dag_id="taxi_pipeline",
        start_date=datetime(2024, 1, 1),
        schedule="@daily",
    ) as dag:
        load = BashOperator(
            task_id="load",
            bash_command="psql -c 'INSERT INTO public.raw_trips SELECT * FROM airflow_maria.staging'",
        )
"""


# What `check` prints for MARIA_BAD, in order.
MARIA_LINES = [
    'dags/maria/taxi_pipeline.py:6:6: ETQ102 DAG "taxi_pipeline" has no tags; add tags=["student:maria"]',
    'dags/maria/taxi_pipeline.py:7:12: ETQ101 dag_id "taxi_pipeline" must start with "maria_" (file is in dags/maria/)',
    'dags/maria/taxi_pipeline.py:13:22: ETQ301 hard-coded schema "airflow_maria"; derive it from the folder: '
    'SCHEMA = f"airflow_{STUDENT}"',
    "dags/maria/taxi_pipeline.py:13:22: ETQ302 INSERT into public.raw_trips writes outside your schema; "
    "write to airflow_maria instead",
]


def repo(tmp_path: Path, extra: dict[str, str] | None = None, config: str | None = None) -> Path:
    files = {"dags/lasse/taxi_pipeline.py": LASSE_GOOD, "dags/maria/taxi_pipeline.py": MARIA_BAD}
    return make_repo(tmp_path / "class-airflow", {**files, **(extra or {})}, config=config)


def test_text_output_lists_findings_sorted_with_relative_paths_and_a_summary(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    result = run_cli("check", cwd=root)
    assert result.exit_code == 1
    assert result.lines == [*MARIA_LINES, "Found 3 errors and 1 warning in 1 file (2 files checked)."]


def test_a_clean_repository_exits_zero(tmp_path: Path, run_cli) -> None:
    root = make_repo(tmp_path / "r", {"dags/lasse/taxi_pipeline.py": LASSE_GOOD})
    result = run_cli("check", cwd=root)
    assert (result.exit_code, result.out) == (0, "All good: no findings (1 file checked).\n")


def test_json_output_has_the_stable_keys(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    result = run_cli("check", "--format", "json", cwd=root)
    assert result.exit_code == 1
    assert result.findings[1] == {
        "code": "ETQ101",
        "name": "dag-id-prefix",
        "severity": "error",
        "path": "dags/maria/taxi_pipeline.py",
        "line": 7,
        "column": 12,
        "message": 'dag_id "taxi_pipeline" must start with "maria_" (file is in dags/maria/)',
    }
    assert [f["code"] for f in result.findings] == ["ETQ102", "ETQ101", "ETQ301", "ETQ302"]


def test_paths_are_relative_to_the_repository_root_from_a_subdirectory(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    result = run_cli("check", "taxi_pipeline.py", "--format", "json", cwd=root / "dags" / "maria")
    assert {f["path"] for f in result.findings} == {"dags/maria/taxi_pipeline.py"}


def test_select_ignore_and_exit_zero(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    selected = run_cli("check", "--select", "ETQ101", "--format", "json", cwd=root)
    assert [f["code"] for f in selected.findings] == ["ETQ101"]
    ignored = run_cli("check", "--ignore", "ETQ1,ETQ3", cwd=root)
    assert (ignored.exit_code, ignored.lines[-1]) == (0, "All good: no findings (2 files checked).")
    zero = run_cli("check", "--exit-zero", cwd=root)
    assert zero.exit_code == 0 and "ETQ101" in zero.out


def test_warnings_alone_exit_zero(tmp_path: Path, run_cli) -> None:
    root = make_repo(tmp_path / "r", {"dags/lasse/x.py": 'SCHEMA = "airflow_lasse"\n'})
    result = run_cli("check", cwd=root)
    assert result.exit_code == 0
    assert result.lines[0].startswith('dags/lasse/x.py:1:10: ETQ301 hard-coded schema "airflow_lasse"')
    assert result.lines[-1] == "Found 1 warning in 1 file (1 file checked)."


NOQA_FILES = {
    "dags/lasse/a.py": 'SCHEMA = "airflow_lasse"  # noqa: ETQ301\n',
    "dags/lasse/b.py": 'SCHEMA = "airflow_lasse"  # noqa\n',
    "dags/lasse/c.py": 'SCHEMA = "airflow_lasse"  # noqa: ETQ101\n',
    # A multi-line string takes the comment after its closing quotes.
    "dags/lasse/d.py": 'run(sql="""\n    INSERT INTO public.audit_log VALUES (1);\n""")  # noqa: ETQ302\n',
    "dags/lasse/e.py": 'run(sql="""\n    INSERT INTO public.audit_log VALUES (1);\n""")  # noqa: ETQ301\n',
    # A form feed is not a line break for Python, so the comment stays on its line.
    "dags/lasse/f.py": 'x = 1\x0c\nSCHEMA = "airflow_lasse"  # noqa: ETQ301\n',
    # Inside a string the noqa marker is SQL text, not a comment.
    "dags/lasse/h.py": 'hook.run("TRUNCATE airflow_sofia.raw_trips -- # noqa")\n',
}


def test_noqa_silences_one_code_or_all_where_the_teacher_allows_it(tmp_path: Path, run_cli) -> None:
    root = make_repo(tmp_path / "r", NOQA_FILES, config='allow-noqa = ["ETQ"]\n')
    (root / "dags/sofia").mkdir()
    (root / "dags/lasse/g.py").write_text('from airflow import DAG\nwith DAG(\n    "lasse_x",\n):  # noqa\n    pass\n')
    result = run_cli("check", "--format", "json", cwd=root)
    assert [(f["path"], f["line"], f["code"]) for f in result.findings] == [
        ("dags/lasse/c.py", 1, "ETQ301"),
        ("dags/lasse/e.py", 1, "ETQ302"),
        ("dags/lasse/g.py", 2, "ETQ102"),  # the end-line comment is for strings only
        ("dags/lasse/h.py", 1, "ETQ302"),
    ]
    text = run_cli("check", cwd=root)
    assert text.lines[-1] == "Found 3 errors and 1 warning in 4 files (8 files checked, 4 silenced by # noqa)."
    everything = run_cli("check", "--ignore-noqa", "--format", "json", cwd=root)
    assert len(everything.findings) == 8
    assert everything.findings[0]["message"].endswith("(# noqa cannot silence ETQ301: --ignore-noqa is set)")


def test_by_default_noqa_silences_warnings_only(tmp_path: Path, run_cli) -> None:
    root = make_repo(tmp_path / "r", NOQA_FILES)
    result = run_cli("check", "--format", "json", cwd=root)
    assert [(f["path"], f["line"], f["code"]) for f in result.findings] == [
        ("dags/lasse/c.py", 1, "ETQ301"),
        ("dags/lasse/d.py", 1, "ETQ302"),
        ("dags/lasse/e.py", 1, "ETQ302"),
        ("dags/lasse/h.py", 1, "ETQ302"),
    ]
    assert result.findings[1]["message"] == (
        "INSERT into public.audit_log writes outside your schema; write to airflow_lasse instead "
        "(# noqa cannot silence ETQ302: by default it waives warnings only; the teacher's allow-noqa setting says what it may waive)"
    )
    assert result.exit_code == 1


def test_config_in_pyproject_changes_the_conventions(tmp_path: Path, run_cli) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "airflow/dags/team-a/etl.py": """
            from airflow import DAG
            dag = DAG("team-a.etl", tags=["owner:team-a"])
        """,
            "airflow/dags/admin/tools.py": 'from airflow import DAG\ndag = DAG("whatever")\n',
        },
        config="""
        dags-folder = "airflow/dags"
        dag-id-prefix = "{owner}."
        owner-tag = "owner:{owner}"
        admins = ["admin"]
    """,
    )
    result = run_cli("check", cwd=root)
    assert (result.exit_code, result.out) == (0, "All good: no findings (2 files checked).\n")


def test_per_file_ignores(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, config='per-file-ignores = { "dags/maria/*" = ["ETQ1"] }\n')
    result = run_cli("check", "--format", "json", cwd=root)
    assert [f["code"] for f in result.findings] == ["ETQ301", "ETQ302"]


def test_dedicated_config_file(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    (root / ".airflow-etiquette.toml").write_text('ignore = ["ETQ302"]\n')
    result = run_cli("check", "--format", "json", cwd=root)
    assert "ETQ302" not in {f["code"] for f in result.findings}


def test_bad_configuration_is_one_line_and_exit_2(tmp_path: Path, run_cli) -> None:
    cases = {
        'dag_prefix = "x"\n': "pyproject.toml: unknown key 'dag_prefix'",
        'admins = "teacher"\n': "pyproject.toml: 'admins' must be a list of strings, got a string ('teacher')",
        'schema = "airflow_schema"\n': "pyproject.toml: 'schema' must be a string containing {owner} once",
        'schema = "{owner!r:>{owner}}"\n': "pyproject.toml: 'schema' must be a string containing {owner} once and "
        "no other braces, got a string ('{owner!r:>{owner}}')",
        'dag-id-prefix = "{owner}_{owner}_"\n': "'dag-id-prefix' must be a string containing {owner} once",
        'min-schedule-interval = "99999999999999999999d"\n': "'min-schedule-interval' must be a duration like "
        '"30s", "5m", "1h" or "1d", at most a year',
        'ignore = ["ETQ999"]\n': "pyproject.toml: 'ignore': unknown rule code 'ETQ999'",
        "timeout = -1\n": "pyproject.toml: 'timeout' must be a positive number of seconds",
        "select = [\n": "pyproject.toml: invalid TOML",
    }
    for number, (config, expected) in enumerate(cases.items()):
        root = repo(tmp_path / str(number), config=config)
        result = run_cli("check", cwd=root)
        assert result.exit_code == 2, config
        assert result.out == ""
        assert len(result.err.splitlines()) == 1, result.err
        assert result.err.startswith("airflow-etiquette: error: ") and expected in result.err, result.err


def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    for args, expected in [
        (("check", "--select", "ETQ9"), "--select: unknown rule code 'ETQ9'"),
        (("check", "--format", "xml"), "'xml' is not one of"),
        (("check", "missing.py"), "no such file or directory: missing.py"),
        (
            ("audit", "missing/deeper"),
            "Directory 'missing/deeper' does not exist",
        ),  # (not "no dags folder at missing/")
        (("check", "--jobs", "-1"), "-1 is not in the range"),
        (("explain", "ETQ999"), "unknown rule 'ETQ999'"),
        (("frobnicate",), "No such command 'frobnicate'"),
    ]:
        result = run_cli(*args, cwd=root)
        assert result.exit_code == 2, args
        assert len(result.err.splitlines()) == 1 and expected in result.err, result.err


def test_a_repository_without_a_dags_folder_is_a_clear_error(tmp_path: Path, run_cli) -> None:
    root = make_repo(tmp_path / "empty", {"README.md": "hi\n"})
    result = run_cli("check", cwd=root)
    assert result.exit_code == 2
    assert result.err.startswith("airflow-etiquette: error: no dags folder at ")


def test_files_outside_the_dags_folder_are_not_checked(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, extra={"tests/test_dags.py": 'import os\nos.environ["AIRFLOW_CONN_AZURE_PG"] = "x"\n'})
    result = run_cli("check", "tests/test_dags.py", cwd=root)
    assert result.exit_code == 0
    assert "nothing to check: 1 path(s) given, none inside dags/" in result.err
    elsewhere = run_cli("check", "tests", cwd=root)
    assert elsewhere.exit_code == 0 and "nothing to check: 1 path(s) given" in elsewhere.err


def test_rules_lists_every_rule(tmp_path: Path, run_cli) -> None:
    result = run_cli("rules", cwd=tmp_path)
    assert result.exit_code == 0
    codes = [line.split()[0] for line in result.lines]
    assert codes == [rule.code for rule in ALL_RULES]  # every rule the registry finds, in code order
    assert {"ETQ001", "ETQ101", "ETQ104", "ETQ201", "ETQ301", "ETQ401"} <= set(codes)
    assert "ETQ101  dag-id-prefix" in result.out and "warning" in result.lines[4]


def test_explain_prints_the_documentation_with_the_live_finding(tmp_path: Path, run_cli) -> None:
    result = run_cli("explain", "etq101", cwd=tmp_path)
    assert result.exit_code == 0
    for heading in ("ETQ101 dag-id-prefix (error)", "What it does", "Why is this bad?", "Example", "Use instead"):
        assert heading in result.lines
    assert 'ETQ101 dag_id "taxi_pipeline" must start with "lasse_"' in result.out
    by_name = run_cli("explain", "shared-connection-change", cwd=tmp_path)
    assert by_name.lines[0] == "ETQ401 shared-connection-change (error)"


def test_installed_command_colour_and_version(tmp_path: Path) -> None:
    root = repo(tmp_path)
    plain = run_installed("check", cwd=root)
    assert plain.exit_code == 1 and "\033[" not in plain.out
    coloured = run_installed("check", "--color", "always", cwd=root)
    assert "\033[31m" in coloured.out
    no_color = run_installed("check", "--color", "auto", cwd=root, env={"NO_COLOR": "1"})
    assert "\033[" not in no_color.out
    version = run_installed("--version", cwd=root)
    assert version.exit_code == 0 and version.out.startswith("airflow-etiquette ")
    # the fast path of __main__ and click's own --version (reached with another option) agree
    through_click = run_installed("--version", "--help", cwd=root)
    assert (through_click.exit_code, through_click.out) == (0, version.out)


def test_a_syntax_error_is_worded_and_placed_as_python_does(tmp_path: Path, run_cli) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/comma.py": "a = 1\nb = foo(1, 2 3)\n",
            "dags/lasse/bracket.py": 'from airflow import DAG\n\nwith DAG("lasse_x",\n    tags=["a"]\n\nwith x:\n    pass\n',
            "dags/lasse/word.py": "x = [1,\n  foo bar]\n",
            # a missing comma inside a call that is closed later: no hint about the bracket
            "dags/lasse/args.py": 'from airflow import DAG\ndag = DAG(\n    "lasse_x",\n    tags=["a"]\n    schedule=None,\n)\n',
        },
    )
    result = run_cli("check", cwd=root)
    assert result.lines[:4] == [
        "dags/lasse/args.py:4:10: ETQ001 not valid Python: invalid syntax. Perhaps you forgot a comma?",
        "dags/lasse/bracket.py:3:9: ETQ001 not valid Python: '(' was never closed",
        "dags/lasse/comma.py:2:12: ETQ001 not valid Python: invalid syntax. Perhaps you forgot a comma?",
        "dags/lasse/word.py:2:3: ETQ001 not valid Python: invalid syntax. Perhaps you forgot a comma?",
    ]


def test_a_plain_folder_without_git_or_configuration(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "unzipped", {"dags/maria/taxi.py": 'from airflow import DAG\ndag = DAG("taxi")\n'}, init_git=False
    )
    for cwd, path in ((root, "dags"), (root, "dags/maria/taxi.py"), (root / "dags/maria", ".")):
        result = run_installed("check", path, "--select", "ETQ101", cwd=cwd)
        assert (result.exit_code, result.lines[0]) == (
            1,
            'dags/maria/taxi.py:2:11: ETQ101 dag_id "taxi" must start with "maria_" (file is in dags/maria/)',
        ), path


def test_a_configuration_file_inside_the_dags_folder_is_not_the_root(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "class",
        {
            "dags/maria/taxi.py": 'from airflow import DAG\ndag = DAG("taxi", tags=["student:maria"])\n',
            # A student cannot switch the rules off for their own files this way.
            "dags/maria/.airflow-etiquette.toml": 'ignore = ["ETQ1"]\ndags-folder = "elsewhere"\n',
        },
    )
    result = run_installed("check", "dags/maria/taxi.py", cwd=root)
    assert (result.exit_code, result.lines[0]) == (
        1,
        'dags/maria/taxi.py:2:11: ETQ101 dag_id "taxi" must start with "maria_" (file is in dags/maria/)',
    )


def test_in_a_monorepo_the_nearest_configuration_is_the_root(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "mono",
        {
            ".airflow-etiquette.toml": 'dags-folder = "platform/dags"\n',
            "team-b/.airflow-etiquette.toml": 'dags-folder = "dags"\n',
            "team-b/dags/maria/a.py": 'from airflow import DAG\ndag = DAG("a", tags=["student:maria"])\n',
        },
    )
    result = run_installed("check", cwd=root / "team-b")
    assert (result.exit_code, result.lines[0]) == (
        1,
        'dags/maria/a.py:2:11: ETQ101 dag_id "a" must start with "maria_" (file is in dags/maria/)',
    )


def test_selecting_a_rule_only_the_audit_runs_says_so(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/my_test.py": "from airflow import DAG\n\ndag = DAG('my_test')\n"})
    named = run_installed("check", "--select", "ETQ203", cwd=root)
    assert (named.exit_code, named.err) == (
        0,
        "airflow-etiquette: ETQ203 is not run by check: it looks at the whole repository, so `audit` and the "
        "pytest plugin run it\n",
    )
    assert run_installed("check", "--select", "ETQ2", cwd=root).err == ""  # the ownership hook's prefix: quiet
    assert "ETQ203" in run_installed("audit", cwd=root).out
