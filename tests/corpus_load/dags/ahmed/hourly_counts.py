"""Hourly trip counts per zone since 2023 (Airflow 3), as fast as the scheduler allows."""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_hourly_counts",
    schedule="@hourly",
    start_date=datetime(2023, 1, 1),  # expect: ETQ601
    catchup=True,
    max_active_runs=10,  # expect: ETQ607
    max_active_tasks=32,
    tags=["week12", "counts", f"student:{STUDENT}"],
)
def hourly_counts():
    @task()
    def count_hour(data_interval_start=None, data_interval_end=None) -> None:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(
            f'INSERT INTO "{SCHEMA}".hourly_counts (hour, zone, trips) '
            'SELECT %(start)s, "PULocationID", count(*) '
            f'FROM "{SCHEMA}".raw_trips '
            "WHERE tpep_pickup_datetime >= %(start)s AND tpep_pickup_datetime < %(end)s "
            'GROUP BY "PULocationID"',
            parameters={"start": data_interval_start, "end": data_interval_end},
        )

    count_hour()


hourly_counts()
