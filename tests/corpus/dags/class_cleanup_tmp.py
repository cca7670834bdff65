"""Teacher DAG: clean up temporary files that student DAGs leave in /tmp on
the shared VM, and vacuum the shared lookup table.
"""

from datetime import datetime

from airflow.operators.bash import BashOperator
from airflow.providers.postgres.operators.postgres import PostgresOperator
from airflow import DAG

with DAG(
    "class_cleanup_tmp",
    schedule="0 3 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    description="Nightly housekeeping on the shared VM",
) as dag:
    remove_old_parquet = BashOperator(
        task_id="remove_old_parquet",
        bash_command="find /tmp -maxdepth 1 -name '*.parquet' -mtime +2 -print -delete",
    )

    remove_old_csv = BashOperator(
        task_id="remove_old_csv",
        bash_command="find /tmp -maxdepth 1 -name '*.csv' -mtime +2 -print -delete",
    )

    disk_report = BashOperator(
        task_id="disk_report",
        bash_command="df -h /tmp /opt/airflow",
    )

    vacuum_zones = PostgresOperator(
        task_id="vacuum_zones",
        postgres_conn_id="azure_pg",
        sql="VACUUM ANALYZE public.zones",
        autocommit=True,
    )

    [remove_old_parquet, remove_old_csv] >> disk_report >> vacuum_zones
