"""My taxi pipeline after the VM moved to Airflow 3.

SQL-only version: the load goes through a staging table, everything inside
my own schema, joined with the shared public.zones lookup.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
PARQUET = "/tmp/maria_green_{{ ds[:7] }}.parquet"


@dag(
    dag_id=f"{STUDENT}_taxi_v3",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["week11", "taxi", "airflow3", f"student:{STUDENT}"],
)
def taxi_v3():
    download = BashOperator(
        task_id="download",
        bash_command=(
            "curl --fail -sS -o " + PARQUET + " "
            "https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_{{ ds[:7] }}.parquet"
        ),
    )

    prepare = SQLExecuteQueryOperator(
        task_id="prepare_tables",
        conn_id="azure_pg",
        sql=[
            f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"',
            f'CREATE TABLE IF NOT EXISTS "{SCHEMA}".trips_by_zone (month text, zone text, trips bigint)',
            f'DELETE FROM "{SCHEMA}".trips_by_zone WHERE month = ' + "'{{ ds[:7] }}'",
        ],
    )

    aggregate = SQLExecuteQueryOperator(
        task_id="aggregate",
        conn_id="azure_pg",
        sql=f"""
            INSERT INTO "{SCHEMA}".trips_by_zone (month, zone, trips)
            SELECT '{{{{ ds[:7] }}}}', z.zone, count(*)
            FROM "{SCHEMA}".raw_trips t
            JOIN public.zones z ON z.location_id = t."PULocationID"
            WHERE to_char(t.lpep_pickup_datetime, 'YYYY-MM') = '{{{{ ds[:7] }}}}'
            GROUP BY z.zone
        """,
    )

    download >> prepare >> aggregate


taxi_v3()
