"""Row-count checks for my tables, one folder down in dags/sofia/quality/.

The schema comes in through params, so the SQL files stay generic.
"""

from datetime import datetime

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator, SQLThresholdCheckOperator
from airflow.sdk import DAG

# Path(__file__).parent.name would be "quality" here, so my name is written out.
STUDENT = "sofia"
MY_SCHEMA = f"airflow_{STUDENT}"

with DAG(
    dag_id=f"{STUDENT}_row_counts",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    params={"schema": MY_SCHEMA},
    tags=["quality", "student:sofia"],
) as dag:
    enough_trips = SQLThresholdCheckOperator(
        task_id="enough_trips",
        conn_id="azure_pg",
        sql="SELECT count(*) FROM {{ params.schema }}.raw_trips WHERE date(lpep_pickup_datetime) = '{{ ds }}'",
        min_threshold=100,
        max_threshold=1_000_000,
    )

    zones_loaded = SQLThresholdCheckOperator(
        task_id="zones_loaded",
        conn_id="azure_pg",
        sql="SELECT count(*) FROM public.zones",
        min_threshold=250,
        max_threshold=300,
    )

    log_counts = SQLExecuteQueryOperator(
        task_id="log_counts",
        conn_id="azure_pg",
        sql="""
            CREATE TABLE IF NOT EXISTS {{ params.schema }}.row_count_log (day date, table_name text, n bigint);
            INSERT INTO {{ params.schema }}.row_count_log
            SELECT '{{ ds }}', 'raw_trips', count(*) FROM {{ params.schema }}.raw_trips;
        """,
    )

    [enough_trips, zones_loaded] >> log_counts
