"""analysis.distributions: which distributions provide an import, as data under test."""

from __future__ import annotations

import sys

import pytest
from packaging.utils import canonicalize_name

from airflow_etiquette.analysis.distributions import (
    AIRFLOW_CORE,
    IMPORT_NAMES,
    NAMESPACE_FALLBACK_DEPTH,
    NAMESPACE_PACKAGES,
    candidate_distributions,
)
from airflow_etiquette.analysis.image_contents import IMAGE_DISTRIBUTIONS


def all_distribution_tuples() -> list[tuple[str, ...]]:
    tuples = [*IMPORT_NAMES.values(), AIRFLOW_CORE]
    return tuples + [dists for paths in NAMESPACE_PACKAGES.values() for dists in paths.values()]


def is_dotted_identifier(name: str) -> bool:
    return all(part.isidentifier() for part in name.split("."))


# --- the data ------------------------------------------------------------------------------------


def test_every_distribution_name_is_canonical() -> None:
    for dists in all_distribution_tuples():
        assert dists, "an empty tuple names no distribution"
        for dist in dists:
            assert canonicalize_name(dist) == dist, dist


def test_no_tuple_repeats_a_distribution() -> None:
    for dists in all_distribution_tuples():
        assert len(set(dists)) == len(dists), dists


def test_import_names_are_top_level_identifiers_outside_the_standard_library() -> None:
    assert len(IMPORT_NAMES) >= 120
    for name in IMPORT_NAMES:
        assert name.isidentifier(), name
        assert name not in sys.stdlib_module_names, name


def test_import_names_only_hold_what_the_fallback_gets_wrong() -> None:
    for name, dists in IMPORT_NAMES.items():
        assert dists != (canonicalize_name(name),), name


def test_import_names_are_unique_case_insensitively() -> None:
    lowered = [name.lower() for name in IMPORT_NAMES]
    assert len(set(lowered)) == len(lowered)


def test_namespace_roots_and_paths_are_dotted_identifiers() -> None:
    for root, paths in NAMESPACE_PACKAGES.items():
        assert is_dotted_identifier(root), root
        for path in paths:
            assert is_dotted_identifier(path), (root, path)


def test_no_namespace_root_is_also_a_plain_import_name() -> None:
    for root in NAMESPACE_PACKAGES:
        assert root not in IMPORT_NAMES
        assert root.split(".")[0] not in IMPORT_NAMES, root


def test_every_namespace_has_a_fallback_depth() -> None:
    assert set(NAMESPACE_FALLBACK_DEPTH) == set(NAMESPACE_PACKAGES)
    assert all(depth >= 1 for depth in NAMESPACE_FALLBACK_DEPTH.values())


def test_airflow_core() -> None:
    assert AIRFLOW_CORE == ("apache-airflow", "apache-airflow-core", "apache-airflow-task-sdk")


# --- candidate_distributions: plain imports --------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("yaml", ("pyyaml",)),
        ("sklearn", ("scikit-learn",)),
        ("sklearn.linear_model", ("scikit-learn",)),
        ("psycopg2", ("psycopg2", "psycopg2-binary")),
        ("psycopg2.extras", ("psycopg2", "psycopg2-binary")),
        ("PIL.Image", ("pillow",)),
        ("bs4", ("beautifulsoup4",)),
        ("dateutil.parser", ("python-dateutil",)),
        ("dotenv", ("python-dotenv",)),
        ("jwt", ("pyjwt",)),
        ("MySQLdb", ("mysqlclient",)),
        ("attr", ("attrs",)),
        ("magic", ("python-magic",)),
        ("docx", ("python-docx",)),
        ("pptx", ("python-pptx",)),
        ("Crypto.Cipher.AES", ("pycryptodome", "pycrypto")),
        ("OpenSSL", ("pyopenssl",)),
        ("kafka", ("kafka-python", "kafka-python-ng")),
        ("grpc", ("grpcio",)),
        ("googleapiclient.discovery", ("google-api-python-client",)),
        ("git", ("gitpython",)),
        ("cosmos", ("astronomer-cosmos",)),
        ("pkg_resources", ("setuptools",)),
    ],
)
def test_mapped_imports(module: str, expected: tuple[str, ...]) -> None:
    assert candidate_distributions(module) == expected


def test_opencv_has_all_its_builds() -> None:
    dists = candidate_distributions("cv2")
    assert dists[0] == "opencv-python"
    assert {"opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"} <= set(dists)


