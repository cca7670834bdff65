"""Clean up the zone lookup (trim names, fix 'NV' boroughs) and publish it
so the whole class can use the cleaned version.
"""

from datetime import datetime

import pandas as pd
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

from sofia.naming import build_dag_id

BOROUGH_FIXES = {"NV": "Unknown", "N/A": "Unknown", "EWR": "Newark Airport"}


@dag(
    dag_id=build_dag_id("zones_publish"),  # expect: ETQ103
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["zones", "student:sofia"],
)
def zones_publish():
    @task()
    def read_zones() -> list[dict]:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        df = hook.get_pandas_df("SELECT location_id, borough, zone, service_zone FROM public.zones")
        return df.to_dict(orient="records")

    @task()
    def clean_and_publish(records: list[dict]) -> int:
        df = pd.DataFrame.from_records(records)
        df["zone"] = df["zone"].str.strip()
        df["borough"] = df["borough"].replace(BOROUGH_FIXES)
        hook = PostgresHook(postgres_conn_id="azure_pg")
        df.to_sql(
            "zones_clean",
            hook.get_sqlalchemy_engine(),
            schema="public",  # expect: ETQ302
            if_exists="replace",
            index=False,
        )
        return len(df)

    clean_and_publish(read_zones())


zones_publish()
