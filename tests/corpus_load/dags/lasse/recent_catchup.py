"""Three small replays I run on purpose; each one catches up only a handful of runs.

Airflow 2 style. The weekly one covers one semester, the daily one has an end_date
two months after its start, and the manual one has no schedule at all.
"""

import os
from datetime import datetime
from pathlib import Path

from airflow.decorators import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_recent_weekly",
    schedule="@weekly",
    start_date=datetime(2026, 11, 2),
    end_date=datetime(2027, 6, 28),
    catchup=True,
    tags=["replay", f"student:{STUDENT}"],
)
def recent_weekly():
    @task()
    def summarise(ds=None) -> None:
        print(f"weekly summary for the week of {ds}")

    summarise()


@dag(
    dag_id=f"{STUDENT}_covid_window",
    schedule="@daily",
    start_date=datetime(2020, 1, 1),
    end_date=datetime(2020, 2, 29),
    catchup=True,
    max_active_runs=3,
    tags=["replay", f"student:{STUDENT}"],
)
def covid_window():
    @task()
    def replay_day(ds=None) -> None:
        print(f"replaying {ds}")

    replay_day()


@dag(
    dag_id=f"{STUDENT}_manual_replay",
    schedule=None,
    start_date=datetime(2020, 1, 1),
    catchup=True,
    tags=["replay", f"student:{STUDENT}"],
)
def manual_replay():
    @task()
    def replay(params=None) -> None:
        print(f"manual replay with {params}")

    replay()


recent_weekly()
covid_window()
manual_replay()
