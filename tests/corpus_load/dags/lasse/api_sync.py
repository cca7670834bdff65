"""Nightly sync with the course's practice API (Airflow 2 VM).

The base URL is an Airflow Variable so that I can point it at the mock server.
"""

import os
from datetime import datetime
from pathlib import Path

import requests
from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
API_URL = Variable.get("lasse_api_url")  # expect: ETQ604


def fetch_page(page: int, token: str = Variable.get("lasse_api_token")) -> dict:  # expect: ETQ604
    resp = requests.get(f"{API_URL}/trips", params={"page": page}, headers={"Authorization": token}, timeout=30)
    resp.raise_for_status()
    return resp.json()


def refresh_token() -> None:
    resp = requests.post(f"{API_URL}/token", json={"user": STUDENT}, timeout=30)
    resp.raise_for_status()
    Variable.set("api_key", resp.json()["token"])  # expect: ETQ404
    Variable.set("lasse_last_run", datetime.now().isoformat())


with DAG(
    dag_id=f"{STUDENT}_api_sync",
    schedule="@daily",
    start_date=datetime(2024, 9, 1),
    catchup=False,
    tags=["week12", "api", f"student:{STUDENT}"],
) as dag:
    health = BashOperator(task_id="health", bash_command='curl -sf "{{ var.value.lasse_api_url }}/health"')
    token = PythonOperator(task_id="refresh_token", python_callable=refresh_token)
    first_page = PythonOperator(task_id="first_page", python_callable=fetch_page, op_args=[1])

    health >> token >> first_page
