"""ETQ606 through the real command: what the shared scheduler has (requirements, Airflow's image
by major version, a custom image, the class's own name table, the repository's own modules), and
that a pull request cannot vouch for its own imports."""

from __future__ import annotations

from pathlib import Path

from conftest import git, make_repo, run_installed

AIRFLOW_3 = "from airflow.sdk import dag, task\n"
AIRFLOW_2 = "from airflow.decorators import dag, task\n"


def dag_file(imports: str, header: str = AIRFLOW_3) -> str:
    return (
        header + imports + "\n\n"
        '@dag(dag_id="lasse_job", schedule=None, tags=["student:lasse"])\n'
        "def job():\n    pass\n\n\njob()\n"
    )


def findings(result: object) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["message"].split(":", 1)[0]) for f in result.findings]  # type: ignore[attr-defined]


def test_the_image_the_requirements_and_the_repository_have_what_the_class_imports(tmp_path: Path) -> None:
    imports = (
        "import boto3\nimport yaml\nimport psycopg2\nfrom google.cloud import storage\n"  # the official image
        "from airflow.providers.postgres.hooks.postgres import PostgresHook\n"  # a provider of the image
        "import duckdb\nfrom sklearn.cluster import KMeans\n"  # requirements.txt, -r included file
        "from lasse.helpers import week\nimport plugin_tools\nimport shared_lib.io\n"  # the repository's own
        "import json, typing\nfrom __future__ import annotations\n"
    )
    repo = make_repo(
        tmp_path / "r",
        {
            "requirements.txt": "duckdb>=1.0  # for the parquet week\n-r requirements-ml.txt\n",
            "requirements-ml.txt": "scikit-learn==1.5.*\n",
            "dags/lasse/helpers.py": "def week(ds):\n    return ds[5:7]\n",
            "plugins/plugin_tools.py": "X = 1\n",
            "shared_lib/__init__.py": "",
            "shared_lib/io.py": "",
            "dags/lasse/job.py": dag_file(imports),
        },
    )
    result = run_installed("check", "--format", "json", "--select", "ETQ606", cwd=repo)
    assert (result.exit_code, result.findings) == (0, []), result.out + result.err


def test_what_the_scheduler_lacks_is_named_with_its_distribution(tmp_path: Path) -> None:
    imports = (
        "import polars as pl\n"
        "from google.cloud import firestore_v1\n"  # below a namespace: the name decides
        "from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator\n"
        "try:\n    import orjson as fastjson\nexcept ImportError:\n    import json as fastjson\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mypy_boto3_s3\n"
    )
    repo = make_repo(tmp_path / "r", {"requirements.txt": "pandas\n", "dags/lasse/job.py": dag_file(imports)})
    result = run_installed("check", "--format", "json", "--select", "ETQ606", cwd=repo)
    assert result.exit_code == 1
    assert findings(result) == [
        ("dags/lasse/job.py", 2, "import polars"),
        ("dags/lasse/job.py", 3, "from google.cloud import firestore_v1"),
        (
            "dags/lasse/job.py",
            4,
            "from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator",
        ),
    ]
    messages = [f["message"] for f in result.findings]
    assert "does not have polars (it is not in requirements.txt or in Airflow's image)" in messages[0]
    assert "does not have google-cloud-firestore" in messages[1]
    assert "does not have apache-airflow-providers-apache-spark" in messages[2]
    assert "every user of the shared Airflow sees it as a broken DAG" in messages[0]


def test_an_import_inside_a_task_fails_the_task_not_the_file(tmp_path: Path) -> None:
    source = (
        AIRFLOW_3 + "\n\n"
        '@dag(dag_id="lasse_job", schedule=None, tags=["student:lasse"])\ndef job():\n'
        "    @task\n    def run():\n        import dbt.cli.main\n\n    run()\n\n\njob()\n"
    )
    repo = make_repo(tmp_path / "r", {"requirements.txt": "pandas\n", "dags/lasse/job.py": source})
    result = run_installed("check", "--format", "json", cwd=repo)
    assert findings(result) == [("dags/lasse/job.py", 8, "import dbt.cli.main")]
    assert "does not have dbt-core" in result.findings[0]["message"]
    assert "so the task that runs this import fails" in result.findings[0]["message"]


def test_the_image_follows_the_airflow_version(tmp_path: Path) -> None:
    # the standard provider is in Airflow 3's image, not in Airflow 2's
    source = dag_file("from airflow.providers.standard.operators.bash import BashOperator\n", AIRFLOW_2)
    files = {"requirements.txt": "pandas\n", "dags/lasse/job.py": source}
    assert run_installed("check", cwd=make_repo(tmp_path / "auto", files)).exit_code == 0  # unknown: either
    three = make_repo(tmp_path / "three", files, config='airflow-version = "3"\n')
    assert run_installed("check", cwd=three).exit_code == 0
    two = make_repo(tmp_path / "two", files, config='airflow-version = "2"\n')
    result = run_installed("check", "--format", "json", cwd=two)
    assert findings(result) == [
        ("dags/lasse/job.py", 2, "from airflow.providers.standard.operators.bash import BashOperator")
    ]


