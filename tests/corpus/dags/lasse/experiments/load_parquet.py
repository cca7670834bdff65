"""Load the yellow-taxi parquet files too, not just green.

Writes to airflow_lasse.yellow_trips (my schema on the shared Postgres).
"""

import logging
from datetime import datetime

import pandas as pd
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

log = logging.getLogger(__name__)

YELLOW_URL = "https://d37ci6vzurychx.cloudfront.net/trip-data/yellow_tripdata_{month}.parquet"
KEEP_COLUMNS = [
    "tpep_pickup_datetime",
    "tpep_dropoff_datetime",
    "PULocationID",
    "DOLocationID",
    "fare_amount",
    "total_amount",
]


@dag(
    dag_id="lasse_yellow_parquet",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["experiments", "student:lasse"],
)
def yellow_parquet():
    @task()
    def load(ds=None) -> int:
        month = ds[:7]
        df = pd.read_parquet(YELLOW_URL.format(month=month), columns=KEEP_COLUMNS)
        hook = PostgresHook(postgres_conn_id="azure_pg")
        engine = hook.get_sqlalchemy_engine()
        # TODO: derive the schema from the folder like in taxi_pipeline.py
        df.to_sql(
            "yellow_trips",
            engine,
            schema="airflow_lasse",  # expect: ETQ301
            if_exists="append",
            index=False,
            chunksize=20_000,
        )
        log.info("appended %d rows to airflow_lasse.yellow_trips", len(df))
        return len(df)

    load()


yellow_parquet()
