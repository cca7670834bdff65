"""Daily glue around my taxi pipeline, written for the Airflow 2.9 VM.

Wait for my own pipeline, then start my report. The rest is what I tried in
week 12 to line my runs up with Maria's: it reaches into her DAG.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sensors.external_task import ExternalTaskSensor

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

with DAG(
    dag_id=f"{STUDENT}_orchestrate",
    schedule="@daily",
    start_date=datetime(2024, 6, 1),
    catchup=False,
    max_active_runs=1,
    params={"downstream": "lasse_reporting"},
    tags=["week12", "orchestration", f"student:{STUDENT}"],
) as dag:
    wait_mine = ExternalTaskSensor(task_id="wait_mine", external_dag_id="lasse_taxi_pipeline", mode="reschedule")
    # expect-below: ETQ403
    wait_maria = ExternalTaskSensor(task_id="wait_maria", external_dag_id="maria_taxi_pipeline", mode="reschedule")

    kick_report = TriggerDagRunOperator(task_id="kick_report", trigger_dag_id="lasse_reporting")
    kick_chosen = TriggerDagRunOperator(task_id="kick_chosen", trigger_dag_id="{{ params.downstream }}")
    kick_maria = TriggerDagRunOperator(task_id="kick_maria", trigger_dag_id="maria_taxi_pipeline")  # expect: ETQ402

    # expect-below: ETQ402
    pause_maria = BashOperator(task_id="pause_maria", bash_command="airflow dags pause maria_taxi_pipeline")
    rerun_report = BashOperator(task_id="rerun_report", bash_command="airflow dags trigger lasse_reporting")
    peek_maria = BashOperator(task_id="peek_maria", bash_command="airflow dags list-runs -d maria_taxi_pipeline")
    try_maria = BashOperator(task_id="try_maria", bash_command="airflow dags test maria_taxi_pipeline 2024-06-01")

    wait_mine >> [kick_report, kick_chosen, rerun_report]
    wait_maria >> [kick_maria, pause_maria, peek_maria, try_maria]
