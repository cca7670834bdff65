"""Air quality every ten minutes for the three boroughs I study (Airflow 2 style).

The hook object is made once at the top; it only opens a connection inside
the tasks. The station file is read by the task, not when the file is parsed.
"""

import csv
import os
import time
from datetime import datetime
from pathlib import Path

import requests
from airflow.decorators import dag, task
from airflow.models import Variable
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
HOOK = PostgresHook(postgres_conn_id="azure_pg")
STATIONS_CSV = Path(__file__).parent / "stations.csv"


def api_key() -> str:
    return Variable.get("noor_openaq_key")


@dag(
    dag_id=f"{STUDENT}_air_quality",
    schedule="*/10 * * * *",
    start_date=datetime(2025, 10, 1),
    catchup=False,
    max_active_runs=1,
    tags=["air", f"student:{STUDENT}"],
)
def air_quality():
    @task()
    def poll() -> int:
        with open(STATIONS_CSV, newline="") as fh:
            stations = [row["id"] for row in csv.DictReader(fh)]
        stored = 0
        for station in stations:
            resp = requests.get(
                f"https://api.openaq.org/v3/locations/{station}/latest",
                headers={"X-API-Key": api_key()},
                timeout=30,
            )
            resp.raise_for_status()
            HOOK.insert_rows(table=f'"{SCHEMA}".air_latest', rows=[(station, resp.text)])
            stored += 1
            time.sleep(1)
        return stored

    poll()


air_quality()
