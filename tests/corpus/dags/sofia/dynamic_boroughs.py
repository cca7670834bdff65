"""One small DAG per borough, each counting that borough's pickups per day.

Generated in a loop so adding a borough is a one-word change.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

for borough in ["manhattan", "brooklyn", "queens", "bronx"]:
    with DAG(
        dag_id=f"sofia_{borough}_pickups",
        schedule="@daily",
        start_date=datetime(2024, 1, 1),
        catchup=False,
        tags=["boroughs", "student:sofia", borough],
    ) as borough_dag:
        SQLExecuteQueryOperator(
            task_id="count_pickups",
            conn_id="azure_pg",
            params={"schema": SCHEMA, "borough": borough.title()},
            sql="""
                CREATE TABLE IF NOT EXISTS {{ params.schema }}.borough_pickups (borough text, day date, pickups bigint);
                DELETE FROM {{ params.schema }}.borough_pickups
                 WHERE borough = '{{ params.borough }}' AND day = '{{ ds }}';
                INSERT INTO {{ params.schema }}.borough_pickups
                SELECT z.borough, date(t.lpep_pickup_datetime), count(*)
                FROM {{ params.schema }}.raw_trips t
                JOIN public.zones z ON z.location_id = t."PULocationID"
                WHERE z.borough = '{{ params.borough }}' AND date(t.lpep_pickup_datetime) = '{{ ds }}'
                GROUP BY 1, 2;
            """,
        )
    globals()[f"sofia_{borough}_pickups"] = borough_dag
