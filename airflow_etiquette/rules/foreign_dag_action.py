"""ETQ402 foreign-dag-action: code that triggers, clears, pauses or deletes another owner's DAG."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.actions import (
    airflow_commands,
    api_resource,
    api_writes,
    call_argument,
    exact_texts,
    owns,
    positional,
    whose_dag,
)
from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.dags import exact_dag_ids
from airflow_etiquette.analysis.model import imported_names
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    pass
else:
    pass

TRIGGER_OPERATORS = ("TriggerDagRunOperator",)
TRIGGER_FUNCTIONS = ("airflow.api.common.trigger_dag.trigger_dag",)
DAG_VERBS = ("pause", "unpause", "delete", "trigger", "clear", "backfill", "reserialize")
TASK_VERBS = ("clear",)


class ForeignDagAction(FileRule):
    code = "ETQ402"
    reads_scripts = True
    name = "foreign-dag-action"
    severity = Severity.ERROR
    summary = "Code that triggers, clears, pauses or deletes another owner's DAG."
    what = (
        "Reports, in a student's file, `TriggerDagRunOperator(trigger_dag_id=...)` with a dag_id that\n"
        "does not start with the owner's prefix; `airflow dags pause|unpause|delete|trigger|clear|\n"
        "backfill` and `airflow tasks clear` on such an id (in a `bash_command`, a subprocess, also\n"
        "written as a list of words, or a shell script in the dags folder); and REST API writes\n"
        "(POST, PATCH, PUT, DELETE) on `/api/v1|v2/dags/<id>` (trigger, pause, clear, delete). Only an\n"
        "id known exactly is judged; one built from values the code computes, a Jinja template\n"
        "rendered when the task runs (`{{ params.downstream }}`) or a shell variable is not guessed.\n"
        "Reading another DAG's state is ETQ403's. The teacher's files are not checked."
    )
    why = (
        "The chapter's etiquette on the shared scheduler: pause, trigger and clear only your own DAGs.\n"
        "A trigger runs a classmate's pipeline against their schema and quota, a clear re-runs their\n"
        "history, a pause stops their schedule, and none of it shows in their code."
    )
    VALID = [
        Example(
            "from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator\n\n"
            'report = TriggerDagRunOperator(task_id="report", trigger_dag_id="lasse_reporting")\n'
        ),
        Example(
            "from airflow.providers.standard.operators.bash import BashOperator\n\n"
            'BashOperator(task_id="pause", bash_command="airflow dags pause lasse_old_pipeline")\n'
        ),
        Example(
            "from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator\n\n"
            "# the id is rendered when the task runs: not known here, so not judged\n"
            'chosen = TriggerDagRunOperator(task_id="chosen", trigger_dag_id="{{ params.downstream }}")\n'
        ),
    ]
    INVALID = [
        Example(
            "from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator\n\n"
            'kick = TriggerDagRunOperator(task_id="kick", trigger_dag_id="maria_taxi_pipeline")\n',
            expect=(
                (
                    3,
                    'triggers maria\'s DAG "maria_taxi_pipeline" (TriggerDagRunOperator): act only on your own DAGs, '
                    'whose ids start with "lasse_"',
                ),
            ),
        ),
        Example(
            "from airflow.operators.bash import BashOperator\n\n"
            'BashOperator(task_id="quiet", bash_command="airflow dags pause maria_taxi_pipeline")\n',
            expect=((3, 'pauses maria\'s DAG "maria_taxi_pipeline" (airflow dags pause)'),),
        ),
        Example(
            'import subprocess\n\nsubprocess.run(["airflow", "dags", "unpause", "maria_taxi_pipeline"], check=True)\n',
            expect=((3, 'unpauses maria\'s DAG "maria_taxi_pipeline" (airflow dags unpause)'),),
        ),
        Example(
            'import requests\n\nrequests.post("http://airflow:8080/api/v2/dags/class_demo/dagRuns", json={})\n',
            expect=((3, 'triggers the DAG "class_demo", which is not named as yours (REST API POST)'),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        if file.student is None:
            return
        here = {dag_id for dag in file.dags for dag_id in exact_dag_ids(dag)}  # the file's own DAGs
        for call, scope in file.index.calls if _imports_a_trigger(file) else ():
            names = file.resolver.callee_names(call, scope)
            if any(n.startswith("airflow.") and n.endswith(TRIGGER_OPERATORS) for n in names):
                target = call_argument(call, "trigger_dag_id")
                where = "TriggerDagRunOperator"
            elif any(n in TRIGGER_FUNCTIONS for n in names):
                target = call_argument(call, "dag_id", 0)
                where = "trigger_dag"
            else:
                continue
            for triggered in exact_texts(file, target, scope):
                if not owns(file, triggered) and triggered not in here:
                    yield Report(call, self._message(file, "triggers", triggered, where))
                    break
        for group, verbs in (("dags", DAG_VERBS), ("tasks", TASK_VERBS)):
            for command in airflow_commands(file, group, verbs):
                dag_id = positional(command.words)
                others = [w for w in command.words if not w.startswith("-") and file.owners.prefixed(w)]
                candidates = ([dag_id] if dag_id else []) + others
                for candidate in candidates:
                    if not owns(file, candidate) and candidate not in here:
                        action = _ACTIONS.get(command.verb, command.verb + "s")
                        where = f"airflow {group} {command.verb}"
                        yield Report(command.node, self._message(file, action, candidate, where))
                        break
        for write in api_writes(file):
            found = api_resource(write.url, "dags")
            if found is None or found[1] is None or owns(file, found[1]) or found[1] in here:
                continue
            action = _api_action(write.method, write.url)
            yield Report(write.node, self._message(file, action, found[1], f"REST API {write.method}"))

    @staticmethod
    def _message(file: FileContext, action: str, dag_id: str, where: str) -> str:
        prefix = file.config.prefix_for(file.owner or "")
        return (
            f"{action} {whose_dag(file, dag_id)} ({where}): act only on your own DAGs, whose ids start "
            f'with "{prefix}"; ask its owner or the teacher'
        )


_ACTIONS = {
    "pause": "pauses",
    "unpause": "unpauses",
    "delete": "deletes",
    "trigger": "triggers",
    "clear": "clears",
    "backfill": "backfills",
    "reserialize": "reserializes",
}


def _api_action(method: str, url: str) -> str:
    if method == "DELETE":
        return "deletes"
    if "clearTaskInstances" in url:
        return "clears"
    if "dagRuns" in url or "/backfills" in url:
        return "triggers"
    return "changes"


def _imports_a_trigger(file: FileContext) -> bool:
    """Whether the file imports anything a trigger call could be reached through (the operator,
    trigger_dag, or the airflow package itself): resolving every call's name costs more."""
    return any(
        # the operator's or trigger_dag's path, or airflow or a package right below it (a path to them)
        "trigger" in module.lower()
        or (module.split(".")[0] == "airflow" and module.count(".") <= 1)
        or shown.endswith("*")
        for statement in file.index.imports
        for module, shown in imported_names(statement)
    )
