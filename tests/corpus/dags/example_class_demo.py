"""Class demo DAG, owned by the teacher.

It exists so the shared scheduler always has something to show, even on the
first day before anyone has merged a pull request. Students: please do not
edit this file, put your own DAGs in dags/<your-name>/.
"""

from datetime import datetime, timezone

from airflow.sdk import dag, task


@dag(
    dag_id="class_demo_clock",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["class-demo", "teacher"],
)
def class_demo_clock():
    @task()
    def what_time_is_it() -> str:
        now = datetime.now(timezone.utc)
        return now.strftime("%Y-%m-%d %H:%M:%S UTC")

    @task()
    def shout(stamp: str) -> None:
        print(f"[class-demo] the shared scheduler is alive at {stamp}")

    shout(what_time_is_it())


class_demo_clock()
