"""Daily trip totals. Started from Ahmed's version of this DAG (thanks!)
and adapted to my folder.
"""

from datetime import datetime, timedelta

from airflow.models.dag import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook


def build_daily(**context):
    hook = PostgresHook(postgres_conn_id="azure_pg")
    with hook.get_conn() as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO airflow_ahmed.trips_daily (day, trips, revenue) "  # expect: ETQ302
            "SELECT date(lpep_pickup_datetime), count(*), sum(total_amount) "
            "FROM raw_trips WHERE date(lpep_pickup_datetime) = %s GROUP BY 1",
            (context["ds"],),
        )
        conn.commit()


def check_daily(**context):
    hook = PostgresHook(postgres_conn_id="azure_pg")
    count = hook.get_first("SELECT count(*) FROM raw_trips WHERE date(lpep_pickup_datetime) = %s", parameters=(context["ds"],))
    print(f"{context['ds']}: {count[0]} raw trips")


with DAG(
    dag_id="maria_trips_daily",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["archive", "student:maria"],
) as dag:
    check = PythonOperator(task_id="check_daily", python_callable=check_daily)
    build = PythonOperator(task_id="build_daily", python_callable=build_daily)

    check >> build
