"""Air-quality readings from OpenAQ every six hours since January 2025 (Airflow 2 style).

The station list and the API settings are loaded when the file is read.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

import requests
from airflow.decorators import dag, task
from airflow.models import Variable
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
OPENAQ = "https://api.openaq.org/v3"
STATIONS = requests.get(f"{OPENAQ}/locations", params={"iso": "US", "limit": 20}, timeout=10).json()  # expect: ETQ604


class Settings:
    api_key = Variable.get("noor_openaq_key")  # expect: ETQ604
    batch_size = 50


@dag(
    dag_id=f"{STUDENT}_six_hourly",
    schedule=timedelta(hours=6),
    start_date=datetime(2025, 1, 1),  # expect: ETQ601
    catchup=True,
    max_active_runs=1,
    tags=["air", f"student:{STUDENT}"],
)
def six_hourly():
    @task()
    def readings(data_interval_start=None) -> int:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        count = 0
        for station in STATIONS["results"][: Settings.batch_size]:
            resp = requests.get(
                f"{OPENAQ}/locations/{station['id']}/latest",
                headers={"X-API-Key": Settings.api_key},
                timeout=30,
            )
            resp.raise_for_status()
            for item in resp.json()["results"]:
                hook.run(
                    f'INSERT INTO "{SCHEMA}".air_readings (station, at, value) VALUES (%s, %s, %s)',
                    parameters=(station["id"], data_interval_start, item["value"]),
                )
                count += 1
        return count

    readings()


six_hourly()
