"""Cluster the taxi zones by their hourly demand profile (Airflow 3, week 12 ML).

The connection is looked up once at the top for the SQLAlchemy URL.
"""

import os
from datetime import datetime
from pathlib import Path

import pandas as pd
from airflow.hooks.base import BaseHook
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import Variable, dag, task
from sklearn.cluster import KMeans  # expect: ETQ605

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
PG = BaseHook.get_connection("azure_pg")  # expect: ETQ604


@dag(
    dag_id=f"{STUDENT}_zone_clusters",
    schedule="@weekly",
    start_date=datetime(2025, 1, 6),
    catchup=False,
    max_active_runs=1,
    tags=["week12", "ml", f"student:{STUDENT}"],
)
def zone_clusters():
    @task()
    def cluster() -> int:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        profile = pd.read_sql(f'SELECT zone, hour, trips FROM "{SCHEMA}".hourly_profile', hook.get_sqlalchemy_engine())
        matrix = profile.pivot_table(index="zone", columns="hour", values="trips", fill_value=0)
        labels = KMeans(n_clusters=5, n_init="auto", random_state=0).fit_predict(matrix)
        out = pd.DataFrame({"zone": matrix.index, "cluster": labels})
        out.to_sql("zone_clusters", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="replace", index=False)
        print(f"clustered {len(out)} zones on {PG.host}")
        return len(out)

    @task()
    def remember(count: int) -> None:
        Variable.set("last_zone_refresh", f"{datetime.now():%Y-%m-%d} ({count} zones)")  # expect: ETQ404

    remember(cluster())


zone_clusters()
