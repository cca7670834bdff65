"""Three versions of my "daily digest" DAG, each with a start date from the clock.

I wanted them to start today instead of in the past (Airflow 2 style).
"""

import os
from datetime import datetime, timedelta
from pathlib import Path

import pendulum
from airflow.decorators import dag, task
from airflow.utils import timezone

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
START_DATE = datetime.now() - timedelta(days=1)


@dag(
    dag_id=f"{STUDENT}_digest_v1",
    schedule="@daily",
    start_date=START_DATE,  # expect: ETQ603
    catchup=False,
    tags=["digest", f"student:{STUDENT}"],
)
def digest_v1():
    @task()
    def send(ds=None) -> None:
        print(f"digest for {ds}")

    send()


@dag(
    dag_id=f"{STUDENT}_digest_v2",
    schedule="@daily",
    start_date=pendulum.today("UTC"),  # expect: ETQ603
    catchup=False,
    tags=["digest", f"student:{STUDENT}"],
)
def digest_v2():
    @task()
    def send(ds=None) -> None:
        print(f"digest for {ds}")

    send()


@dag(
    dag_id=f"{STUDENT}_digest_v3",
    schedule="@daily",
    start_date=timezone.utcnow(),  # expect: ETQ603
    catchup=False,
    tags=["digest", f"student:{STUDENT}"],
)
def digest_v3():
    @task()
    def send(ds=None) -> None:
        print(f"digest for {ds} at {datetime.now():%H:%M}")

    send()


digest_v1()
digest_v2()
digest_v3()
