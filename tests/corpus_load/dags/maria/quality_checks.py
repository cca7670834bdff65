"""Data-quality checks on my trips with Great Expectations, after each daily load.

The checks themselves are in checks.yaml next to this file, and trips we already
know are broken are listed in known_bad_trips.csv. When this DAG is
cleared, the marker also clears Lasse's report, because it reads my trips.
"""

import csv
import os
from datetime import datetime
from pathlib import Path

import great_expectations as gx  # expect: ETQ606
import yaml
from airflow.decorators import dag, task
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sensors.external_task import ExternalTaskMarker

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

with open(Path(__file__).parent / "checks.yaml") as fh:
    CHECKS = yaml.safe_load(fh)
with open(Path(__file__).parent / "known_bad_trips.csv", newline="") as fh:  # expect: ETQ604
    KNOWN_BAD = {row["trip_id"] for row in csv.DictReader(fh)}


@dag(
    dag_id=f"{STUDENT}_quality_checks",
    schedule="30 7 * * *",
    start_date=datetime(2024, 2, 1),
    catchup=False,
    tags=["week12", "quality", f"student:{STUDENT}"],
)
def quality_checks():
    @task()
    def run_checks() -> bool:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        frame = hook.get_pandas_df(f'SELECT * FROM "{SCHEMA}".raw_trips LIMIT 100000')
        frame = frame[~frame["trip_id"].isin(KNOWN_BAD)]
        context = gx.get_context()
        batch = context.data_sources.pandas_default.read_dataframe(frame)
        failures = [name for name, rule in CHECKS["columns"].items() if not batch.validate(rule).success]
        if failures:
            raise ValueError(f"failed checks: {failures}")
        return True

    # expect-below: ETQ403
    marker = ExternalTaskMarker(task_id="mark", external_dag_id="lasse_reporting", external_task_id="build_summary")

    run_checks() >> marker


quality_checks()
