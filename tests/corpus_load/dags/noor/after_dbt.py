"""Join my weather with Ahmed's dbt models once they are built (Airflow 3).

The API key is passed to the tasks as a DAG param.
"""

import os
from datetime import datetime
from pathlib import Path

import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.sdk import Variable, dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
API = "http://localhost:8080"


@dag(
    dag_id=f"{STUDENT}_after_dbt",
    schedule="0 7 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    params={"api_key": Variable.get("noor_api_key")},  # expect: ETQ604
    tags=["weather", "join", f"student:{STUDENT}"],
)
def after_dbt():
    # expect-below: ETQ403
    wait_dbt = ExternalTaskSensor(task_id="wait_dbt", external_dag_id="ahmed_dbt_daily", mode="reschedule")
    wait_mine = ExternalTaskSensor(task_id="wait_mine", external_dag_id="noor_weather_ingest", mode="reschedule")

    @task()
    def join_weather(ds=None) -> None:
        PostgresHook(postgres_conn_id="azure_pg").run(
            f'INSERT INTO "{SCHEMA}".rides_weather (day, rain_mm, trips) '
            f'SELECT w.ts::date, sum(w.precipitation), count(t.*) FROM "{SCHEMA}".weather_hourly w '
            f'JOIN "{SCHEMA}".raw_trips t ON t.tpep_pickup_datetime::date = w.ts::date '
            "WHERE w.ts::date = %s GROUP BY 1",
            parameters=(ds,),
        )

    @task()
    def rerun_maria() -> None:
        # expect-below: ETQ402
        requests.post(f"{API}/api/v2/dags/maria_taxi_pipeline/dagRuns", json={"logical_date": None}, timeout=30)

    [wait_dbt, wait_mine] >> join_weather() >> rerun_maria()


after_dbt()
