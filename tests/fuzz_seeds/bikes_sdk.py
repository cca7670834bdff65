"""Bike counts per station, Airflow 3 style (``airflow.sdk``), SQL through the common SQL operator."""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

with DAG(
    "bike_counts",
    schedule="@daily",
    start_date=datetime(2025, 9, 1),
    catchup=False,
    params={"schema": SCHEMA},
    tags=[f"student:{STUDENT}", "bikes"],
    template_searchpath=[str(Path(__file__).parent / "sql")],
):
    prepare = SQLExecuteQueryOperator(
        task_id="prepare",
        conn_id="azure_pg",
        sql="""
            CREATE TABLE IF NOT EXISTS {{ params.schema }}.bike_counts (
                station_id INTEGER,
                counted_on DATE,
                bikes INTEGER
            );
            DELETE FROM {{ params.schema }}.bike_counts WHERE counted_on = '{{ ds }}';
        """,
    )

    aggregate = SQLExecuteQueryOperator(
        task_id="aggregate",
        conn_id="azure_pg",
        sql=f"""
            INSERT INTO {SCHEMA}.bike_counts (station_id, counted_on, bikes)
            SELECT station_id, '{{{{ ds }}}}'::date, count(*)
            FROM public.bike_events  -- shared, read only
            WHERE event_time >= '{{{{ ds }}}}' AND event_time < '{{{{ next_ds }}}}'
            GROUP BY station_id;
        """,
    )

    @task
    def report(**context: object) -> None:
        print(f"bike counts for {context['ds']} are in {SCHEMA}.bike_counts")

    prepare >> aggregate >> report()
