"""Weekly grade summary for the course: a pipeline *about* students, whose constants say so.

None of STUDENT_TABLE, STUDENT_GITHUB or MAX_STUDENTS is the owner's name; the statements are
reusable templates whose schema is filled in from SCHEMA when a task runs.
"""

import os
from pathlib import Path
from string import Template

import pendulum
from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

STUDENT_TABLE = "students"
STUDENT_GITHUB = "sofia-codes"
MAX_STUDENTS = os.getenv("MAX_STUDENTS", "30")

DELETE_WEEK = 'DELETE FROM "{schema}".grades WHERE week = %s'
TRUNCATE_STAGE = 'TRUNCATE "%s".grades_stage'
FILL_STAGE = Template('INSERT INTO "${schema}".grades_stage SELECT * FROM scratch_grades')


@dag(
    dag_id=f"{STUDENT}_course_grades",
    schedule="@weekly",
    start_date=pendulum.datetime(2026, 9, 1, tz="Europe/Amsterdam"),
    catchup=False,
    tags=[f"student:{STUDENT}", "grades"],
)
def course_grades():
    @task
    def load(week: int) -> None:
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run("CREATE TEMP TABLE late_list (student_id int)")
        hook.run("SET search_path TO public")
        hook.run("INSERT INTO late_list SELECT student_id FROM submissions WHERE late")
        # a temporary table lives in the session's pg_temp, whatever the search path says
        hook.run("CREATE TEMP TABLE scratch_grades AS SELECT * FROM grades_export WHERE week = 1")
        hook.run("INSERT INTO pg_temp.scratch_grades SELECT * FROM grades_export WHERE week = 2")
        hook.run("UPDATE scratch_grades SET grade = grade + 1 WHERE late")
        hook.run(DELETE_WEEK.format(schema=SCHEMA), parameters=(week,))
        hook.run(TRUNCATE_STAGE % SCHEMA)
        hook.run(FILL_STAGE.substitute(schema=SCHEMA))
        hook.run(f'SELECT * FROM "{SCHEMA}".{STUDENT_TABLE} LIMIT {MAX_STUDENTS}')
        hook.run("DROP TABLE scratch_grades")

    load(week=1)


course_grades()
