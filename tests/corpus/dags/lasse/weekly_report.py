"""Weekly summary of my taxi data, joined with the shared zone lookup.

Written against Airflow 2.9 before the VM moved to Airflow 3; the classic
imports still work there through the compatibility shims.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

WEEKLY_SQL = f"""
    CREATE TABLE IF NOT EXISTS "{SCHEMA}".weekly_borough_summary (
        week_start date,
        borough text,
        trips bigint,
        avg_fare numeric
    );
    DELETE FROM "{SCHEMA}".weekly_borough_summary WHERE week_start = '{{{{ ds }}}}'::date;
    INSERT INTO "{SCHEMA}".weekly_borough_summary
    SELECT date_trunc('week', t.lpep_pickup_datetime)::date AS week_start,
           z.borough,
           count(*) AS trips,
           avg(t.fare_amount) AS avg_fare
    FROM "{SCHEMA}".raw_trips AS t
    JOIN public.zones AS z ON z.location_id = t."PULocationID"
    WHERE t.lpep_pickup_datetime >= '{{{{ ds }}}}'::date
      AND t.lpep_pickup_datetime < '{{{{ ds }}}}'::date + interval '7 days'
    GROUP BY 1, 2;
"""

default_args = {
    "owner": STUDENT,
    "retries": 1,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id=f"{STUDENT}_weekly_report",
    default_args=default_args,
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["week11", "reporting", f"student:{STUDENT}"],
) as dag:
    start = EmptyOperator(task_id="start")

    summarize = PostgresOperator(
        task_id="summarize_week",
        postgres_conn_id="azure_pg",
        sql=WEEKLY_SQL,
    )

    top_zones = PostgresOperator(
        task_id="peek_top_zones",
        postgres_conn_id="azure_pg",
        sql="SELECT zone, borough FROM public.zones ORDER BY location_id LIMIT 20",
    )

    start >> [summarize, top_zones]
