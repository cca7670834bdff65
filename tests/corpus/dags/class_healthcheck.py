"""Teacher DAG: a tiny health check against the shared Postgres.

Runs every 30 minutes so the teacher notices quickly when the shared
database or the azure_pg connection stops working.
"""

from datetime import datetime, timedelta

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def report(**context):
    rows = context["ti"].xcom_pull(task_ids="ping_postgres")
    print(f"healthcheck result: {rows}")
    if not rows:
        raise ValueError("shared Postgres returned nothing for SELECT 1")


dag = DAG(
    "class_healthcheck",
    schedule=timedelta(minutes=30),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
)

ping = SQLExecuteQueryOperator(
    task_id="ping_postgres",
    conn_id="azure_pg",
    sql="SELECT 1 AS ok, now() AS checked_at",
    dag=dag,
)

count_zones = SQLExecuteQueryOperator(
    task_id="count_public_zones",
    conn_id="azure_pg",
    sql="SELECT count(*) FROM public.zones",
    dag=dag,
)

check = PythonOperator(
    task_id="report",
    python_callable=report,
    dag=dag,
)

[ping, count_zones] >> check
