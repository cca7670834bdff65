"""Ahmed's taxi pipeline.

My runs kept failing with 'password authentication failed', so the first
task drops the cached connection before loading. The cleaned trips also go
to a public table so the rest of the class can use them.
"""

import os
from datetime import datetime
from pathlib import Path

import pandas as pd
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.postgres.operators.postgres import PostgresOperator
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
BASE_URL = "https://d37ci6vzurychx.cloudfront.net/trip-data"


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["week11", "taxi", f"student:{STUDENT}"],
)
def taxi_pipeline():
    reset_connection = BashOperator(
        task_id="reset_connection",
        bash_command="airflow connections delete azure_pg",
    )

    @task()
    def ingest(ds=None) -> int:
        df = pd.read_parquet(f"{BASE_URL}/green_tripdata_{ds[:7]}.parquet")
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        hook.run(f'DROP TABLE IF EXISTS "{SCHEMA}".raw_trips')
        df.to_sql("raw_trips", hook.get_sqlalchemy_engine(), schema=SCHEMA, index=False)
        return len(df)

    share_with_class = PostgresOperator(
        task_id="share_with_class",
        postgres_conn_id="azure_pg",
        sql=f"""
            INSERT INTO public.trips (pickup_at, dropoff_at, pickup_zone, total_amount)
            SELECT lpep_pickup_datetime, lpep_dropoff_datetime, "PULocationID", total_amount
            FROM "{SCHEMA}".raw_trips
        """,
    )

    reset_connection >> ingest() >> share_with_class


taxi_pipeline()
