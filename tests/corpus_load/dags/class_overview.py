"""Teacher's nightly overview of the class DAGs (Airflow 2 VM).

Owned by the teacher: it may rerun, wait on and reset things for the whole
class. Students: put your own DAGs in dags/<your-name>/.
"""

from datetime import datetime

from airflow.decorators import dag, task
from airflow.models import Pool, Variable
from airflow.operators.bash import BashOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sensors.external_task import ExternalTaskSensor


@dag(
    dag_id="class_nightly_overview",
    schedule="0 2 * * *",
    start_date=datetime(2026, 9, 1),
    catchup=False,
    max_active_runs=1,
    tags=["teacher", "class"],
)
def class_nightly_overview():
    @task()
    def prepare_week() -> None:
        Pool.create_or_update_pool("class_pool", slots=4, description="class-wide jobs", include_deferred=False)
        Variable.set("class_week", "12")

    wait_lasse = ExternalTaskSensor(task_id="wait_lasse", external_dag_id="lasse_taxi_pipeline", mode="reschedule")
    rerun_maria = TriggerDagRunOperator(task_id="rerun_maria", trigger_dag_id="maria_taxi_pipeline")
    pause_demo = BashOperator(task_id="pause_stream_demo", bash_command="airflow dags pause ahmed_stream_demo")

    prepare_week() >> wait_lasse >> [rerun_maria, pause_demo]


class_nightly_overview()
