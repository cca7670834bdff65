"""Average trip duration per hour of day.

Written the way the Composer docs do it: `from airflow import models`.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow import models
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

DEFAULT_ARGS = {
    "owner": STUDENT,
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
    "start_date": datetime(2024, 1, 1),
}


def duration_by_hour(**context) -> list:
    hook = PostgresHook(postgres_conn_id="azure_pg")
    rows = hook.get_records(
        f"""
        SELECT extract(hour FROM lpep_pickup_datetime) AS hour,
               avg(extract(epoch FROM lpep_dropoff_datetime - lpep_pickup_datetime) / 60) AS minutes
        FROM "{SCHEMA}".raw_trips
        GROUP BY 1
        ORDER BY 1
        """
    )
    for hour, minutes in rows:
        print(f"{int(hour):02d}:00  {minutes:5.1f} min")
    return rows


with models.DAG(
    f"{STUDENT}_duration_by_hour",
    default_args=DEFAULT_ARGS,
    schedule="@daily",
    catchup=False,
    tags=["analysis", f"student:{STUDENT}"],
) as dag:
    PythonOperator(task_id="duration_by_hour", python_callable=duration_by_hour)
