"""Backfill the weather table for a fixed range of days.

Trigger it by hand; it has no schedule.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2024, 3, 31)


@dag  # expect: ETQ102
def noor_weather_backfill():
    @task()
    def days() -> list[str]:
        n = (LAST_DAY - FIRST_DAY).days + 1
        return [(FIRST_DAY + timedelta(days=i)).isoformat() for i in range(n)]

    @task(max_active_tis_per_dag=4)
    def backfill_day(day: str) -> int:
        resp = requests.get(
            "https://archive-api.open-meteo.com/v1/archive",
            params={"latitude": 40.71, "longitude": -74.01, "start_date": day, "end_date": day, "daily": "temperature_2m_mean"},
            timeout=30,
        )
        resp.raise_for_status()
        mean_temp = resp.json()["daily"]["temperature_2m_mean"][0]
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'DELETE FROM "{SCHEMA}".weather_daily WHERE day = %s', parameters=(day,))
        hook.run(f'INSERT INTO "{SCHEMA}".weather_daily (day, avg_temp) VALUES (%s, %s)', parameters=(day, mean_temp))
        return 1

    backfill_day.expand(day=days())


noor_weather_backfill()
