"""ETQ405 pool-change: code that creates, resizes or deletes an Airflow Pool that is not the
owner's."""

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
    whose,
)
from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

POOL_METHODS = {"create_or_update_pool": "creates or resizes", "delete_pool": "deletes"}
SESSION_WRITES = frozenset({"add", "merge", "delete", "add_all"})


def _is_pool(name: str) -> bool:
    return name.startswith("airflow.") and (name.endswith(".Pool") or name.endswith(".pool.Pool"))


class PoolChange(FileRule):
    code = "ETQ405"
    reads_scripts = True
    name = "pool-change"
    severity = Severity.ERROR
    summary = "Code that creates, resizes or deletes a Pool whose name does not start with the owner's prefix."
    what = (
        "Reports, in a student's file, `Pool.create_or_update_pool` and `Pool.delete_pool`, a `Pool(...)`\n"
        "added, merged or deleted through a session, `airflow pools set|delete|import`, and REST API\n"
        "writes on `/pools`, for a pool whose name does not start with the owner's prefix (an import or\n"
        "a bulk change always). Using a pool in a task (`pool=`) is ETQ607's, where the teacher asks\n"
        "for it."
    )
    why = (
        "Pools are the scheduler's shared slots: `default_pool` and the class's pools decide how many\n"
        "tasks of everyone run at once. Resizing one, or deleting it, changes every classmate's\n"
        "throughput; a pool of your own (`lasse_pool`) changes only yours."
    )
    VALID = [
        Example(
            "from airflow.models import Pool\n\n\ndef setup():\n"
            '    Pool.create_or_update_pool("lasse_pool", slots=2, description="mine", include_deferred=False)\n'
        ),
    ]
    INVALID = [
        Example(
            "from airflow.models import Pool\n\n\ndef setup():\n"
            '    Pool.create_or_update_pool("default_pool", slots=64, description="more", include_deferred=False)\n',
            expect=(
                (
                    5,
                    'creates or resizes a shared Pool "default_pool" (Pool.create_or_update_pool): pools are the '
                    "scheduler's slots for everyone",
                ),
            ),
        ),
        Example(
            "from airflow.operators.bash import BashOperator\n\n"
            'BashOperator(task_id="grow", bash_command="airflow pools set big_pool 64 everything")\n',
            expect=((3, 'creates or resizes a shared Pool "big_pool" (airflow pools set)'),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        if file.student is None:
            return
        for call, scope in file.index.calls:
            func = call.func
            names = file.resolver.callee_names(call, scope)
            for name in names:
                head, _, method = name.rpartition(".")
                if method in POOL_METHODS and _is_pool(head):
                    for pool in exact_texts(file, call_argument(call, "name", 0), scope):
                        if not owns(file, pool):
                            yield Report(call, self._message(file, POOL_METHODS[method], pool, f"Pool.{method}"))
                            break
            if isinstance(func, cst.Attribute) and func.attr.value in SESSION_WRITES:
                for arg in call.args:
                    made = arg.value
                    if isinstance(made, cst.Call) and any(
                        _is_pool(n) for n in file.resolver.qualnames(made.func, scope)
                    ):
                        for pool in exact_texts(file, call_argument(made, "pool", 0), scope):
                            if not owns(file, pool):
                                action = "deletes" if func.attr.value == "delete" else "creates or resizes"
                                yield Report(call, self._message(file, action, pool, f"session.{func.attr.value}"))
                                break
        for command in airflow_commands(file, "pools", ("set", "delete", "import")):
            if command.verb == "import":
                yield Report(
                    command.node,
                    "imports Pools from a file (airflow pools import), which can resize every shared pool; ask "
                    "the teacher for a pool instead",
                )
                continue
            named = positional(command.words)
            if named is not None and not owns(file, named):
                action = "creates or resizes" if command.verb == "set" else "deletes"
                yield Report(command.node, self._message(file, action, named, f"airflow pools {command.verb}"))
        for write in api_writes(file):
            found = api_resource(write.url, "pools")
            if found is None or (found[1] is not None and owns(file, found[1])):
                continue
            if found[1] is None:
                if write.method == "POST":
                    continue  # the new pool's name is in the body: not guessed
                yield Report(write.node, f"changes Pools in bulk (REST API {write.method} /pools)")
                continue
            action = "deletes" if write.method == "DELETE" else "creates or resizes"
            yield Report(write.node, self._message(file, action, found[1], f"REST API {write.method}"))

    @staticmethod
    def _message(file: FileContext, action: str, pool: str, where: str) -> str:
        prefix = file.config.prefix_for(file.owner or "")
        return (
            f'{action} {whose(file, pool)} Pool "{pool}" ({where}): pools are the scheduler\'s slots for everyone; '
            f'use a pool of your own ("{prefix}...") or ask the teacher'
        )
