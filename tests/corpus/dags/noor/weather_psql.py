"""Load a raw weather CSV with psql and a small Python loader script."""

import os
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCRIPTS = Path(__file__).parent / "scripts"

PSQL = (
    'psql "host={{ conn.azure_pg.host }} port={{ conn.azure_pg.port }} '
    'dbname={{ conn.azure_pg.schema }} user={{ conn.azure_pg.login }} sslmode=require"'
)

with DAG(
    dag_id=f"{STUDENT}_weather_psql",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["weather", f"student:{STUDENT}"],
) as dag:
    download = BashOperator(
        task_id="download_csv",
        bash_command="curl --fail -sS -o /tmp/noor_weather_{{ ds }}.csv https://example.org/weather/{{ ds }}.csv",
    )

    truncate = BashOperator(
        task_id="truncate_raw",
        bash_command="psql \"$PG_DSN\" -c 'TRUNCATE TABLE public.weather_raw'",  # expect: ETQ302
        env={"PG_DSN": "host={{ conn.azure_pg.host }} dbname={{ conn.azure_pg.schema }} user={{ conn.azure_pg.login }} password={{ conn.azure_pg.password }}"},
    )

    load = BashOperator(
        task_id="load_csv",
        bash_command=f"python {SCRIPTS}/load_weather.py /tmp/noor_weather_{{{{ ds }}}}.csv",
        env={"AIRFLOW_CONN_AZURE_PG": "postgresql://noor:{{ var.value.noor_pg_password }}@localhost:5432/weather"},  # expect: ETQ401
        append_env=True,
    )

    count = BashOperator(
        task_id="count_rows",
        bash_command=PSQL + " -c 'SELECT count(*) FROM public.zones'",
        env={"PGPASSWORD": "{{ conn.azure_pg.password }}"},
    )

    download >> truncate >> load >> count
