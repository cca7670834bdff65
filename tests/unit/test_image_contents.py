"""The generated data of what Airflow's official image has (analysis/image_contents.py), checked
against the hand-kept tables it must agree with."""

from __future__ import annotations

import pytest

from airflow_etiquette.analysis.distributions import (
    AIRFLOW_CORE,
    NAMESPACE_PACKAGES,
    PROVIDER_PREFIX,
    candidate_distributions,
)
from airflow_etiquette.analysis.image_contents import IMAGE_DISTRIBUTIONS, IMAGE_MODULES


def providers(major: str) -> set[str]:
    return {name for name in IMAGE_DISTRIBUTIONS[major] if name.startswith(PROVIDER_PREFIX)}


@pytest.mark.parametrize(
    "provider",
    ["amazon", "celery", "cncf-kubernetes", "common-io", "common-sql", "google", "http", "microsoft-azure"]
    + ["postgres", "slack", "snowflake", "ssh", "smtp", "fab", "openlineage"],
)
def test_both_images_preinstall_the_common_providers(provider: str) -> None:
    for major in ("2", "3"):
        assert PROVIDER_PREFIX + provider in providers(major)


def test_only_airflow_3_images_carry_the_standard_provider_and_core() -> None:
    assert PROVIDER_PREFIX + "standard" in providers("3") and PROVIDER_PREFIX + "standard" not in providers("2")
    assert "apache-airflow" in IMAGE_DISTRIBUTIONS["2"] and "apache-airflow" in IMAGE_DISTRIBUTIONS["3"]


def test_image_extras_that_are_not_providers_add_libraries_not_providers() -> None:
    for major in ("2", "3"):
        for extra in ("aiobotocore", "async", "google-auth", "graphviz", "ldap", "pandas", "statsd", "uv"):
            assert PROVIDER_PREFIX + extra not in providers(major)
        assert {"aiobotocore", "graphviz", "python-ldap", "pandas", "statsd", "uv"} <= IMAGE_DISTRIBUTIONS[major]


@pytest.mark.parametrize("major", ["2", "3"])
def test_what_every_class_dag_imports_is_in_the_image(major: str) -> None:
    # the libraries behind the class's own patterns: Airflow's dependencies and the providers' drivers
    for module in ("pendulum", "requests", "sqlalchemy", "yaml", "psycopg2", "jinja2", "dateutil", "boto3"):
        assert any(name in IMAGE_DISTRIBUTIONS[major] for name in candidate_distributions(module)), module
        assert module in IMAGE_MODULES[major]
    assert "google.cloud.storage" in IMAGE_MODULES[major]


@pytest.mark.parametrize("major", ["2", "3"])
def test_a_shared_namespace_is_never_an_answer_by_itself(major: str) -> None:
    # `azure` or `google.cloud` alone would admit every package below them
    assert not (set(NAMESPACE_PACKAGES) | {"airflow.providers"}) & IMAGE_MODULES[major]
    assert not {"polars", "torch", "dbt", "great_expectations"} & IMAGE_MODULES[major]


def test_airflow_3s_core_is_split_in_two_distributions() -> None:
    assert set(AIRFLOW_CORE) <= IMAGE_DISTRIBUTIONS["3"]
    assert "apache-airflow-core" not in IMAGE_DISTRIBUTIONS["2"]
