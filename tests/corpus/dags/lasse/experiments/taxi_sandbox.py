"""Sandbox copy of my taxi DAG for trying things out.

I moved it into dags/lasse/experiments/ to keep the main folder tidy.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name


@dag(
    dag_id=f"{STUDENT}_taxi_sandbox",  # expect: ETQ101
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["sandbox", f"student:{STUDENT}"],  # expect: ETQ102
)
def taxi_sandbox():
    @task()
    def zones_profile() -> dict:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        zones = hook.get_pandas_df("SELECT location_id, borough, zone FROM public.zones")
        per_borough = zones.groupby("borough")["location_id"].count()
        return per_borough.to_dict()

    @task()
    def show(profile: dict) -> None:
        for borough, n in sorted(profile.items(), key=lambda kv: -kv[1]):
            print(f"{borough:<15} {n:>4} zones")

    show(zones_profile())


taxi_sandbox()
