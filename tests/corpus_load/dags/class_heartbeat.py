"""Teacher's heartbeat: proves to the class that the shared scheduler is alive.

Load rules apply to the teacher too: every two minutes is more often than the
five minutes the class is allowed.
"""

from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="class_heartbeat",
    schedule="*/2 * * * *",  # expect: ETQ602
    start_date=datetime(2026, 9, 1),
    catchup=False,
    max_active_runs=1,
    tags=["teacher", "class"],
) as dag:
    BashOperator(task_id="beat", bash_command='echo "scheduler alive at {{ ts }}"')
