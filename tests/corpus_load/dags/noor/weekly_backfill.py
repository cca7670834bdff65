"""Weekly weather aggregates every Monday since 2022 (Airflow 2 style).

The weekly job is heavy, so it runs in the big pool with plenty of retries.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.decorators import dag, task
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_weekly_backfill",
    schedule="0 6 * * 1",
    start_date=datetime(2022, 1, 3),  # expect: ETQ601
    catchup=True,
    max_active_runs=2,
    default_args={
        "retries": 10,  # expect: ETQ607
        "retry_delay": timedelta(minutes=10),
    },
    tags=["weather", "weekly", f"student:{STUDENT}"],
)
def weekly_backfill():
    @task(pool="big_pool")  # expect: ETQ607
    def aggregate_week(data_interval_start=None, data_interval_end=None) -> None:
        PostgresHook(postgres_conn_id="azure_pg").run(
            f'INSERT INTO "{SCHEMA}".weather_weekly (week, avg_temp, rain_mm) '
            "SELECT %(start)s::date, avg(temperature), sum(precipitation) "
            f'FROM "{SCHEMA}".weather_hourly WHERE ts >= %(start)s AND ts < %(end)s',
            parameters={"start": data_interval_start, "end": data_interval_end},
        )

    @task(pool=f"{STUDENT}_pool", retries=5)
    def vacuum() -> None:
        PostgresHook(postgres_conn_id="azure_pg").run(f'ANALYZE "{SCHEMA}".weather_weekly')

    aggregate_week() >> vacuum()


weekly_backfill()
