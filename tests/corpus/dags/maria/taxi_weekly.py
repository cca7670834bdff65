"""Weekly aggregate of my trips.

To test locally with `airflow dags test` I point the connection at my
laptop's Postgres through the environment.
"""

import os
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

os.environ["AIRFLOW_CONN_AZURE_PG"] = "postgresql://maria:maria@localhost:5432/taxi"  # expect: ETQ401

STUDENT = os.environ.get("AIRFLOW_STUDENT") or os.path.basename(os.path.dirname(__file__))
SCHEMA = f"airflow_{STUDENT}"


def weekly_totals(**context):
    hook = PostgresHook(postgres_conn_id="azure_pg")
    rows = hook.get_records(
        f'SELECT date_trunc(\'week\', lpep_pickup_datetime) AS week, count(*), sum(total_amount) '
        f'FROM "{SCHEMA}".raw_trips GROUP BY 1 ORDER BY 1 DESC LIMIT 4'
    )
    for week, trips, revenue in rows:
        print(f"{week:%Y-%m-%d}: {trips} trips, ${revenue:,.2f}")
    return len(rows)


with DAG(  # expect: ETQ102
    dag_id="maria-taxi-weekly",  # expect: ETQ101
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
) as dag:
    totals = PythonOperator(
        task_id="weekly_totals",
        python_callable=weekly_totals,
    )

    done = BashOperator(
        task_id="done",
        bash_command='echo "weekly totals finished for {{ ds }}"',
    )

    totals >> done
