"""Daily zone popularity. Copied from Sofia's DAG and trimmed down.

Only reads the shared zone lookup in public.
"""

import os
from datetime import datetime

from airflow.decorators import dag, task
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.getenv("AIRFLOW_STUDENT", "sofia")  # expect: ETQ105


@dag(
    dag_id=f"{STUDENT}_zone_popularity",  # expect: ETQ101
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["zones", f"student:{STUDENT}"],  # expect: ETQ102
)
def zone_popularity():
    @task()
    def top_zones() -> list:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        return hook.get_records(
            """
            SELECT z.borough, z.zone, z.service_zone
            FROM public.zones z
            WHERE z.borough NOT IN ('Unknown', 'N/A')
            ORDER BY z.borough, z.zone
            LIMIT 25
            """
        )

    @task()
    def show(rows: list) -> None:
        for borough, zone, service_zone in rows:
            print(f"{borough:<15} {zone:<40} {service_zone}")

    show(top_zones())


zone_popularity()
