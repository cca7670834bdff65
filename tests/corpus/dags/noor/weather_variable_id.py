"""Rain vs. trips correlation. The dag_id lives in a Variable so I can rename
the DAG from the UI when I make a new version.
"""

from datetime import datetime

from airflow import DAG
from airflow.models import Variable
from airflow.operators.python import PythonOperator
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = "noor"
SCHEMA = f"airflow_{STUDENT}"


def rain_vs_trips(**context) -> float:
    hook = PostgresHook(postgres_conn_id="azure_pg")
    df = hook.get_pandas_df(
        f"""
        SELECT w.day, w.precipitation, count(t.*) AS trips
        FROM "{SCHEMA}".weather_daily w
        LEFT JOIN "{SCHEMA}".raw_trips t ON date(t.lpep_pickup_datetime) = w.day
        GROUP BY w.day, w.precipitation
        """
    )
    corr = df["precipitation"].corr(df["trips"])
    print(f"correlation between rain and trips: {corr:.3f}")
    return float(corr)


with DAG(
    dag_id=Variable.get("noor_rain_dag_id"),  # expect: ETQ103, ETQ604
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["weather", "analysis", "student:noor"],
) as dag:
    PythonOperator(task_id="rain_vs_trips", python_callable=rain_vs_trips)
