"""Small helpers shared by my DAGs in dags/lasse/.

Not a DAG file: the DAGs import from here (``from lasse.helpers import ...``),
so the download and the idempotent load are written once.
"""

import io
import os
from pathlib import Path

import pandas as pd
import requests
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
TRIP_DATA = "https://d37ci6vzurychx.cloudfront.net/trip-data"


def month_url(month: str) -> str:
    """URL of the green-taxi parquet file for ``month`` (YYYY-MM)."""
    return f"{TRIP_DATA}/green_tripdata_{month}.parquet"


def download_month(month: str) -> pd.DataFrame:
    response = requests.get(month_url(month), timeout=120)
    response.raise_for_status()
    return pd.read_parquet(io.BytesIO(response.content))


def replace_month(trips: pd.DataFrame, month: str) -> int:
    """Delete the month from raw_trips in my schema, then append it again."""
    hook = PostgresHook(postgres_conn_id="azure_pg")
    engine = hook.get_sqlalchemy_engine()
    hook.run(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
    trips.head(0).to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False)
    hook.run(
        f'DELETE FROM "{SCHEMA}".raw_trips WHERE to_char(lpep_pickup_datetime, %s) = %s',
        parameters=("YYYY-MM", month),
    )
    trips.to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append", index=False, chunksize=10_000)
    return len(trips)


def profile_month(path: str) -> dict[str, int]:
    """Quick profile of a big month with polars (much faster than pandas on my laptop)."""
    import polars as pl  # expect: ETQ606

    frame = pl.read_parquet(path)
    return {"rows": frame.height, "columns": frame.width}
