"""ETQ403 foreign-dag-dependency: a sensor or marker that ties a DAG to another owner's DAG."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.analysis.actions import call_argument, exact_texts, owns, whose, whose_dag
from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.dags import exact_dag_ids
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

EXTERNAL = ("ExternalTaskSensor", "ExternalTaskMarker")


class ForeignDagDependency(FileRule):
    code = "ETQ403"
    name = "foreign-dag-dependency"
    severity = Severity.WARNING
    summary = "An ExternalTaskSensor or ExternalTaskMarker on another owner's DAG."
    what = (
        "Reports `ExternalTaskSensor` and `ExternalTaskMarker` (any import path) whose\n"
        "`external_dag_id` is known exactly and does not start with the owner's prefix. A marker\n"
        "also clears the other DAG's task when this one is cleared. The teacher's files are not\n"
        "checked."
    )
    why = (
        "A sensor on a classmate's DAG waits on their schedule, their renames and their failures:\n"
        "when they change their DAG, yours hangs until it times out, holding a worker slot of the\n"
        "shared scheduler. A marker goes further: clearing your task clears theirs."
    )
    VALID = [
        Example(
            "from airflow.providers.standard.sensors.external_task import ExternalTaskSensor\n\n"
            'wait = ExternalTaskSensor(task_id="wait", external_dag_id="lasse_ingest")\n'
        ),
    ]
    INVALID = [
        Example(
            "from airflow.sensors.external_task import ExternalTaskSensor\n\n"
            'wait = ExternalTaskSensor(task_id="wait", external_dag_id="maria_taxi_pipeline")\n',
            expect=(
                (
                    3,
                    'ExternalTaskSensor waits on maria\'s DAG "maria_taxi_pipeline": your DAG now depends on that '
                    "DAG's schedule and names; agree it with them, or wait on a DAG of your own",
                ),
            ),
        ),
        Example(
            "from airflow.sensors.external_task import ExternalTaskSensor\n\n"
            'wait = ExternalTaskSensor(task_id="wait", external_dag_id="class_demo")\n',
            expect=(
                (
                    3,
                    'ExternalTaskSensor waits on the DAG "class_demo", which is not named as yours: your DAG now '
                    "depends on that DAG's schedule and names; agree it with its owner, or wait on a DAG of your own",
                ),
            ),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        if file.student is None:
            return
        here = {dag_id for dag in file.dags for dag_id in exact_dag_ids(dag)}  # the file's own DAGs
        for call, scope in file.index.calls:
            names = file.resolver.callee_names(call, scope)
            kind = next((e for e in EXTERNAL for n in names if n.startswith("airflow.") and n.endswith(e)), None)
            if kind is None:
                continue
            for dag_id in exact_texts(file, call_argument(call, "external_dag_id"), scope):
                if not owns(file, dag_id) and dag_id not in here:
                    verb = "waits on" if kind == "ExternalTaskSensor" else "clears with this task"
                    them = "them" if whose(file, dag_id) != "a shared" else "its owner"
                    yield Report(
                        call,
                        f"{kind} {verb} {whose_dag(file, dag_id)}: your DAG now depends on that DAG's "
                        f"schedule and names; agree it with {them}, or wait on a DAG of your own",
                    )
                    break
