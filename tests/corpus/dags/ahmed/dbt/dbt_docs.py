"""Generate the dbt docs site for my schema once a week.

Lives in dags/ahmed/dbt/ next to a couple of notes; my name is spelled
out because the folder name here is "dbt", not my name.
"""

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

STUDENT = "ahmed"
SCHEMA = f"airflow_{STUDENT}"
DBT_DIR = "/opt/airflow/include/dbt_project"
DOCS_TARGET = f"/tmp/{STUDENT}_dbt_docs"

with DAG(
    dag_id=f"{STUDENT}_dbt_docs",
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["dbt", "docs", f"student:{STUDENT}"],
) as dag:
    install = BashOperator(
        task_id="install_dbt",
        bash_command="pip install --quiet dbt-postgres==1.10.*",
    )

    generate = BashOperator(
        task_id="docs_generate",
        bash_command=f"dbt docs generate --project-dir {DBT_DIR} --profiles-dir {DBT_DIR} --target-path {DOCS_TARGET}",
        env={
            "PG_HOST": "{{ conn.azure_pg.host }}",
            "PG_USER": "{{ conn.azure_pg.login }}",
            "PG_PASSWORD": "{{ conn.azure_pg.password }}",
            "PG_DBNAME": "{{ conn.azure_pg.schema }}",
            "PG_SCHEMA": SCHEMA,
        },
        append_env=True,
    )

    archive = BashOperator(
        task_id="archive_docs",
        bash_command=f"tar -czf {DOCS_TARGET}.tgz -C {DOCS_TARGET} .",
    )

    install >> generate >> archive
