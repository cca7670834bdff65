"""Fuel prices near JFK, every minute, for the fare-vs-fuel plot (Airflow 3)."""

import os
from datetime import datetime
from pathlib import Path

import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
PRICES = "https://api.example-fuel.test/v1/prices?near=JFK"


@dag(
    dag_id=f"{STUDENT}_live_prices",
    schedule="* * * * *",  # expect: ETQ602
    start_date=datetime(2025, 10, 1),
    catchup=False,
    max_active_runs=1,
    tags=["week12", "prices", f"student:{STUDENT}"],
)
def live_prices():
    @task()
    def fetch_and_store() -> int:
        resp = requests.get(PRICES, timeout=10)
        resp.raise_for_status()
        rows = [(p["station"], p["price"], p["ts"]) for p in resp.json()["prices"]]
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.insert_rows(table=f'"{SCHEMA}".fuel_prices', rows=rows, target_fields=["station", "price", "ts"])
        return len(rows)

    fetch_and_store()


live_prices()
