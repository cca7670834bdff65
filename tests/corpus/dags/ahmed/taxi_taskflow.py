"""My taxi pipeline, rewritten with the Airflow 3 Task SDK."""

import io
import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag, task

from ahmed.helpers import DBT_ENV, dbt_command

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_taxi_taskflow",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["week11", "taxi", f"student:{STUDENT}"],
)
def taxi_taskflow():
    @task(retries=2)
    def extract(ds=None) -> bytes:
        url = f"https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_{ds[:7]}.parquet"
        resp = requests.get(url, timeout=90)
        resp.raise_for_status()
        return resp.content

    @task()
    def transform_and_load(raw: bytes, ds=None) -> int:
        df = pd.read_parquet(io.BytesIO(raw))
        df = df.dropna(subset=["lpep_pickup_datetime", "lpep_dropoff_datetime"])
        df = df[df["trip_distance"] > 0]
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        hook.run(
            f'DELETE FROM "{SCHEMA}".raw_trips WHERE to_char(lpep_pickup_datetime, \'YYYY-MM\') = %s',
            parameters=(ds[:7],),
        )
        df.to_sql("raw_trips", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
        return len(df)

    dbt_run = BashOperator(task_id="dbt_run", bash_command=dbt_command("run"), env=DBT_ENV, append_env=True)

    transform_and_load(extract()) >> dbt_run


taxi_taskflow()
