"""Run the shared dbt project every morning against my schema."""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator

from ahmed.helpers import DBT_ENV, dbt_command, default_tags

with DAG(
    dag_id="ahmed_dbt_daily",
    schedule="0 6 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    dagrun_timeout=timedelta(hours=1),
    tags=default_tags("dbt"),  # expect: ETQ103
) as dag:
    begin = EmptyOperator(task_id="begin")

    deps = BashOperator(
        task_id="dbt_deps",
        bash_command="pip install --quiet dbt-postgres==1.10.* && " + dbt_command("deps"),
        env=DBT_ENV,
        append_env=True,
    )

    run_staging = BashOperator(
        task_id="dbt_run_staging",
        bash_command=dbt_command("run", "staging"),
        env=DBT_ENV,
        append_env=True,
    )

    run_marts = BashOperator(
        task_id="dbt_run_marts",
        bash_command=dbt_command("run", "marts"),
        env=DBT_ENV,
        append_env=True,
    )

    test = BashOperator(
        task_id="dbt_test",
        bash_command=dbt_command("test"),
        env=DBT_ENV,
        append_env=True,
    )

    begin >> deps >> run_staging >> run_marts >> test
