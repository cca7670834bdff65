"""Manual backfill for a range of months, triggered with params from the UI.

Uses the decorator under another name because this file also has a local
helper called ``dag_run_months``; keeping ``airflow_dag`` makes it obvious
which one is the Airflow decorator.
"""

import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import Param, get_current_context, task
from airflow.sdk import dag as airflow_dag

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).resolve().parent.name
SCHEMA = f"airflow_{STUDENT}"
BASE_URL = "https://d37ci6vzurychx.cloudfront.net/trip-data"


def dag_run_months(start: str, end: str) -> list[str]:
    """All YYYY-MM strings from start to end inclusive."""
    first = date.fromisoformat(start + "-01")
    last = date.fromisoformat(end + "-01")
    months = []
    while first <= last:
        months.append(first.strftime("%Y-%m"))
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return months


@airflow_dag(
    dag_id=f"{STUDENT}_taxi_backfill",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    params={
        "start_month": Param("2024-01", type="string"),
        "end_month": Param("2024-03", type="string"),
    },
    tags=["week11", "backfill", f"student:{STUDENT}"],
)
def taxi_backfill():
    @task()
    def months_to_load() -> list[str]:
        params = get_current_context()["params"]
        return dag_run_months(params["start_month"], params["end_month"])

    @task(max_active_tis_per_dag=2)
    def load_month(month: str) -> int:
        df = pd.read_parquet(f"{BASE_URL}/green_tripdata_{month}.parquet")
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(
            f'DELETE FROM "{SCHEMA}".raw_trips WHERE to_char(lpep_pickup_datetime, \'YYYY-MM\') = %s',
            parameters=(month,),
        )
        df.to_sql("raw_trips", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
        return len(df)

    load_month.expand(month=months_to_load())


taxi_backfill()
