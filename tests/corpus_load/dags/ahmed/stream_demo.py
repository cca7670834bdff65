"""Demo for my presentation: a DAG that runs again as soon as it finishes (Airflow 3)."""

import os
import random
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_stream_demo",
    schedule="@continuous",  # expect: ETQ602
    start_date=datetime(2025, 11, 1),
    catchup=False,
    max_active_runs=1,
    tags=["demo", f"student:{STUDENT}"],
)
def stream_demo():
    @task()
    def fake_event() -> dict:
        return {"zone": random.randint(1, 263), "fare": round(random.uniform(5, 80), 2)}

    @task()
    def show(event: dict) -> None:
        print(f"new ride in zone {event['zone']}: ${event['fare']}")

    show(fake_event())


stream_demo()
