"""One fetch task per city, the city list kept in an Airflow Variable (Airflow 3).

Cities fail a lot (rate limits), hence the extra retries.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Variable

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
FETCH = "python /opt/airflow/include/scripts/fetch_city.py --schema " + SCHEMA

with DAG(
    dag_id=f"{STUDENT}_city_tasks",
    schedule="@daily",
    start_date=datetime(2024, 3, 1),
    catchup=False,
    max_active_runs=1,
    tags=["week12", "cities", f"student:{STUDENT}"],
) as dag:
    for city in Variable.get("ahmed_cities", deserialize_json=True):  # expect: ETQ604
        BashOperator(task_id=f"fetch_{city}", bash_command=f"{FETCH} --city {city}", retries=8)  # expect: ETQ607
