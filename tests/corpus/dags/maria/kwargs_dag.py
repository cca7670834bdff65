"""Tip analysis: what share of the fare do riders tip, per payment type?

All DAG settings live in one dict so I can reuse them in tests.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.models import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

from maria.sql.queries import TOP_PICKUP_ZONES

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

DAG_KWARGS = {
    "dag_id": "maria_tip_analysis",
    "schedule": "@daily",
    "start_date": datetime(2024, 1, 1),
    "catchup": False,
    "tags": ["week11", "tips", "student:maria"],
    "template_searchpath": ["/opt/airflow/dags/maria/sql"],
}

with DAG(**DAG_KWARGS) as dag:
    tip_share = SQLExecuteQueryOperator(
        task_id="tip_share",
        conn_id="azure_pg",
        params={"schema": SCHEMA},
        sql="""
            SELECT payment_type,
                   round(avg(tip_amount / nullif(fare_amount, 0)) * 100, 1) AS tip_pct
            FROM {{ params.schema }}.raw_trips
            WHERE date(lpep_pickup_datetime) = '{{ ds }}'
            GROUP BY payment_type
            ORDER BY payment_type
        """,
    )

    top_zones = SQLExecuteQueryOperator(
        task_id="top_pickup_zones",
        conn_id="azure_pg",
        sql=TOP_PICKUP_ZONES,
        params={"schema": SCHEMA},
    )

    tip_share >> top_zones
