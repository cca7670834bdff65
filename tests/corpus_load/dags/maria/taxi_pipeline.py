"""Daily yellow-taxi load into my schema (Airflow 2 style, classic operators).

pendulum for the start date, as the Airflow docs do it; three runs at a time
and five retries, which is what the teacher allows.
"""

import io
import os
from datetime import timedelta
from pathlib import Path

import pendulum
import pyarrow.parquet as pq
import requests
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
TRIP_DATA = "https://d37ci6vzurychx.cloudfront.net/trip-data"


def load_day(ds: str) -> int:
    resp = requests.get(f"{TRIP_DATA}/yellow_tripdata_{ds[:7]}.parquet", timeout=120)
    resp.raise_for_status()
    trips = pq.read_table(io.BytesIO(resp.content)).to_pandas()
    day = trips[trips["tpep_pickup_datetime"].dt.strftime("%Y-%m-%d") == ds]
    hook = PostgresHook(postgres_conn_id="azure_pg")
    hook.run(f'DELETE FROM "{SCHEMA}".raw_trips WHERE tpep_pickup_datetime::date = %s', parameters=(ds,))
    day.to_sql("raw_trips", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
    return len(day)


with DAG(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=3,
    default_args={"retries": 5, "retry_delay": timedelta(minutes=2)},
    tags=["week11", "taxi", f"student:{STUDENT}"],
) as dag:
    check = BashOperator(
        task_id="check_source",
        bash_command="curl -sfI https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_{{ ds[:7] }}.parquet",
    )
    load = PythonOperator(task_id="load", python_callable=load_day, op_kwargs={"ds": "{{ ds }}"})

    check >> load
