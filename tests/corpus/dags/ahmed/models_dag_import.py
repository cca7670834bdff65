"""Export yesterday's trips to a CSV so I can open them in a notebook.

Reads the connection details with BaseHook so psql can use them too.
"""

import csv
import os
from datetime import datetime
from pathlib import Path

from airflow.hooks.base import BaseHook
from airflow.models.dag import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
EXPORT_DIR = Path("/tmp") / STUDENT


def describe_connection() -> None:
    conn = BaseHook.get_connection("azure_pg")
    print(f"using {conn.host}:{conn.port}/{conn.schema} as {conn.login}")


def export_day(ds: str, **_) -> str:
    hook = PostgresHook(postgres_conn_id="azure_pg")
    rows = hook.get_records(
        f'SELECT lpep_pickup_datetime, "PULocationID", "DOLocationID", total_amount '
        f'FROM "{SCHEMA}".raw_trips WHERE date(lpep_pickup_datetime) = %s',
        parameters=(ds,),
    )
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    target = EXPORT_DIR / f"trips_{ds}.csv"
    with target.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["pickup", "pu_zone", "do_zone", "total"])
        writer.writerows(rows)
    return str(target)


with DAG(
    dag_id="ahmed_export_csv",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["export", "student:ahmed"],
) as dag:
    describe = PythonOperator(task_id="describe_connection", python_callable=describe_connection)
    export = PythonOperator(task_id="export_day", python_callable=export_day)

    describe >> export
