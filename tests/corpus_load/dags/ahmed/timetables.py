"""Trying out CronTriggerTimetable (Airflow 3): a ticker and an hourly ticker."""

import os
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_ticker",
    schedule=CronTriggerTimetable("* * * * *", timezone="UTC"),  # expect: ETQ602
    start_date=datetime(2025, 10, 1),
    catchup=False,
    tags=["timetables", f"student:{STUDENT}"],
)
def ticker():
    @task()
    def tick(logical_date=None) -> None:
        print(f"tick at {logical_date}")

    tick()


@dag(
    dag_id=f"{STUDENT}_hourly_ticker",
    schedule=CronTriggerTimetable("0 * * * *", timezone="UTC"),
    start_date=datetime(2025, 10, 1),
    catchup=False,
    tags=["timetables", f"student:{STUDENT}"],
)
def hourly_ticker():
    @task()
    def tick(logical_date=None) -> None:
        print(f"hourly tick at {logical_date}")

    tick()


ticker()
hourly_ticker()
