"""Sanity check: compare my row counts with a classmate's.

The chapter suggests comparing airflow_lasse.raw_trips with a classmate's
copy of the same month. Tags come from a Variable so I can change them
from the UI without a pull request.
"""

import logging
import os
from datetime import datetime
from pathlib import Path

from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.sdk import DAG, Variable, task

log = logging.getLogger(__name__)

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

with DAG(
    dag_id=f"{STUDENT}_compare_counts",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=Variable.get("lasse_tags", deserialize_json=True),  # expect: ETQ103, ETQ604
) as dag:
    my_count = SQLExecuteQueryOperator(
        task_id="my_count",
        conn_id="azure_pg",
        sql=f'SELECT count(*) FROM "{SCHEMA}".raw_trips',
    )

    classmate_count = SQLExecuteQueryOperator(
        task_id="classmate_count",
        conn_id="azure_pg",
        sql="SELECT count(*) FROM airflow_maria.raw_trips",  # expect: ETQ302
    )

    @task()
    def compare(mine, theirs) -> None:
        mine_n = mine[0][0]
        theirs_n = theirs[0][0]
        log.info("airflow_lasse.raw_trips has %s rows, classmate has %s", mine_n, theirs_n)
        if mine_n != theirs_n:
            log.warning("row counts differ by %s", abs(mine_n - theirs_n))

    compare(my_count.output, classmate_count.output)
