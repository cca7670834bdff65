"""Polling the city's air-quality sensors (Airflow 2 style).

The 30-second version was my first try; the other two are what I kept.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

import requests
from airflow.decorators import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
SENSORS = "https://data.cityofnewyork.us/resource/c3uy-2p5r.json"


def latest_reading() -> dict:
    resp = requests.get(SENSORS, params={"$limit": 1, "$order": ":id DESC"}, timeout=10)
    resp.raise_for_status()
    return resp.json()[0]


@dag(
    dag_id=f"{STUDENT}_sensor_poll_fast",
    schedule=timedelta(seconds=30),  # expect: ETQ602
    start_date=datetime(2025, 10, 1),
    catchup=False,
    max_active_runs=1,
    tags=["air", f"student:{STUDENT}"],
)
def sensor_poll_fast():
    @task()
    def poll() -> None:
        print(latest_reading())

    poll()


@dag(
    dag_id=f"{STUDENT}_sensor_poll",
    schedule="*/5 * * * *",
    start_date=datetime(2025, 10, 1),
    catchup=False,
    max_active_runs=1,
    tags=["air", f"student:{STUDENT}"],
)
def sensor_poll():
    @task()
    def poll() -> None:
        print(latest_reading())

    poll()


@dag(
    dag_id=f"{STUDENT}_sensor_poll_delta",
    schedule=timedelta(minutes=5),
    start_date=datetime(2025, 10, 1),
    catchup=False,
    max_active_runs=1,
    tags=["air", f"student:{STUDENT}"],
)
def sensor_poll_delta():
    @task()
    def poll() -> None:
        print(latest_reading())

    poll()


sensor_poll_fast()
sensor_poll()
sensor_poll_delta()
