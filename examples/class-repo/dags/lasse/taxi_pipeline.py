"""Lasse's monthly green-taxi pipeline: the pattern everyone should follow.

    ingest_month -> check_month -> dbt_run -> dbt_test -> monthly_summary

Everything this DAG writes goes to my own schema, airflow_lasse, on the
shared Postgres. The schema name is never typed out: it is derived from the
folder this file lives in (dags/lasse/), so a classmate who copies the file
into dags/<their-name>/ automatically writes to their own schema.

The shared ``azure_pg`` connection is only read, never changed:
PostgresHook(postgres_conn_id="azure_pg") and ``{{ conn.azure_pg.* }}``
templates for dbt.
"""

import io
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import requests
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag, get_current_context, task

log = logging.getLogger(__name__)

# Locally (Astro) AIRFLOW_STUDENT comes from .env. The shared scheduler sets no
# per-student variable, so the folder name decides: dags/lasse/ -> "lasse".
STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

TRIP_DATA = "https://d37ci6vzurychx.cloudfront.net/trip-data"
DBT_DIR = "/opt/airflow/include/dbt_project"
DBT_INSTALL = "pip install --quiet dbt-postgres==1.10.*"

# dbt reads the shared connection through templates; it never stores a copy.
DBT_ENV = {
    "PG_HOST": "{{ conn.azure_pg.host }}",
    "PG_PORT": "{{ conn.azure_pg.port }}",
    "PG_USER": "{{ conn.azure_pg.login }}",
    "PG_PASSWORD": "{{ conn.azure_pg.password }}",
    "PG_DBNAME": "{{ conn.azure_pg.schema }}",
    "PG_SCHEMA": SCHEMA,
}

KEEP_COLUMNS = [
    "lpep_pickup_datetime",
    "lpep_dropoff_datetime",
    "PULocationID",
    "DOLocationID",
    "passenger_count",
    "trip_distance",
    "fare_amount",
    "tip_amount",
    "total_amount",
]


def parquet_url(month: str) -> str:
    """TLC parquet file for a month given as YYYY-MM."""
    return f"{TRIP_DATA}/green_tripdata_{month}.parquet"


def run_month() -> str:
    """YYYY-MM of the current run; manual runs in Airflow 3 have no logical date."""
    run = get_current_context()["dag_run"]
    return (run.logical_date or run.run_after).strftime("%Y-%m")


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["week11", "taxi", f"student:{STUDENT}"],
)
def taxi_pipeline():
    @task()
    def ingest_month() -> int:
        """Download one month and load it into my raw_trips, idempotently."""
        month = run_month()
        response = requests.get(parquet_url(month), timeout=120)
        response.raise_for_status()
        trips = pd.read_parquet(io.BytesIO(response.content), columns=KEEP_COLUMNS)

        hook = PostgresHook(postgres_conn_id="azure_pg")
        engine = hook.get_sqlalchemy_engine()
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        # First run: create the empty table so the DELETE below has something to delete from.
        trips.head(0).to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(
                f'DELETE FROM "{SCHEMA}".raw_trips '
                "WHERE to_char(lpep_pickup_datetime, 'YYYY-MM') = %s",
                (month,),
            )
        trips.to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False, chunksize=10_000)
        log.info("loaded %d trips for %s into %s.raw_trips", len(trips), month, SCHEMA)
        return len(trips)

    @task()
    def check_month(loaded: int) -> None:
        """Fail early when the load looks wrong, before dbt builds on top of it."""
        if loaded == 0:
            raise ValueError("the TLC file had no rows; is the month published yet?")
        hook = PostgresHook(postgres_conn_id="azure_pg")
        unknown = hook.get_first(
            f'SELECT count(*) FROM "{SCHEMA}".raw_trips t '
            'LEFT JOIN public.zones z ON z.location_id = t."PULocationID" '
            "WHERE z.location_id IS NULL AND to_char(t.lpep_pickup_datetime, 'YYYY-MM') = %s",
            parameters=(run_month(),),
        )[0]
        if unknown > loaded * 0.01:
            raise ValueError(f"{unknown} of {loaded} trips have a pickup zone missing from public.zones")

    dbt_run = BashOperator(
        task_id="dbt_run",
        bash_command=f"{DBT_INSTALL} && dbt run --project-dir {DBT_DIR} --profiles-dir {DBT_DIR}",
        env=DBT_ENV,
        append_env=True,
    )

    dbt_test = BashOperator(
        task_id="dbt_test",
        bash_command=f"{DBT_INSTALL} && dbt test --project-dir {DBT_DIR} --profiles-dir {DBT_DIR}",
        env=DBT_ENV,
        append_env=True,
    )

    monthly_summary = SQLExecuteQueryOperator(
        task_id="monthly_summary",
        conn_id="azure_pg",
        params={"schema": SCHEMA},
        sql="""
            CREATE TABLE IF NOT EXISTS {{ params.schema }}.monthly_borough_summary (
                month text, borough text, trips bigint, avg_total numeric
            );
            DELETE FROM {{ params.schema }}.monthly_borough_summary WHERE month = '{{ ds[:7] }}';
            INSERT INTO {{ params.schema }}.monthly_borough_summary
            SELECT '{{ ds[:7] }}', z.borough, count(*), round(avg(t.total_amount), 2)
            FROM {{ params.schema }}.raw_trips t
            JOIN public.zones z ON z.location_id = t."PULocationID"
            WHERE to_char(t.lpep_pickup_datetime, 'YYYY-MM') = '{{ ds[:7] }}'
            GROUP BY z.borough;
        """,
    )

    check_month(ingest_month()) >> dbt_run >> dbt_test >> monthly_summary


taxi_pipeline()
