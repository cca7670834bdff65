"""Practice DAG from the TaskFlow chapter: pass small values between tasks
with XCom and branch on them.
"""

import os
import random
from datetime import datetime
from pathlib import Path

from airflow.decorators import dag, task
from airflow.operators.empty import EmptyOperator

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name


@dag(
    dag_id=STUDENT + "_taskflow_practice",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["practice", "student:" + STUDENT],
)
def taskflow_practice():
    @task()
    def roll_dice() -> int:
        return random.randint(1, 6)

    @task.branch()
    def high_or_low(value: int) -> str:
        return "high" if value > 3 else "low"

    @task(task_id="high")
    def say_high() -> None:
        print("rolled high")

    @task(task_id="low")
    def say_low() -> None:
        print("rolled low")

    done = EmptyOperator(task_id="done", trigger_rule="none_failed_min_one_success")

    choice = high_or_low(roll_dice())
    choice >> [say_high(), say_low()] >> done


taskflow_practice()
