"""Daily NYC weather since 2020, for the taxi-demand model.

Airflow 2 style (airflow.decorators). catchup=True so that the first run
fills in every day since January 2020.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import requests
from airflow.decorators import dag, task
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
ARCHIVE = "https://archive-api.open-meteo.com/v1/archive"


@dag(
    dag_id=f"{STUDENT}_weather_backfill",
    schedule="@daily",
    start_date=datetime(2020, 1, 1),  # expect: ETQ601
    catchup=True,
    max_active_runs=3,
    default_args={"retries": 5, "retry_delay": timedelta(minutes=5)},
    tags=["week12", "weather", f"student:{STUDENT}"],
)
def weather_backfill():
    @task()
    def fetch_day(ds=None) -> list[dict]:
        params = {
            "latitude": 40.71,
            "longitude": -74.01,
            "start_date": ds,
            "end_date": ds,
            "daily": "precipitation_sum",
        }
        resp = requests.get(ARCHIVE, params=params, timeout=30)
        resp.raise_for_status()
        daily = resp.json()["daily"]
        return [{"day": d, "rain_mm": r} for d, r in zip(daily["time"], daily["precipitation_sum"], strict=True)]

    @task()
    def store(rows: list[dict], ds=None) -> int:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'DELETE FROM "{SCHEMA}".weather_daily WHERE day = %s', parameters=(ds,))
        frame = pd.DataFrame(rows)
        frame.to_sql("weather_daily", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
        return len(frame)

    store(fetch_day())


weather_backfill()
