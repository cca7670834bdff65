"""Sofia's week 11 taxi pipeline.

Started from Maria's file because mine kept failing on the VM; same
structure, my own folder.
"""

import io
import os
from datetime import datetime
from pathlib import Path

import pandas as pd
import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
DBT_DIR = "/opt/airflow/include/dbt_project"


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["week11", "taxi", "student:maria"],  # expect: ETQ102
)
def taxi_pipeline():
    @task(retries=2)
    def ingest(ds=None) -> int:
        month = ds[:7]
        url = f"https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_{month}.parquet"
        resp = requests.get(url, timeout=60)
        resp.raise_for_status()
        df = pd.read_parquet(io.BytesIO(resp.content))

        hook = PostgresHook(postgres_conn_id="azure_pg")
        engine = hook.get_sqlalchemy_engine()
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        df.head(0).to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(
                f'DELETE FROM "{SCHEMA}".raw_trips WHERE to_char(lpep_pickup_datetime, %s) = %s',
                ("YYYY-MM", month),
            )
        df.to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
        return len(df)

    dbt_run = BashOperator(
        task_id="dbt_run",
        bash_command=f"pip install --quiet dbt-postgres==1.10.* && dbt run --project-dir {DBT_DIR} --profiles-dir {DBT_DIR}",
        env={
            "PG_HOST": "{{ conn.azure_pg.host }}",
            "PG_USER": "{{ conn.azure_pg.login }}",
            "PG_PASSWORD": "{{ conn.azure_pg.password }}",
            "PG_DBNAME": "{{ conn.azure_pg.schema }}",
            "PG_SCHEMA": SCHEMA,
        },
        append_env=True,
    )

    ingest() >> dbt_run


taxi_pipeline()
