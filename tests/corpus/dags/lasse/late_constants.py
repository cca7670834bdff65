"""Zone-level trip counts, built by a small factory function.

The constants sit at the bottom of the module next to the factory call,
the way I like to read config: the logic first, the knobs last.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook


def count_trips_per_zone(schema: str, **context) -> None:
    hook = PostgresHook(postgres_conn_id="azure_pg")
    hook.run(f'CREATE TABLE IF NOT EXISTS "{schema}".zone_counts (zone text, trips bigint, day date)')
    hook.run(f'DELETE FROM "{schema}".zone_counts WHERE day = %s', parameters=(context["ds"],))
    hook.run(
        f'INSERT INTO "{schema}".zone_counts '
        f'SELECT z.zone, count(*), %s FROM "{schema}".raw_trips t '
        'JOIN public.zones z ON z.location_id = t."PULocationID" '
        "WHERE t.lpep_pickup_datetime::date = %s GROUP BY z.zone",
        parameters=(context["ds"], context["ds"]),
    )


def build_dag() -> DAG:
    with DAG(
        dag_id=DAG_ID,
        schedule="@daily",
        start_date=START,
        catchup=False,
        tags=TAGS,
    ) as built:
        PythonOperator(
            task_id="count_trips_per_zone",
            python_callable=count_trips_per_zone,
            op_kwargs={"schema": SCHEMA},
        )
    return built


STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
DAG_ID = STUDENT + "_zone_counts"
TAGS = ["week11", "zones", "student:" + STUDENT]
START = datetime(2024, 1, 1)

zone_counts = build_dag()
