"""Daily zone history since 2021 (Airflow 3).

Two versions: the current one takes its start date from a constant, the old
one from default_args. Both catch up on every day since then.
"""

import os
from datetime import datetime
from pathlib import Path

import pendulum
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
START = pendulum.datetime(2021, 1, 1, tz="UTC")

SNAPSHOT_SQL = f"""
    INSERT INTO "{SCHEMA}".zone_history (day, zone, trips)
    SELECT %(day)s, z.zone, count(*)
    FROM "{SCHEMA}".raw_trips t JOIN public.zones z ON z.location_id = t."PULocationID"
    WHERE t.tpep_pickup_datetime::date = %(day)s
    GROUP BY z.zone
"""


@dag(
    dag_id=f"{STUDENT}_zones_history",
    schedule="@daily",
    start_date=START,  # expect: ETQ601
    catchup=True,
    max_active_runs=2,
    tags=["week12", "zones", f"student:{STUDENT}"],
)
def zones_history():
    @task()
    def snapshot(ds=None) -> None:
        PostgresHook(postgres_conn_id="azure_pg").run(SNAPSHOT_SQL, parameters={"day": ds})

    snapshot()


@dag(
    dag_id=f"{STUDENT}_zones_history_v0",
    schedule="@daily",
    catchup=True,
    default_args={
        "owner": STUDENT,
        "start_date": datetime(2019, 6, 1),  # expect: ETQ601
    },
    tags=["week11", "zones", f"student:{STUDENT}"],
)
def zones_history_v0():
    @task()
    def snapshot(ds=None) -> None:
        PostgresHook(postgres_conn_id="azure_pg").run(SNAPSHOT_SQL, parameters={"day": ds})

    snapshot()


zones_history()
zones_history_v0()
