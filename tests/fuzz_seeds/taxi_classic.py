"""Daily taxi trips: copy yesterday's trips from the shared landing table into my schema.

Airflow 2 style: ``with DAG(...)`` and classic operators. The dag_id lacks the owner prefix on
purpose: the fuzz tests expect ETQ101 on every mutant that still defines it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
CONN_ID = "azure_pg"

log = logging.getLogger(__name__)

CREATE_TRIPS = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.trips (
    trip_id      BIGINT PRIMARY KEY,
    pickup_at    TIMESTAMP NOT NULL,
    dropoff_at   TIMESTAMP,
    zone_id      INTEGER,   -- joins public.zones
    fare_amount  NUMERIC(10, 2)
);
"""

COPY_TRIPS = f"""
/* only yesterday's rows; the landing table is shared and read-only for us */
INSERT INTO {SCHEMA}.trips (trip_id, pickup_at, dropoff_at, zone_id, fare_amount)
SELECT t.trip_id, t.pickup_at, t.dropoff_at, z.zone_id, t.fare_amount
FROM public.raw_trips AS t
JOIN public.zones AS z ON z.zone_name = t.pickup_zone
WHERE t.pickup_at::date = %(day)s
ON CONFLICT (trip_id) DO NOTHING;
"""


def create_tables() -> None:
    hook = PostgresHook(postgres_conn_id=CONN_ID)
    hook.run(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA};")
    hook.run(CREATE_TRIPS)


def copy_trips(ds: str, **_: object) -> int:
    hook = PostgresHook(postgres_conn_id=CONN_ID)
    with hook.get_conn() as conn, conn.cursor() as cur:
        cur.execute(COPY_TRIPS, {"day": ds})
        copied = cur.rowcount
    log.info("copied %s trips for %s into %s", copied, ds, SCHEMA)
    return copied


default_args = {
    "owner": STUDENT,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    dag_id="taxi_trips_daily",
    description="Copy yesterday's taxi trips into my schema",
    start_date=datetime(2025, 9, 1),
    schedule="@daily",
    catchup=False,
    default_args=default_args,
    tags=[f"student:{STUDENT}", "week11", "taxi"],
) as dag:
    start = EmptyOperator(task_id="start")
    create = PythonOperator(task_id="create_tables", python_callable=create_tables)
    copy = PythonOperator(task_id="copy_trips", python_callable=copy_trips)
    done = EmptyOperator(task_id="done")

    start >> create >> copy >> done
