"""Teacher DAG: refresh the shared taxi zone lookup in the public schema.

Every student pipeline joins against public.zones, so the teacher keeps it
fresh here. Students only read from public, they never write to it.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator

ZONES_CSV_URL = "https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv"
LOCAL_CSV = "/tmp/taxi_zone_lookup.csv"

default_args = {
    "owner": "teacher",
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

with DAG(
    dag_id="class_zones_refresh",
    description="Reload public.zones from the TLC lookup CSV",
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args=default_args,
    tags=["teacher", "shared-data"],
) as dag:
    download = BashOperator(
        task_id="download_zone_csv",
        bash_command=f"curl --fail --silent --show-error -o {LOCAL_CSV} {ZONES_CSV_URL}",
    )

    create_table = PostgresOperator(
        task_id="create_zones_table",
        postgres_conn_id="azure_pg",
        sql="""
            CREATE TABLE IF NOT EXISTS public.zones (
                location_id integer PRIMARY KEY,
                borough text,
                zone text,
                service_zone text
            )
        """,
    )

    truncate = PostgresOperator(
        task_id="truncate_zones",
        postgres_conn_id="azure_pg",
        sql="TRUNCATE TABLE public.zones",
    )

    load = BashOperator(
        task_id="load_zones",
        bash_command=(
            'psql "host={{ conn.azure_pg.host }} dbname={{ conn.azure_pg.schema }} '
            'user={{ conn.azure_pg.login }} sslmode=require" '
            f"-c \"\\copy public.zones FROM '{LOCAL_CSV}' WITH (FORMAT csv, HEADER true)\""
        ),
        env={"PGPASSWORD": "{{ conn.azure_pg.password }}"},
        append_env=True,
    )

    download >> create_table >> truncate >> load
