"""Run the shared dbt project every morning against my schema (Airflow 3).

Through dbt's Python API instead of the CLI, so the task fails with dbt's own result.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
DBT_DIR = "/opt/airflow/include/dbt_project"


@dag(
    dag_id=f"{STUDENT}_dbt_daily",
    schedule="0 6 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["week11", "dbt", f"student:{STUDENT}"],
)
def dbt_daily():
    @task()
    def dbt_build() -> None:
        from dbt.cli.main import dbtRunner  # expect: ETQ606

        os.environ["PG_SCHEMA"] = SCHEMA
        result = dbtRunner().invoke(["build", "--project-dir", DBT_DIR, "--profiles-dir", DBT_DIR])
        if not result.success:
            raise RuntimeError(f"dbt build failed: {result.exception}")

    dbt_build()


dbt_daily()
