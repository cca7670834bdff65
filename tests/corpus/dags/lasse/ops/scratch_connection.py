"""Create (or refresh) my own scratch connection, lasse_scratch.

The shared azure_pg connection is used by the whole class and must never be
touched from a DAG. For experiments I keep a personal connection instead;
its id starts with my name so nobody else depends on it.
"""

import json
from datetime import datetime

from airflow.models import Connection
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import BaseHook, dag, task
from airflow.utils.session import create_session

# This file is one folder deeper (dags/lasse/ops/), so Path(__file__).parent.name
# would say "ops". Spell the student name out instead.
STUDENT = "lasse"
SCRATCH_CONN_ID = f"{STUDENT}_scratch"


@dag(
    dag_id=f"{STUDENT}_scratch_connection",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["ops", f"student:{STUDENT}"],
)
def scratch_connection():
    @task()
    def copy_host_from_shared() -> dict:
        shared = BaseHook.get_connection("azure_pg")
        return {"host": shared.host, "port": shared.port or 5432}

    @task()
    def upsert_scratch(settings: dict) -> None:
        with create_session() as session:
            existing = session.query(Connection).filter(Connection.conn_id == SCRATCH_CONN_ID).one_or_none()
            if existing is not None:
                print(f"{SCRATCH_CONN_ID} already exists, leaving it alone")
                return
            session.add(Connection(conn_id=SCRATCH_CONN_ID, conn_type="postgres", host=settings["host"], port=settings["port"], extra=json.dumps({"sslmode": "require"})))

    test_scratch = BashOperator(
        task_id="test_scratch",
        bash_command=f"airflow connections get {SCRATCH_CONN_ID} -o json",
    )

    upsert_scratch(copy_host_from_shared()) >> test_scratch


scratch_connection()
