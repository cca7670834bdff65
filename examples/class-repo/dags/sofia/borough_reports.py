"""One report DAG per borough, generated in a loop.

Each DAG counts that borough's pickups per day into my own schema. The
schema reaches the SQL through params, so the SQL itself names no schema.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
BOROUGHS = ["manhattan", "brooklyn", "queens"]

DAILY_PICKUPS_SQL = """
CREATE TABLE IF NOT EXISTS {{ params.schema }}.borough_pickups (borough text, day date, pickups bigint);
DELETE FROM {{ params.schema }}.borough_pickups WHERE borough = '{{ params.borough }}' AND day = '{{ ds }}';
INSERT INTO {{ params.schema }}.borough_pickups
SELECT z.borough, date(t.lpep_pickup_datetime), count(*)
FROM {{ params.schema }}.raw_trips t
JOIN public.zones z ON z.location_id = t."PULocationID"
WHERE lower(z.borough) = '{{ params.borough }}' AND date(t.lpep_pickup_datetime) = '{{ ds }}'
GROUP BY 1, 2;
"""

for borough in BOROUGHS:
    with DAG(
        dag_id=f"{STUDENT}_{borough}_report",
        schedule="@daily",
        start_date=datetime(2024, 1, 1),
        catchup=False,
        tags=["reports", borough, f"student:{STUDENT}"],
    ) as report_dag:
        SQLExecuteQueryOperator(
            task_id="daily_pickups",
            conn_id="azure_pg",
            params={"schema": SCHEMA, "borough": borough},
            sql=DAILY_PICKUPS_SQL,
        )
    globals()[report_dag.dag_id] = report_dag
