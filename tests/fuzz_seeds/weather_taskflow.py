"""Hourly weather readings with the TaskFlow API: fetch, clean, load into my schema."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pendulum
from airflow.decorators import dag, task
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

STATIONS = ["copenhagen", "aarhus", "odense"]


@dag(
    dag_id="weather_hourly",
    schedule="0 * * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="Europe/Copenhagen"),
    catchup=False,
    max_active_runs=1,
    tags=["student:" + STUDENT, "weather"],
    doc_md=__doc__,
)
def weather_hourly() -> None:
    @task
    def fetch(station: str) -> list[dict[str, object]]:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        rows = hook.get_records(
            "SELECT observed_at, temperature, wind FROM public.weather_feed WHERE station = %s",
            parameters=(station,),
        )
        return [{"station": station, "at": str(r[0]), "temp": r[1], "wind": r[2]} for r in rows]

    @task
    def clean(readings: list[list[dict[str, object]]]) -> str:
        flat = [r for batch in readings for r in batch if r["temp"] is not None]
        return json.dumps(flat)

    @task
    def load(payload: str) -> None:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'CREATE TABLE IF NOT EXISTS "{SCHEMA}".readings (station TEXT, at TIMESTAMPTZ, temp REAL, wind REAL)')
        for row in json.loads(payload):
            hook.run(
                f'INSERT INTO "{SCHEMA}".readings VALUES (%s, %s, %s, %s)',
                parameters=(row["station"], row["at"], row["temp"], row["wind"]),
            )

    readings = fetch.expand(station=STATIONS)
    load(clean(readings))


weather_hourly()

if __name__ == "__main__":
    print(datetime.now(), "parse only")
