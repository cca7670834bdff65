"""My first polling DAG, still in the Airflow 2 spelling (schedule_interval).

The fast one polls the trip-data bucket for a new file; the slow one only
writes a heartbeat row into my schema.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

with DAG(
    dag_id=f"{STUDENT}_legacy_poll",
    schedule_interval=timedelta(minutes=2),  # expect: ETQ602
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["lab2", f"student:{STUDENT}"],
) as legacy_poll:
    BashOperator(task_id="poll", bash_command="curl -sfI https://d37ci6vzurychx.cloudfront.net/trip-data/ || true")

with DAG(
    dag_id=f"{STUDENT}_legacy_heartbeat",
    schedule_interval="@hourly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["lab2", f"student:{STUDENT}"],
) as legacy_heartbeat:
    BashOperator(task_id="beat", bash_command="echo alive at {{ ts }}")
