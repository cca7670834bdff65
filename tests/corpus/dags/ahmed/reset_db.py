"""Reset and reload everything when my tables get into a weird state.

Step 1 drops the stale connection (it sometimes caches an old password),
step 2 reloads the trips.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

with DAG(
    dag_id=f"{STUDENT}_reset_db",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["maintenance", f"student:{STUDENT}"],
) as dag:
    drop_connection = BashOperator(
        task_id="drop_stale_connection",
        bash_command="airflow connections delete azure_pg",  # expect: ETQ401
    )

    recreate_staging = PostgresOperator(
        task_id="recreate_staging",
        postgres_conn_id="azure_pg",
        sql=f'DROP TABLE IF EXISTS "{SCHEMA}".trips_staging; CREATE TABLE "{SCHEMA}".trips_staging (LIKE "{SCHEMA}".raw_trips)',
    )

    load_public = PostgresOperator(
        task_id="load_trips",
        postgres_conn_id="azure_pg",
        # expect-below: ETQ302
        sql="""
            INSERT INTO public.trips (pickup_at, dropoff_at, pickup_zone, fare)
            SELECT lpep_pickup_datetime, lpep_dropoff_datetime, "PULocationID", fare_amount
            FROM raw_trips
            WHERE date(lpep_pickup_datetime) = '{{ ds }}'
        """,
    )

    drop_connection >> recreate_staging >> load_public