def test_dbt_is_dbt_core_first_then_its_adapters() -> None:
    dists = candidate_distributions("dbt.cli.main")
    assert dists[0] == "dbt-core"
    assert {"dbt-postgres", "dbt-snowflake", "dbt-bigquery", "dbt-redshift", "dbt-databricks"} <= set(dists)
    assert all(dist.startswith("dbt-") for dist in dists)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("boto3", ("boto3",)),
        ("botocore.exceptions", ("botocore",)),
        ("pyspark.sql", ("pyspark",)),
        ("pandas", ("pandas",)),
        ("confluent_kafka", ("confluent-kafka",)),
        ("slack_sdk.web", ("slack-sdk",)),
        ("great_expectations.core", ("great-expectations",)),
        ("Some_Package", ("some-package",)),
        # psycopg 3: the psycopg-binary distribution ships only ``psycopg_binary``, never ``psycopg``.
        ("psycopg", ("psycopg",)),
    ],
)
def test_unmapped_imports_fall_back_to_their_canonical_name(module: str, expected: tuple[str, ...]) -> None:
    assert candidate_distributions(module) == expected


# --- candidate_distributions: namespaces -----------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("google.cloud.storage", ("google-cloud-storage",)),
        ("google.cloud.bigquery.table", ("google-cloud-bigquery",)),
        ("google.cloud.secretmanager", ("google-cloud-secret-manager",)),
        ("google.cloud.sql.connector", ("cloud-sql-python-connector",)),
        ("google.protobuf.json_format", ("protobuf",)),
        ("google.oauth2.service_account", ("google-auth",)),
        ("azure.storage.filedatalake", ("azure-storage-file-datalake",)),
        ("snowflake.connector", ("snowflake-connector-python",)),
        ("snowflake.connector.pandas_tools", ("snowflake-connector-python",)),
        ("snowflake.snowpark", ("snowflake-snowpark-python",)),
        ("databricks.sql", ("databricks-sql-connector",)),
        ("mysql.connector", ("mysql-connector-python", "mysql-connector")),
        ("paho.mqtt.client", ("paho-mqtt",)),
        ("ruamel.yaml", ("ruamel-yaml",)),
        ("openlineage.client.run", ("openlineage-python",)),
    ],
)
def test_listed_namespace_paths(module: str, expected: tuple[str, ...]) -> None:
    assert candidate_distributions(module) == expected


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        # google.cloud.X -> google-cloud-X, with the API version dropped
        ("google.cloud.pubsub_v1", ("google-cloud-pubsub",)),
        ("google.cloud.speech_v1p1beta1", ("google-cloud-speech",)),
        ("google.cloud.dataproc_v1.types", ("google-cloud-dataproc",)),
        ("google.cloud.bigquery_storage", ("google-cloud-bigquery-storage",)),
        ("google.cloud.newproduct", ("google-cloud-newproduct",)),
        # google.X -> google-X
        ("google.auth.transport.requests", ("google-auth",)),
        ("google.api_core.exceptions", ("google-api-core",)),
        # azure.X.Y -> azure-X-Y, then azure-X
        ("azure.storage.blob", ("azure-storage-blob", "azure-storage")),
        ("azure.identity", ("azure-identity",)),
        ("azure.identity.aio", ("azure-identity-aio", "azure-identity")),
        ("azure.mgmt.compute", ("azure-mgmt-compute", "azure-mgmt")),
        ("azure.keyvault.secrets", ("azure-keyvault-secrets", "azure-keyvault")),
        # the other roots
        ("backports.zoneinfo", ("backports-zoneinfo",)),
        ("zope.interface", ("zope-interface",)),
        ("azureml.core", ("azureml-core",)),
        ("databricks.newthing", ("databricks-newthing",)),
    ],
)
def test_namespace_fallback(module: str, expected: tuple[str, ...]) -> None:
    assert candidate_distributions(module) == expected


def test_a_bare_namespace_root_is_the_root_itself() -> None:
    assert candidate_distributions("google.cloud") == ("google-cloud",)
    assert candidate_distributions("azure") == ("azure",)
    assert candidate_distributions("snowflake") == ("snowflake",)


def test_the_longest_namespace_root_wins() -> None:
    # google.cloud.storage is under "google.cloud", not under "google"'s google-cloud fallback
    assert candidate_distributions("google.cloud.storage") != ("google-cloud",)
    assert candidate_distributions("google.cloud.storage.blob") == ("google-cloud-storage",)


