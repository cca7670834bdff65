"""The teacher's demo DAG for the shared class scheduler.

It keeps the DAG list from being empty before the first student merge and
shows what a tidy DAG looks like. Students: add your DAGs under
dags/<your-name>/ and leave this file alone.
"""

from datetime import datetime

from airflow.sdk import dag, task


@dag(
    dag_id="class_demo_hello",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["class-demo", "teacher", "week11"],
)
def class_demo_hello():
    @task()
    def count_students() -> int:
        # one folder per student under dags/; the demo just pretends
        return 4

    @task()
    def welcome(students: int) -> None:
        print(f"[class-demo] {students} students deploying to one scheduler. Be nice to it.")

    welcome(count_students())


class_demo_hello()
