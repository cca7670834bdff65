"""Air quality (PM2.5) for New York, stored next to my weather data."""

import os
from datetime import datetime

import requests
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.providers.postgres.operators.postgres import PostgresOperator
from airflow import DAG

OWNER = os.getenv("AIRFLOW_STUDENT", "noor")
SCHEMA = f"airflow_{OWNER}"
AQ_URL = "https://air-quality-api.open-meteo.com/v1/air-quality"


def fetch_pm25(ds: str, **_) -> None:
    resp = requests.get(
        AQ_URL,
        params={"latitude": 40.71, "longitude": -74.01, "hourly": "pm2_5", "start_date": ds, "end_date": ds},
        timeout=30,
    )
    resp.raise_for_status()
    hourly = resp.json()["hourly"]
    rows = list(zip(hourly["time"], hourly["pm2_5"]))
    hook = PostgresHook(postgres_conn_id="azure_pg")
    hook.insert_rows(table=f'"{SCHEMA}".air_quality', rows=rows, target_fields=["ts", "pm25"])


with DAG(
    dag_id=f"{OWNER}_air_quality",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["air-quality", f"student:{OWNER}"],
) as dag:
    create = PostgresOperator(
        task_id="create_table",
        postgres_conn_id="azure_pg",
        sql=f'CREATE TABLE IF NOT EXISTS "{SCHEMA}".air_quality (ts timestamp, pm25 numeric)',
    )

    clear_day = PostgresOperator(
        task_id="clear_day",
        postgres_conn_id="azure_pg",
        sql=f"DELETE FROM \"{SCHEMA}\".air_quality WHERE ts::date = '{{{{ ds }}}}'",
    )

    fetch = PythonOperator(task_id="fetch_pm25", python_callable=fetch_pm25)

    create >> clear_day >> fetch
