"""ETQ404 shared-variable-change: code that sets or deletes an Airflow Variable that is not the
owner's."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.analysis.actions import (
    airflow_commands,
    api_resource,
    api_writes,
    call_argument,
    exact_texts,
    owns,
    positional,
    whose,
)
from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

WRITERS = {"set": "sets", "delete": "deletes", "update": "updates", "setdefault": "sets"}


class SharedVariableChange(FileRule):
    code = "ETQ404"
    reads_scripts = True
    name = "shared-variable-change"
    severity = Severity.ERROR
    summary = "Code that sets or deletes an Airflow Variable whose name does not start with the owner's prefix."
    what = (
        "Reports, in a student's file, `Variable.set`, `Variable.delete`, `Variable.update` and\n"
        "`Variable.setdefault` (Airflow 2 and 3 imports) on a key that does not start with the owner's\n"
        "prefix (`lasse_`), `airflow variables set|delete` on such a key and `airflow variables import`\n"
        "(which can overwrite any), and REST API writes on `/variables`. Reading a Variable is never\n"
        "this rule's (at module level it is ETQ604's). Only keys known exactly are judged."
    )
    why = (
        "Variables live in the one metadata database the whole class shares, in one namespace: a\n"
        '`Variable.set("api_key", ...)` overwrites the value every other DAG that reads `api_key` gets,\n'
        "and nothing in their code changes. Prefixed keys (`lasse_last_run`) cannot collide."
    )
    VALID = [
        Example(
            "from airflow.sdk import Variable, task\n\n@task\ndef remember(run_id):\n"
            '    Variable.set("lasse_last_run", run_id)\n'
        ),
        Example('from airflow.models import Variable\n\n\ndef read():\n    return Variable.get("api_key")\n'),
    ]
    INVALID = [
        Example(
            'from airflow.sdk import Variable, task\n\n@task\ndef rotate(key):\n    Variable.set("api_key", key)\n',
            expect=(
                (
                    5,
                    'sets a shared Variable "api_key" (Variable.set): every DAG that reads it gets your value; '
                    'name your Variables with your prefix ("lasse_api_key")',
                ),
            ),
        ),
        Example(
            "from airflow.operators.bash import BashOperator\n\n"
            'BashOperator(task_id="reset", bash_command="airflow variables delete maria_threshold")\n',
            expect=((3, 'deletes maria\'s Variable "maria_threshold" (airflow variables delete)'),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        if file.student is None:
            return
        for call, scope in file.index.calls:
            names = file.resolver.callee_names(call, scope)
            method = next(
                (m for n in names for m in WRITERS if n.startswith("airflow.") and n.endswith(f"Variable.{m}")),
                None,
            )
            if method is None:
                continue
            for key in exact_texts(file, call_argument(call, "key", 0), scope):
                if not owns(file, key):
                    yield Report(call, self._message(file, WRITERS[method], key, f"Variable.{method}"))
                    break
        for command in airflow_commands(file, "variables", ("set", "delete", "import")):
            if command.verb == "import":
                yield Report(
                    command.node,
                    "imports Variables from a file (airflow variables import), which can overwrite every "
                    "classmate's Variables; set your own prefixed keys one by one instead",
                )
                continue
            named = positional(command.words)
            if named is not None and not owns(file, named):
                verb = "sets" if command.verb == "set" else "deletes"
                yield Report(command.node, self._message(file, verb, named, f"airflow variables {command.verb}"))
        for write in api_writes(file):
            found = api_resource(write.url, "variables")
            if found is None or (found[1] is not None and owns(file, found[1])):
                continue
            verb = "deletes" if write.method == "DELETE" else "sets"
            if found[1] is None:
                if write.method == "POST":
                    continue  # a new Variable's key is in the body, not the URL: not guessed
                yield Report(write.node, f"changes Variables in bulk (REST API {write.method} /variables)")
                continue
            yield Report(write.node, self._message(file, verb, found[1], f"REST API {write.method}"))

    @staticmethod
    def _message(file: FileContext, action: str, key: str, where: str) -> str:
        prefix = file.config.prefix_for(file.owner or "")
        return (
            f'{action} {whose(file, key)} Variable "{key}" ({where}): every DAG that reads it gets your value; '
            f'name your Variables with your prefix ("{prefix}{key}")'
        )
