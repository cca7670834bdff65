"""Monthly green-taxi pipeline: download one month, load it into my schema,
then build the dbt models on top.

The data lands in airflow_lasse.raw_trips on the shared Postgres, but the
schema name is derived from the folder this file lives in, never typed out.
"""

import io
import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag, get_current_context, task

# Locally AIRFLOW_STUDENT comes from .env; on the shared VM there is no such
# variable, so the folder name (dags/lasse/) decides.
STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
TRIP_DATA = "https://d37ci6vzurychx.cloudfront.net/trip-data"
DBT_PROJECT = "/opt/airflow/include/dbt_project"

DBT_ENV = {
    "PG_HOST": "{{ conn.azure_pg.host }}",
    "PG_USER": "{{ conn.azure_pg.login }}",
    "PG_PASSWORD": "{{ conn.azure_pg.password }}",
    "PG_DBNAME": "{{ conn.azure_pg.schema }}",
    "PG_SCHEMA": SCHEMA,
}


def month_url(logical_date: str) -> str:
    """URL of the parquet file for the month of ``logical_date`` (YYYY-MM-DD)."""
    return f"{TRIP_DATA}/green_tripdata_{logical_date[:7]}.parquet"


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2},
    tags=["week11", "taxi", f"student:{STUDENT}"],
)
def taxi_pipeline():
    @task()
    def ingest_month() -> int:
        ctx = get_current_context()
        run = ctx["dag_run"]
        when = (run.logical_date or run.run_after).strftime("%Y-%m-%d")

        response = requests.get(month_url(when), timeout=120)
        response.raise_for_status()
        trips = pd.read_parquet(io.BytesIO(response.content))

        hook = PostgresHook(postgres_conn_id="azure_pg")
        engine = hook.get_sqlalchemy_engine()
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        # create the table on the very first run, then make the load idempotent
        trips.head(0).to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(
                f'DELETE FROM "{SCHEMA}".raw_trips '
                "WHERE to_char(lpep_pickup_datetime, 'YYYY-MM') = %s",
                (when[:7],),
            )
        trips.to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False, chunksize=10_000)
        print(f"loaded {len(trips)} rows for {when[:7]} into {SCHEMA}.raw_trips")
        return len(trips)

    dbt_run = BashOperator(
        task_id="dbt_run",
        bash_command=f"dbt run --project-dir {DBT_PROJECT} --profiles-dir {DBT_PROJECT}",
        env=DBT_ENV,
        append_env=True,
    )

    dbt_test = BashOperator(
        task_id="dbt_test",
        bash_command=f"dbt test --project-dir {DBT_PROJECT} --profiles-dir {DBT_PROJECT}",
        env=DBT_ENV,
        append_env=True,
    )

    ingest_month() >> dbt_run >> dbt_test


taxi_pipeline()
