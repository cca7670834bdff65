"""Sofia's taxi pipeline.

Loads one month of green-taxi trips into my schema and compares my row
count with Maria's, since we load the same months.
"""

import os
from datetime import datetime
from pathlib import Path

import pandas as pd
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
BASE_URL = "https://d37ci6vzurychx.cloudfront.net/trip-data"


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["week11", "taxi"],
)
def taxi_pipeline():
    @task()
    def ingest(ds=None) -> int:
        month = ds[:7]
        df = pd.read_parquet(f"{BASE_URL}/green_tripdata_{month}.parquet")
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
        df.head(0).to_sql("raw_trips", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
        hook.run(
            f'DELETE FROM "{SCHEMA}".raw_trips WHERE to_char(lpep_pickup_datetime, \'YYYY-MM\') = %s',
            parameters=(month,),
        )
        df.to_sql("raw_trips", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
        return len(df)

    compare_with_maria = SQLExecuteQueryOperator(
        task_id="compare_with_maria",
        conn_id="azure_pg",
        sql=f'SELECT (SELECT count(*) FROM "{SCHEMA}".raw_trips) AS mine, (SELECT count(*) FROM airflow_maria.raw_trips) AS marias',
    )

    ingest() >> compare_with_maria


taxi_pipeline()
