"""Hourly pickups per borough for the current day (Airflow 2 style)."""

from datetime import datetime, timedelta

from airflow.models import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

default_args = {
    "owner": "ahmed",
    "depends_on_past": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=2),
}


def hourly_pickups(**context):
    hook = PostgresHook(postgres_conn_id="azure_pg")
    sql = """
        SELECT date_trunc('hour', t.lpep_pickup_datetime) AS hour, z.borough, count(*) AS pickups
        FROM raw_trips t
        JOIN public.zones z ON z.location_id = t."PULocationID"
        WHERE t.lpep_pickup_datetime >= %(start)s AND t.lpep_pickup_datetime < %(end)s
        GROUP BY 1, 2
        ORDER BY 1, 2
    """
    start = context["data_interval_start"]
    end = context["data_interval_end"]
    rows = hook.get_records(sql, parameters={"start": start, "end": end})
    for hour, borough, pickups in rows:
        print(hour, borough, pickups)
    return len(rows)


dag = DAG(  # expect: ETQ102
    "taxi_hourly",  # expect: ETQ101
    default_args=default_args,
    description="Hourly pickups per borough",
    schedule="@hourly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
)

start = EmptyOperator(task_id="start", dag=dag)
pickups = PythonOperator(task_id="hourly_pickups", python_callable=hourly_pickups, dag=dag)
end = EmptyOperator(task_id="end", dag=dag)

start >> pickups >> end