# --- candidate_distributions: Airflow -------------------------------------------------------------


@pytest.mark.parametrize("module", ["airflow", "airflow.sdk", "airflow.models.dag", "airflow.operators.bash"])
def test_airflow_itself(module: str) -> None:
    assert candidate_distributions(module) == AIRFLOW_CORE


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (
            "airflow.providers.microsoft.azure.hooks.wasb",
            ("apache-airflow-providers-microsoft-azure", "apache-airflow-providers-microsoft"),
        ),
        (
            "airflow.providers.postgres.hooks.postgres",
            ("apache-airflow-providers-postgres", "apache-airflow-providers-postgres-hooks"),
        ),
        (
            "airflow.providers.common.sql.operators.sql",
            ("apache-airflow-providers-common-sql", "apache-airflow-providers-common"),
        ),
        (
            "airflow.providers.standard.operators.python",
            ("apache-airflow-providers-standard", "apache-airflow-providers-standard-operators"),
        ),
        (
            "airflow.providers.amazon.aws.hooks.s3",
            ("apache-airflow-providers-amazon", "apache-airflow-providers-amazon-aws"),
        ),
        (
            "airflow.providers.cncf.kubernetes.operators.pod",
            ("apache-airflow-providers-cncf-kubernetes", "apache-airflow-providers-cncf"),
        ),
        ("airflow.providers.amazon", ("apache-airflow-providers-amazon",)),
        ("airflow.providers", AIRFLOW_CORE),
    ],
)
def test_airflow_providers(module: str, expected: tuple[str, ...]) -> None:
    assert candidate_distributions(module) == expected


@pytest.mark.parametrize(
    "module",
    [
        "airflow.providers.postgres.hooks.postgres",
        "airflow.providers.microsoft.azure.hooks.wasb",
        "airflow.providers.common.sql.hooks.sql",
        "airflow.providers.google.cloud.operators.bigquery",
        "airflow.providers.amazon.aws.hooks.s3",
    ],
)
def test_providers_of_the_image_are_found_among_the_candidates(module: str) -> None:
    for major in ("2", "3"):
        assert set(candidate_distributions(module)) & IMAGE_DISTRIBUTIONS[major]


# --- candidate_distributions: configured extra mappings -------------------------------------------


def test_extra_mapping_wins_over_the_data() -> None:
    assert candidate_distributions("yaml", {"yaml": "ruamel.yaml"}) == ("ruamel-yaml",)
    assert candidate_distributions("google.cloud.storage", {"google": "Our_Google"}) == ("our-google",)
    assert candidate_distributions("airflow.providers.foo.bar", {"airflow.providers.foo": "acme-foo"}) == ("acme-foo",)


def test_extra_mapping_for_an_unknown_import() -> None:
    extra = {"acme_utils": "acme-data-utils"}
    assert candidate_distributions("acme_utils.io", extra) == ("acme-data-utils",)
    assert candidate_distributions("acme_utilsx", extra) == ("acme-utilsx",)


def test_the_longest_extra_mapping_wins() -> None:
    extra = {"acme": "acme-core", "acme.ml": "ACME.ML"}
    assert candidate_distributions("acme.ml.models", extra) == ("acme-ml",)
    assert candidate_distributions("acme.io", extra) == ("acme-core",)


def test_extra_mapping_only_matches_whole_parts() -> None:
    assert candidate_distributions("yamlish", {"yaml": "pyyaml"}) == ("yamlish",)


def test_empty_or_absent_extra_changes_nothing() -> None:
    assert candidate_distributions("yaml", {}) == candidate_distributions("yaml", None) == ("pyyaml",)


@pytest.mark.parametrize("module", ["", ".relative", "a..b", "trailing.", "1abc", "with-dash"])
def test_malformed_module_names_are_refused(module: str) -> None:
    with pytest.raises(ValueError, match="not an absolute module name"):
        candidate_distributions(module)


def test_every_result_is_canonical_and_free_of_duplicates() -> None:
    modules = [
        *IMPORT_NAMES,
        *(f"{root}.{path}" for root, paths in NAMESPACE_PACKAGES.items() for path in paths),
        *NAMESPACE_PACKAGES,
        "google.cloud.x_v2beta1.y",
        "azure.a.b.c",
    ]
    for module in modules:
        dists = candidate_distributions(module)
        assert dists, module
        assert len(set(dists)) == len(dists), module
        assert all(canonicalize_name(dist) == dist for dist in dists), module
