"""Run my weather dbt models after the weather load.

I import the DAG class under another name because my notebook code has its
own `DAG` helper and I kept mixing them up.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.sdk import DAG as SdkDAG

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
DBT_DIR = "/opt/airflow/include/dbt_project"

DBT_ENV = {
    "PG_HOST": "{{ conn.azure_pg.host }}",
    "PG_USER": "{{ conn.azure_pg.login }}",
    "PG_PASSWORD": "{{ conn.azure_pg.password }}",
    "PG_DBNAME": "{{ conn.azure_pg.schema }}",
    "PG_SCHEMA": SCHEMA,
}

with SdkDAG(
    dag_id=f"{STUDENT}_weather_dbt",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["weather", "dbt", f"student:{STUDENT}"],
) as dag:
    wait_for_weather = ExternalTaskSensor(
        task_id="wait_for_weather",
        external_dag_id=f"{STUDENT}_weather_psql",
        external_task_id="load_csv",
        mode="reschedule",
        timeout=60 * 60,
    )

    dbt_run = BashOperator(
        task_id="dbt_run_weather",
        bash_command=f"dbt run --project-dir {DBT_DIR} --profiles-dir {DBT_DIR} --select tag:weather",
        env=DBT_ENV,
        append_env=True,
    )

    dbt_test = BashOperator(
        task_id="dbt_test_weather",
        bash_command=f"dbt test --project-dir {DBT_DIR} --profiles-dir {DBT_DIR} --select tag:weather",
        env=DBT_ENV,
        append_env=True,
    )

    wait_for_weather >> dbt_run >> dbt_test
