"""Monthly green-taxi load into my own schema, then the shared dbt models.

Runs on the Airflow 3 scheduler. catchup is on on purpose: a monthly schedule
from January 2024 is only a few dozen runs, and I want the whole history.
The last task updates an asset that my reporting DAG is scheduled on.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import Asset, dag, get_current_context, task
from lasse.helpers import download_month, replace_month

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
DBT_PROJECT = "/opt/airflow/include/dbt_project"
TRIPS_LOADED = Asset(f"{STUDENT}_trips_loaded")

DBT_ENV = {
    "PG_HOST": "{{ conn.azure_pg.host }}",
    "PG_USER": "{{ conn.azure_pg.login }}",
    "PG_PASSWORD": "{{ conn.azure_pg.password }}",
    "PG_DBNAME": "{{ conn.azure_pg.schema }}",
    "PG_SCHEMA": SCHEMA,
}


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=True,
    max_active_runs=2,
    default_args={"retries": 2},
    tags=["week11", "taxi", f"student:{STUDENT}"],
)
def taxi_pipeline():
    @task()
    def ingest_month() -> int:
        run = get_current_context()["dag_run"]
        month = (run.logical_date or run.run_after).strftime("%Y-%m")
        return replace_month(download_month(month), month)

    dbt_run = BashOperator(
        task_id="dbt_run",
        bash_command=f"dbt run --project-dir {DBT_PROJECT} --profiles-dir {DBT_PROJECT}",
        env=DBT_ENV,
        append_env=True,
        pool=f"{STUDENT}_pool",
    )

    dbt_test = BashOperator(
        task_id="dbt_test",
        bash_command=f"dbt test --project-dir {DBT_PROJECT} --profiles-dir {DBT_PROJECT}",
        env=DBT_ENV,
        append_env=True,
        pool=f"{STUDENT}_pool",
        outlets=[TRIPS_LOADED],
    )

    ingest_month() >> dbt_run >> dbt_test


taxi_pipeline()
