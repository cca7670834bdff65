"""Pools for my heavy copy jobs (Airflow 2 VM, where tasks may use the ORM).

My own pool is fine to manage; the rest of this file is me making room for
myself in pools everyone shares.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.decorators import dag, task
from airflow.models.pool import Pool
from airflow.operators.bash import BashOperator
from airflow.utils.session import create_session

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
COMPACT = "python /opt/airflow/include/scripts/compact_parquet.py"


@dag(
    dag_id=f"{STUDENT}_pools_admin",
    schedule="@weekly",
    start_date=datetime(2024, 9, 2),
    catchup=False,
    tags=["week12", "pools", f"student:{STUDENT}"],
)
def pools_admin():
    @task()
    def ensure_pools() -> None:
        Pool.create_or_update_pool("lasse_pool", slots=2, description="lasse heavy copies", include_deferred=False)
        # expect-below: ETQ405
        Pool.create_or_update_pool("big_pool", slots=16, description="more room", include_deferred=False)
        with create_session() as session:
            session.add(Pool(pool="gpu_pool", slots=1, description="for my lstm"))  # expect: ETQ405

    @task()
    def drop_scratch_pool() -> None:
        Pool.delete_pool("tmp_pool")  # expect: ETQ405

    heavy = BashOperator(task_id="heavy_copy", bash_command=COMPACT + " --big", pool="shared_pool")  # expect: ETQ607
    light = BashOperator(task_id="light_copy", bash_command=COMPACT, pool="lasse_pool")
    tiny = BashOperator(task_id="tiny_copy", bash_command=COMPACT + " --small", pool="default_pool")

    ensure_pools() >> drop_scratch_pool() >> [heavy, light, tiny]


pools_admin()
