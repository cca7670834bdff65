"""The pytest plugin in a class repository's own test run (pytester), without Airflow."""

from __future__ import annotations

import textwrap

import pytest

GOOD = textwrap.dedent("""
    import os
    from pathlib import Path
    from airflow.sdk import dag

    STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name

    @dag(dag_id=f"{STUDENT}_taxi", tags=[f"student:{STUDENT}"])
    def taxi():
        pass
""")


@pytest.fixture
def class_repo(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyprojecttoml('[tool.airflow-etiquette]\nshared-connections = ["azure_pg"]\n')
    files = {
        "dags/lasse/taxi_pipeline.py": GOOD,
        "dags/maria/taxi_pipeline.py": GOOD,
        "dags/maria/copy_of_lasse.py": 'from airflow import DAG\ndag = DAG("lasse_taxi", tags=["student:lasse"])\n',
        "dags/sofia/weather.py": GOOD.replace("_taxi", "_weather") + '\nSCHEMA = "airflow_sofia"\n',
        "dags/stray_test_dag.py": 'from airflow import DAG\ndag = DAG("stray")\n',
        "tests/test_something.py": "def test_ok():\n    assert True\n",
    }
    for name, content in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return pytester


def test_every_dag_file_is_an_item_and_convention_breaks_fail(class_repo: pytest.Pytester) -> None:
    result = class_repo.runpytest("--etiquette", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*collected 7 items",  # the etiquette items count, next to tests/test_something.py
            "airflow-etiquette::dags/lasse/taxi_pipeline.py PASSED*",
            "*dags/maria/copy_of_lasse.py FAILED*",
            "*dags/sofia/weather.py PASSED*",
            "*dags/stray_test_dag.py PASSED*",
            "*repository-wide rules FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            '*dags/maria/copy_of_lasse.py:2:11: ETQ101 dag_id "lasse_taxi" must start with "maria_"*',
            '*dags/lasse/taxi_pipeline.py:8:2: ETQ104 dag_id "lasse_taxi" is also defined in dags/maria/copy_of_lasse.py:2*',
            "*dags/stray_test_dag.py:2:7: ETQ203 dags/stray_test_dag.py defines DAGs outside every owner directory*",
        ]
    )


def test_off_by_default_and_on_through_the_ini_option(class_repo: pytest.Pytester) -> None:
    class_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    class_repo.makeini("[pytest]\netiquette = true\n")
    class_repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5, failed=2)


def test_the_plugin_uses_the_repositorys_configuration(class_repo: pytest.Pytester) -> None:
    class_repo.makepyprojecttoml('[tool.airflow-etiquette]\nignore = ["ETQ1", "ETQ203"]\n')
    class_repo.runpytest("--etiquette", "-p", "no:cacheprovider").assert_outcomes(passed=7)
    class_repo.makepyprojecttoml('[tool.airflow-etiquette]\nignore = ["ETQ9"]\n')
    result = class_repo.runpytest("--etiquette", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*airflow-etiquette: pyproject.toml: 'ignore': unknown rule code 'ETQ9'*"])


def test_warnings_are_reported_as_pytest_warnings(class_repo: pytest.Pytester) -> None:
    result = class_repo.runpytest("--etiquette", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=2, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*warnings summary*",
            '*EtiquetteWarning: dags/sofia/weather.py:12:10: ETQ301 hard-coded schema "airflow_sofia"*',
        ]
    )


def test_a_newline_in_a_file_name_stays_inside_its_item_and_its_line(class_repo: pytest.Pytester) -> None:
    """A file named ``n<newline>l.py`` split the test id and each finding over two lines."""
    bad = 'from airflow import DAG\ndag = DAG("taxi", tags=["student:maria"])\n'
    (class_repo.path / "dags/maria/n\nl.py").write_text(bad)
    result = class_repo.runpytest("--etiquette", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=3)
    lines = result.stdout.lines
    assert any(line.startswith("airflow-etiquette::dags/maria/n\\nl.py FAILED") for line in lines), lines
    assert 'dags/maria/n\\nl.py:2:11: ETQ101 dag_id "taxi" must start with "maria_" (file is in dags/maria/)' in lines
    assert not any(line.startswith("l.py") for line in lines)
