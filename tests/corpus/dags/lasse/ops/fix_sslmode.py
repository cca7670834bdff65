"""My runs failed with 'SSL SYSCALL error', so this resets the connection
with sslmode=disable. Trigger manually.
"""

import os
from datetime import datetime

from airflow.models import Connection
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task
from airflow.utils.session import create_session

PG_HOST = "hyf-data-pg.postgres.database.azure.com"
PG_USER = os.environ.get("PG_USER", "lasse")
PG_PASSWORD = os.environ.get("PG_PASSWORD", "")


@dag(
    dag_id="lasse_fix_sslmode",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["ops", "student:lasse"],
)
def fix_sslmode():
    @task()
    def reset_connection() -> None:
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id == "azure_pg").delete()  # expect: ETQ401
            session.add(Connection(conn_id="azure_pg", conn_type="postgres", host=PG_HOST, login=PG_USER, password=PG_PASSWORD, port=5432, extra='{"sslmode": "disable"}'))  # expect: ETQ401
            session.commit()

    @task()
    def check() -> None:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        print(hook.get_first("SELECT version()"))

    reset_connection() >> check()


fix_sslmode()
