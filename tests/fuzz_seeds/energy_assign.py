"""Energy prices: ``dag = DAG(...)`` assignment, a BashOperator running psql and a SQL file."""

import os
from datetime import datetime, timedelta

from airflow.models import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator

STUDENT = os.path.basename(os.path.dirname(__file__))
SCHEMA = "airflow_" + STUDENT
AREAS = {"dk1": "Vest", "dk2": "Øst"}

dag = DAG(
    dag_id="energy_prices",
    schedule=timedelta(hours=6),
    start_date=datetime(2025, 9, 1),
    catchup=False,
    tags=[":".join(["student", STUDENT]), "energy"],
)

download = BashOperator(
    task_id="download",
    bash_command="curl -sf https://example.org/prices.csv -o /tmp/{{ ds_nodash }}_prices.csv",
    dag=dag,
)

for area, label in AREAS.items():
    load = BashOperator(
        task_id=f"load_{area}",
        bash_command=(
            'psql "$AZURE_PG_URI" -c "\\copy '
            + SCHEMA
            + ".prices_"
            + area
            + " FROM '/tmp/{{ ds_nodash }}_prices.csv' CSV HEADER\""
        ),
        dag=dag,
    )
    summarise = PostgresOperator(
        task_id=f"summarise_{area}",
        postgres_conn_id="azure_pg",
        sql=f"""
            CREATE TABLE IF NOT EXISTS {SCHEMA}.daily_{area} AS
            SELECT date_trunc('day', hour) AS day, avg(price) AS price  -- {label}
            FROM {SCHEMA}.prices_{area}
            GROUP BY 1;
        """,
        dag=dag,
    )
    download >> load >> summarise
