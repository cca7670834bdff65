"""The teacher said the azure_pg password changes this week. This DAG pushes
the new password through the REST API so nobody has to do it by hand.
"""

import os
from datetime import datetime

import requests
from airflow.sdk import Variable, dag, task

AIRFLOW_API = os.environ.get("AIRFLOW_API", "http://localhost:8080")
API_USER = os.environ.get("AIRFLOW_API_USER", "student-sofia")
API_PASSWORD = os.environ.get("AIRFLOW_API_PASSWORD", "")


@dag(
    dag_id="sofia_conn_rotate",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["ops", "student:sofia"],
)
def conn_rotate():
    @task()
    def new_password() -> str:
        return Variable.get("sofia_new_pg_password")

    @task()
    def push(password: str) -> int:
        payload = {"conn_type": "postgres", "password": password}
        resp = requests.patch(f"{AIRFLOW_API}/api/v1/connections/azure_pg", json=payload, auth=(API_USER, API_PASSWORD), timeout=30)  # expect: ETQ401
        resp.raise_for_status()
        return resp.status_code

    @task()
    def verify() -> None:
        resp = requests.get(f"{AIRFLOW_API}/api/v1/health", timeout=10)
        print(resp.json())

    push(new_password()) >> verify()


conn_rotate()
