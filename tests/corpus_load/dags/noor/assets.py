"""Downstream of my weather ingest, scheduled on a dataset (Airflow 2 style).

The old start dates are from the course template. The dataset DAG has no clock
schedule and the yearly export runs only once, so catchup has nothing to queue.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.datasets import Dataset
from airflow.decorators import dag, task
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
WEATHER = Dataset(f"{STUDENT}_weather_hourly")


@dag(
    dag_id=f"{STUDENT}_weather_rollup",
    schedule=[WEATHER],
    start_date=datetime(2020, 1, 1),
    catchup=True,
    tags=["weather", f"student:{STUDENT}"],
)
def weather_rollup():
    @task()
    def rollup() -> None:
        PostgresHook(postgres_conn_id="azure_pg").run(
            f'CREATE TABLE IF NOT EXISTS "{SCHEMA}".weather_daily_rollup AS '
            f'SELECT ts::date AS day, avg(temperature) AS avg_temp FROM "{SCHEMA}".weather_hourly GROUP BY 1'
        )

    rollup()


@dag(
    dag_id=f"{STUDENT}_weather_export_once",
    schedule="@once",
    start_date=datetime(2020, 1, 1),
    catchup=True,
    tags=["weather", f"student:{STUDENT}"],
)
def weather_export_once():
    @task()
    def export() -> None:
        rows = PostgresHook(postgres_conn_id="azure_pg").get_records(f'SELECT count(*) FROM "{SCHEMA}".weather_hourly')
        print(f"weather_hourly has {rows[0][0]} rows")

    export()


weather_rollup()
weather_export_once()
