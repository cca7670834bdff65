"""Data quality checks: every pickup zone in my trips must exist in public.zones."""

import os
from datetime import datetime

from airflow.providers.common.sql.operators.sql import SQLCheckOperator, SQLExecuteQueryOperator
from airflow.sdk import DAG

STUDENT = os.environ.get("AIRFLOW_STUDENT") or os.path.basename(os.path.dirname(__file__))
SCHEMA = f"airflow_{STUDENT}"

with DAG(
    dag_id=f"{STUDENT}_zones_check",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["quality", f"student:{STUDENT}"],
):
    unknown_zones = SQLCheckOperator(
        task_id="no_unknown_zones",
        conn_id="azure_pg",
        sql=f"""
            SELECT count(*) = 0
            FROM "{SCHEMA}".raw_trips t
            LEFT JOIN public.zones z ON z.location_id = t."PULocationID"
            WHERE z.location_id IS NULL
        """,
    )

    negative_fares = SQLCheckOperator(
        task_id="no_negative_fares",
        conn_id="azure_pg",
        sql=f'SELECT count(*) = 0 FROM "{SCHEMA}".raw_trips WHERE fare_amount < 0',
    )

    record = SQLExecuteQueryOperator(
        task_id="record_check",
        conn_id="azure_pg",
        sql=f"""
            CREATE TABLE IF NOT EXISTS "{SCHEMA}".quality_log (checked_on date, ok boolean);
            INSERT INTO "{SCHEMA}".quality_log VALUES ('{{{{ ds }}}}', true);
        """,
    )

    [unknown_zones, negative_fares] >> record
