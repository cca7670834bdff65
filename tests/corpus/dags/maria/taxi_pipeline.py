"""Maria's taxi pipeline (week 11).

Downloads the monthly green taxi file, loads it into my schema and runs dbt.
"""

import io
from datetime import datetime, timedelta

import pandas as pd
import requests
from airflow.decorators import dag, task
from airflow.operators.bash import BashOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

SCHEMA = "airflow_maria"  # expect: ETQ301
DBT_DIR = "/opt/airflow/include/dbt_project"
URL_TEMPLATE = "https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_{}.parquet"

default_args = {
    "owner": "maria",
    "retries": 2,
    "retry_delay": timedelta(minutes=3),
}


@dag(
    dag_id="taxi_pipeline",  # expect: ETQ101
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args=default_args,
    tags=["week11", "taxi", "student:maria"],
)
def maria_taxi():
    @task()
    def download(ds=None) -> str:
        month = ds[:7]
        resp = requests.get(URL_TEMPLATE.format(month), timeout=60)
        resp.raise_for_status()
        path = f"/tmp/maria_green_{month}.parquet"
        with open(path, "wb") as fh:
            fh.write(resp.content)
        return path

    @task()
    def load(path: str, ds=None) -> int:
        df = pd.read_parquet(path)
        df = df[df["fare_amount"] >= 0]
        hook = PostgresHook(postgres_conn_id="azure_pg")
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
            cur.execute(
                f'DELETE FROM "{SCHEMA}".raw_trips WHERE date_trunc(\'month\', lpep_pickup_datetime) = %s::date',
                (ds[:7] + "-01",),
            )
        df.to_sql("raw_trips", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
        return len(df)

    dbt_build = BashOperator(
        task_id="dbt_build",
        bash_command=f"pip install --quiet dbt-postgres==1.10.* && dbt build --project-dir {DBT_DIR} --profiles-dir {DBT_DIR}",
        env={
            "PG_HOST": "{{ conn.azure_pg.host }}",
            "PG_USER": "{{ conn.azure_pg.login }}",
            "PG_PASSWORD": "{{ conn.azure_pg.password }}",
            "PG_SCHEMA": SCHEMA,
        },
        append_env=True,
    )

    load(download()) >> dbt_build


maria_taxi()