def test_a_custom_image_and_the_class_names_table(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "taxi-tools==2.0\n",
        "dags/lasse/job.py": dag_file("import boto3\nimport taxitools\n"),
    }
    # taxitools is not what canonicalize(taxitools) says; the class maps it
    default = make_repo(tmp_path / "default", files)
    assert [f[2] for f in findings(run_installed("check", "--format", "json", cwd=default))] == ["import taxitools"]
    mapped = make_repo(
        tmp_path / "mapped", files, config='[tool.airflow-etiquette.import-names]\ntaxitools = "taxi-tools"\n'
    )
    assert run_installed("check", cwd=mapped).exit_code == 0
    # a custom image that has only what `preinstalled` says: boto3 is no longer a given
    custom = make_repo(
        tmp_path / "custom",
        files,
        config='preinstalled = ["apache-airflow-providers-postgres"]\n[tool.airflow-etiquette.import-names]\ntaxitools = "taxi-tools"\n',
    )
    result = run_installed("check", "--format", "json", cwd=custom)
    assert findings(result) == [("dags/lasse/job.py", 2, "import boto3")]
    assert "(it is not in requirements.txt or `preinstalled`)" in result.findings[0]["message"]


def test_a_missing_provider_is_named_by_the_distribution_that_has_it(tmp_path: Path) -> None:
    imports = (
        "from airflow.providers.standard.operators.bash import BashOperator\n"
        "from airflow.providers.amazon.aws.hooks.s3 import S3Hook\n"
        "from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator\n"
    )
    repo = make_repo(
        tmp_path / "r",
        {"requirements.txt": "requests\n", "dags/lasse/job.py": dag_file(imports)},
        config='preinstalled = ["apache-airflow-providers-postgres"]\n',
    )
    result = run_installed("check", "--format", "json", cwd=repo)
    named = [f["message"].split("does not have ")[1].split(" ")[0] for f in result.findings]
    assert named == [
        "apache-airflow-providers-standard",
        "apache-airflow-providers-amazon",
        "apache-airflow-providers-apache-spark",
    ]


def test_without_a_requirements_file_nothing_is_said(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/job.py": dag_file("import polars\n")})
    assert run_installed("check", cwd=repo).exit_code == 0


def test_a_requirements_file_named_in_the_configuration_and_missing_is_said(tmp_path: Path) -> None:
    """Unset, a repository without requirements.txt keeps ETQ606 quiet; named, a typo would too: one
    line says so (a note, not a stop: a base's typo must not fail every student's check)."""
    files = {"dags/lasse/job.py": dag_file("import boto3\n")}
    root = make_repo(tmp_path / "r", files, config='requirements = ["reqs.txt"]\n')
    result = run_installed("check", cwd=root)
    assert (result.exit_code, result.err) == (
        0,
        "airflow-etiquette: 'requirements' names reqs.txt, and none of them exists, so ETQ606 (missing "
        "requirements) is off; fix the path, or remove the key\n",
    )
    default = make_repo(tmp_path / "d", files, config='requirements = ["requirements.txt"]\n')
    assert run_installed("check", cwd=default).err == ""  # the default, as --show-settings prints it


def test_the_plugins_folder_beside_a_nested_dags_folder_is_the_repositorys(tmp_path: Path) -> None:
    """With dags-folder = "airflow/dags", Airflow's home is airflow/: its plugins/ is on the path."""
    root = make_repo(
        tmp_path / "r",
        {
            "requirements.txt": "pandas\n",
            "airflow/plugins/myplug/__init__.py": "",
            "airflow/include/helpers.py": "X = 1\n",
            "airflow/dags/lasse/inc.py": dag_file(
                "from myplug import thing\nfrom include.helpers import X\nimport nothere\n"
            ),
        },
        config='dags-folder = "airflow/dags"\n',
    )
    result = run_installed("check", "--format", "json", cwd=root)
    assert findings(result) == [("airflow/dags/lasse/inc.py", 4, "import nothere")]


def test_a_pull_request_cannot_vouch_for_its_own_import(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {"CODEOWNERS": "/dags/lasse/ @lasse\n", "requirements.txt": "pandas\n", "dags/lasse/job.py": dag_file("")},
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "lasse/polars")
    (root / "requirements.txt").write_text("pandas\npolars\n")
    (root / "dags/lasse/job.py").write_text(dag_file("import polars\n"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "polars")
    result = run_installed("check", "--base", "main", "--author", "lasse", "--format", "json", cwd=root)
    assert ("dags/lasse/job.py", 2, "import polars") in findings(result), result.out + result.err
    # once the requirement has landed on the base, the same import is fine
    git(root, "checkout", "-q", "main")
    (root / "requirements.txt").write_text("pandas\npolars\n")
    git(root, "commit", "-qam", "teacher: polars")
    git(root, "checkout", "-q", "lasse/polars")
    git(root, "rebase", "-q", "main")
    again = run_installed(
        "check", "--base", "main", "--author", "lasse", "--format", "json", "--select", "ETQ606", cwd=root
    )
    assert (again.exit_code, again.findings) == (0, []), again.out + again.err


def test_a_requirements_file_linked_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    """What an outside file lists decided ETQ606: an import passing or failing told its content.
    Now the link is a configuration error, the same whatever the file outside says."""
    outside = tmp_path / "secret.txt"
    repo = make_repo(tmp_path / "r", {"dags/lasse/job.py": dag_file("import secretpkg_alpha\n")})
    (repo / "requirements.txt").symlink_to(outside)
    seen = []
    for listed in ("secretpkg-alpha\n", "pandas\n"):
        outside.write_text(listed)
        result = run_installed("check", "--format", "json", "--select", "ETQ606", "--no-cache", cwd=repo)
        seen.append((result.exit_code, result.out, result.err))
    assert seen[0] == seen[1]
    code, out, err = seen[0]
    assert code == 2 and "requirements.txt: leads out of the repository" in err and "secretpkg" not in out + err
