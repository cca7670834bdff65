"""ETQ607 resource-cap: a DAG or task that asks for more of the shared scheduler than the teacher
allows (caps set in the configuration; off by default)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.actions import exact_texts, owns
from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.model import Scope
from airflow_etiquette.analysis.timing import Argument, call_argument, dag_argument
from airflow_etiquette.analysis.values import integer
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

DAG_CAPS = (("max_active_runs", "max-active-runs"), ("max_active_tasks", "max-active-tasks"))
TASK_CAPS = (("retries", "max-retries"), ("priority_weight", "max-priority-weight"))
DEFAULT_POOL = "default_pool"

_CAPPED = {"max-active-runs": 3, "max-retries": 3, "require-timeouts": True, "own-pools-only": True}
_DAG = (
    "from datetime import timedelta\n\nfrom airflow.providers.standard.operators.bash import BashOperator\n"
    "from airflow.sdk import DAG\n\n"
    'with DAG("lasse_taxi", max_active_runs=RUNS, dagrun_timeout=timedelta(hours=1), tags=["student:lasse"]):\n'
    '    BashOperator(task_id="load", bash_command="load.sh", retries=RETRIES, pool=POOL,\n'
    "                 execution_timeout=timedelta(minutes=30))\n"
)


def _dag(runs: str = "1", retries: str = "2", pool: str = '"lasse_pool"') -> str:
    return _DAG.replace("RUNS", runs).replace("RETRIES", retries).replace("POOL", pool)


class ResourceCap(FileRule):
    code = "ETQ607"
    name = "resource-cap"
    severity = Severity.ERROR
    summary = "A DAG or task above a cap the teacher set (max_active_runs, retries, pools, timeouts); off by default."
    what = (
        "Checks what the teacher caps in the configuration, each off unless set: `max-active-runs`\n"
        "and `max-active-tasks` (a DAG's `max_active_runs`/`max_active_tasks` above the cap),\n"
        "`max-retries` and `max-priority-weight` (`retries`/`priority_weight` of an operator, a\n"
        "`@task(...)` or the DAG's `default_args`), `require-timeouts` (a DAG without\n"
        "`dagrun_timeout`, a task without `execution_timeout` when its DAG's `default_args` does not\n"
        "set one) and `own-pools-only` (a task's `pool=` that is neither `default_pool` nor named\n"
        "with the owner's prefix). Only values written as numbers or names are judged (directly or\n"
        "through a constant)."
    )
    why = (
        "The shared scheduler has a fixed number of slots. One DAG with `max_active_runs=50`, tasks\n"
        "that retry 20 times or run forever, or a task placed in another pool takes them from the\n"
        "whole class; the caps are the teacher's way to say how much one person may take."
    )
    VALID = [
        Example(_dag(), config=_CAPPED),
        Example(_dag(runs="10", retries="20", pool='"big_pool"')),  # no caps configured
    ]
    INVALID = [
        Example(
            _dag(runs="10", retries="20", pool='"shared_pool"'),
            config=_CAPPED,
            expect=(
                (6, "max_active_runs=10 is above the class's cap of 3 (max-active-runs)"),
                (7, "retries=20 is above the class's cap of 3 (max-retries)"),
                (7, 'pool "shared_pool" is not yours: use default_pool or a pool named "lasse_..." (own-pools-only)'),
            ),
        ),
        Example(
            "from airflow.sdk import dag, task\n\n"
            '@dag(dag_id="lasse_taxi", tags=["student:lasse"])\ndef taxi():\n'
            "    @task\n    def load():\n        pass\n\n    load()\n\ntaxi()\n",
            config={"require-timeouts": True},
            expect=((3, "the DAG has no dagrun_timeout (require-timeouts)"), (5, "the task has no execution_timeout")),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        config = file.config
        caps = {
            "max-active-runs": config.max_active_runs,
            "max-active-tasks": config.max_active_tasks,
            "max-retries": config.max_retries,
            "max-priority-weight": config.max_priority_weight,
        }
        if all(v is None for v in caps.values()) and not config.require_timeouts and not config.own_pools_only:
            return
        timeout_by_default = False
        for dag in file.dags:
            for keyword, key in (*DAG_CAPS, *TASK_CAPS):  # a task's cap also in the DAG's default_args
                argument = dag_argument(dag, keyword, from_default_args=(keyword, key) in TASK_CAPS)
                yield from _above(argument, keyword, key, caps[key], dag.at)
            if config.require_timeouts:
                if dag_argument(dag, "dagrun_timeout").absent:
                    yield Report(
                        dag.node,
                        "the DAG has no dagrun_timeout (require-timeouts): a run that hangs holds the shared "
                        "scheduler's slots forever; add dagrun_timeout=timedelta(hours=...)",
                    )
                if not dag_argument(dag, "execution_timeout", from_default_args=True).absent:
                    timeout_by_default = True
        for node, call, scope in _tasks(file):
            if call is not None:
                for keyword, key in TASK_CAPS:
                    yield from _above(call_argument(call, keyword, scope), keyword, key, caps[key], _here)
                if config.own_pools_only and file.student is not None:
                    for expression in call_argument(call, "pool", scope).expressions:
                        for name in exact_texts(file, expression.node, expression.scope):
                            if name != DEFAULT_POOL and not owns(file, name):
                                yield Report(
                                    expression.at,
                                    f'pool "{name}" is not yours: use default_pool or a pool named '
                                    f'"{config.prefix_for(file.student)}..." (own-pools-only)',
                                )
            if config.require_timeouts and not timeout_by_default:
                if call is None or call_argument(call, "execution_timeout", scope).absent:
                    yield Report(
                        node,
                        "the task has no execution_timeout (require-timeouts), and its DAG's default_args set "
                        "none: a task that hangs holds a worker slot of the shared scheduler; add "
                        "execution_timeout=timedelta(...)",
                    )


def _here(node: cst.CSTNode) -> cst.CSTNode:
    return node


def _tasks(file: FileContext) -> Iterator[tuple[cst.CSTNode, cst.Call | None, Scope]]:
    """Airflow's operator and sensor calls, and ``@task`` decorators (with their call, if any)."""
    for call, scope in file.index.calls:
        names = file.resolver.callee_names(call, scope)
        if any(n.startswith("airflow.") and n.endswith(("Operator", "Sensor")) for n in names):
            yield call, call, scope
    for function, scope in file.index.functions:
        for decorator in function.decorators:
            expr = decorator.decorator
            callee = expr.func if isinstance(expr, cst.Call) else expr
            names = file.resolver.qualnames(callee, scope)
            if any(n.startswith("airflow.") and (n.endswith(".task") or ".task." in n) for n in names):
                yield (expr, expr, scope) if isinstance(expr, cst.Call) else (decorator, None, scope)


def _above(
    argument: Argument, keyword: str, key: str, cap: int | None, at: Callable[[cst.CSTNode], cst.CSTNode]
) -> Iterator[Report]:
    """A report for each value of ``argument`` written as a number above ``cap``."""
    if cap is None:
        return
    for expression in argument.expressions:
        value = integer(expression.node)
        if value is not None and value > cap:
            yield Report(
                at(expression.at),
                f"{keyword}={value} is above the class's cap of {cap} ({key}): it takes the shared scheduler's "
                "slots from everyone else; ask the teacher if you need more",
            )
