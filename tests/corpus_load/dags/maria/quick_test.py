"""Two quick test DAGs from the first lab, "so that they run right away".

Airflow 2 style: one with start_date straight from the clock, one through default_args.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.utils.dates import days_ago

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

with DAG(
    dag_id=f"{STUDENT}_quick_test",
    schedule="@hourly",
    start_date=datetime.now(),  # expect: ETQ603
    catchup=False,
    tags=["lab1", f"student:{STUDENT}"],
) as quick_test:
    BashOperator(task_id="hello", bash_command="echo hello from $(hostname)")

with DAG(
    dag_id=f"{STUDENT}_quick_test_v2",
    schedule="@daily",
    default_args={
        "owner": STUDENT,
        "start_date": days_ago(1),  # expect: ETQ603
    },
    catchup=False,
    tags=["lab1", f"student:{STUDENT}"],
) as quick_test_v2:
    BashOperator(task_id="hello", bash_command="echo hello again")
