"""One DAG per taxi colour, generated in a loop.

Each generated DAG loads a different TLC file into its own table in my schema.
"""

import os
from datetime import datetime
from pathlib import Path

import pandas as pd
from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
TAXI_COLORS = ["green", "yellow", "fhv"]
BASE = "https://d37ci6vzurychx.cloudfront.net/trip-data"


def load_color(color: str, ds: str, **_) -> int:
    df = pd.read_parquet(f"{BASE}/{color}_tripdata_{ds[:7]}.parquet")
    hook = PostgresHook(postgres_conn_id="azure_pg")
    table = f"raw_{color}_trips"
    df.head(0).to_sql(table, hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
    hook.run(f'TRUNCATE "{SCHEMA}".{table}')
    df.to_sql(table, hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
    return len(df)


for color in TAXI_COLORS:
    with DAG(
        dag_id=f"maria_{color}_taxi",
        schedule="@monthly",
        start_date=datetime(2024, 1, 1),
        catchup=False,
        tags=["week11", "dynamic", "student:maria", color],
    ) as dag:
        PythonOperator(
            task_id=f"load_{color}",
            python_callable=load_color,
            op_kwargs={"color": color},
        )

    globals()[dag.dag_id] = dag
