"""Maria's taxi pipeline, written for Airflow 2.9 on my laptop.

Ingests one month of green-taxi data into my schema and runs dbt.
"""

import io
from datetime import datetime, timedelta

import pandas as pd
import requests
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

SCHEMA = "airflow_maria"
DBT_DIR = "/opt/airflow/include/dbt_project"
URL = "https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_{month}.parquet"

default_args = {
    "owner": "maria",
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}


def ingest_month(ds, **_):
    month = ds[:7]
    resp = requests.get(URL.format(month=month), timeout=60)
    resp.raise_for_status()
    df = pd.read_parquet(io.BytesIO(resp.content))

    hook = PostgresHook(postgres_conn_id="azure_pg")
    engine = hook.get_sqlalchemy_engine()
    with hook.get_conn() as conn, conn.cursor() as cur:
        cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
    df.head(0).to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
    with hook.get_conn() as conn, conn.cursor() as cur:
        cur.execute(
            f'DELETE FROM "{SCHEMA}".raw_trips WHERE to_char(lpep_pickup_datetime, \'YYYY-MM\') = %s',
            (month,),
        )
    df.to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
    print(f"loaded {len(df)} rows for {month}")


with DAG(
    dag_id="taxi_pipeline",
    default_args=default_args,
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["week11", "taxi", "student:maria"],
) as dag:
    ingest = PythonOperator(
        task_id="ingest_month",
        python_callable=ingest_month,
    )

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

    ingest >> dbt_run
