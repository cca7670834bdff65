"""After my dbt run: start the weather ingest my model depends on (Airflow 3).

Also the admin chores I put in here while debugging with Noor and Maria.
"""

import os
import subprocess
from datetime import datetime
from pathlib import Path

import requests
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
API = "http://localhost:8080"


@dag(
    dag_id=f"{STUDENT}_kick_noor",
    schedule="15 6 * * *",
    start_date=datetime(2025, 9, 1),
    catchup=False,
    tags=["week12", "orchestration", f"student:{STUDENT}"],
)
def kick_noor():
    weather = TriggerDagRunOperator(task_id="kick_weather", trigger_dag_id="noor_weather_ingest")  # expect: ETQ402
    own_dbt = TriggerDagRunOperator(task_id="kick_own_dbt", trigger_dag_id="ahmed_dbt_daily")

    set_week = BashOperator(task_id="set_week", bash_command="airflow variables set class_week 12")  # expect: ETQ404
    read_week = BashOperator(task_id="read_week", bash_command="airflow variables get class_week")
    set_own = BashOperator(task_id="set_own", bash_command="airflow variables set ahmed_week 12")

    # expect-below: ETQ405
    grow_pool = BashOperator(task_id="grow_pool", bash_command='airflow pools set shared_pool 8 "room"')
    own_pool = BashOperator(task_id="own_pool", bash_command='airflow pools set ahmed_pool 2 "my dbt runs"')
    list_pools = BashOperator(task_id="list_pools", bash_command="airflow pools list")

    @task()
    def unpause_maria() -> None:
        subprocess.run(["airflow", "dags", "unpause", "maria_taxi_pipeline"], check=True)  # expect: ETQ402

    @task()
    def pause_noor() -> None:
        requests.patch(f"{API}/api/v1/dags/noor_weather_ingest", json={"is_paused": True}, timeout=30)  # expect: ETQ402

    own_dbt >> [weather, set_week, read_week, set_own]
    own_dbt >> [grow_pool, own_pool, list_pools]
    own_dbt >> unpause_maria() >> pause_noor()


kick_noor()
