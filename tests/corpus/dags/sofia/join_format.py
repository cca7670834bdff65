"""Payment type breakdown per month.

dag_id built with str.join / str.format while I was practising string
methods in the Python refresher.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.decorators import dag, task
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = "airflow_{}".format(STUDENT)
DAG_ID = "_".join([STUDENT, "payment", "types"])
OWNER_TAG = "student:{}".format(STUDENT)

PAYMENT_TYPES = {1: "credit card", 2: "cash", 3: "no charge", 4: "dispute", 5: "unknown"}


@dag(
    dag_id=DAG_ID,
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["payments", OWNER_TAG],
)
def payment_types():
    @task()
    def breakdown(ds=None) -> dict:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        rows = hook.get_records(
            f'SELECT payment_type, count(*) FROM "{SCHEMA}".raw_trips '
            "WHERE to_char(lpep_pickup_datetime, 'YYYY-MM') = %s GROUP BY 1",
            parameters=(ds[:7],),
        )
        return {PAYMENT_TYPES.get(int(p), "other"): n for p, n in rows if p is not None}

    @task()
    def store(counts: dict, ds=None) -> None:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(f'CREATE TABLE IF NOT EXISTS "{SCHEMA}".payment_types (month text, payment text, trips bigint)')
        hook.run(f'DELETE FROM "{SCHEMA}".payment_types WHERE month = %s', parameters=(ds[:7],))
        for payment, trips in counts.items():
            hook.run(
                f'INSERT INTO "{SCHEMA}".payment_types VALUES (%s, %s, %s)',
                parameters=(ds[:7], payment, trips),
            )

    store(breakdown())


payment_types()
