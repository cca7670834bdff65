"""Copy the shared zone lookup into my schema once a week so my dbt models
have a stable snapshot to join against.
"""

import os
from datetime import datetime
from pathlib import Path

import airflow
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


def snapshot_zones(ds: str, **_) -> None:
    hook = PostgresHook(postgres_conn_id="azure_pg")
    zones = hook.get_pandas_df("SELECT location_id, borough, zone, service_zone FROM public.zones")
    zones["snapshot_date"] = ds
    hook.run(f'CREATE TABLE IF NOT EXISTS "{SCHEMA}".zone_snapshots (location_id int, borough text, zone text, service_zone text, snapshot_date date)')
    hook.run(f'DELETE FROM "{SCHEMA}".zone_snapshots WHERE snapshot_date = %s', parameters=(ds,))
    zones.to_sql("zone_snapshots", hook.get_sqlalchemy_engine(), schema=SCHEMA, if_exists="append", index=False)
    print(f"snapshotted {len(zones)} zones for {ds}")


dag = airflow.DAG(
    dag_id=f"{STUDENT}_zones_snapshot",
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["zones", f"student:{STUDENT}"],
)

snapshot = PythonOperator(
    task_id="snapshot_zones",
    python_callable=snapshot_zones,
    dag=dag,
)
