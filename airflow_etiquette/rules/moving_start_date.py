"""ETQ603 moving-start-date: a start_date computed from the clock, which moves with every parse."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.timing import clock_call, dag_argument
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

_DAG = (
    "import pendulum\nfrom datetime import datetime, timedelta\n\nfrom airflow.sdk import dag\n\n"
    '@dag(dag_id="lasse_taxi", schedule="@daily", start_date=START, catchup=False, tags=["student:lasse"])\n'
    "def taxi():\n    pass\n\ntaxi()\n"
)


def _with(start: str) -> str:
    return _DAG.replace("START", start)


class MovingStartDate(FileRule):
    code = "ETQ603"
    name = "moving-start-date"
    severity = Severity.ERROR
    summary = "A start_date computed from the clock (`datetime.now()`, `days_ago(1)`), which moves with every parse."
    what = (
        "Reports a DAG's `start_date` (in the DAG call or its `default_args`, directly or through a\n"
        "constant) that is computed from the clock: `datetime.now()`, `datetime.utcnow()`,\n"
        "`datetime.today()`, `date.today()`, `pendulum.now()`, `pendulum.today()`,\n"
        "`pendulum.yesterday()`, `days_ago(...)`, `timezone.utcnow()`, or arithmetic on one of them\n"
        "(`datetime.now() - timedelta(days=1)`). Use a fixed date: `pendulum.datetime(2026, 1, 1,\n"
        'tz="UTC")`.'
    )
    why = (
        "The scheduler parses the file again every 30 seconds or so, and each parse moves the start\n"
        "date. Airflow's best-practice guide warns against it: the first data interval never closes,\n"
        "so scheduled runs may never start, or start at unexpected times, and every parse of the shared\n"
        "scheduler writes a changed DAG to the shared database. `days_ago` is gone in Airflow 3."
    )
    VALID = [
        Example(_with('pendulum.datetime(2026, 1, 1, tz="UTC")')),
        Example(_with("datetime(2026, 1, 1)")),
    ]
    INVALID = [
        Example(
            _with("datetime.now()"),
            expect=((6, "start_date datetime.now() moves with every parse of the scheduler (it reads the clock"),),
        ),
        Example(_with("datetime.now() - timedelta(days=1)"), expect=((6, "datetime.datetime.now"),)),
        Example(
            "from airflow import DAG\nfrom airflow.utils.dates import days_ago\n\n"
            'default_args = {"owner": "lasse", "start_date": days_ago(1)}\n\n'
            'with DAG("lasse_taxi", default_args=default_args, schedule="@daily", tags=["student:lasse"]):\n'
            "    pass\n",
            expect=((4, "start_date days_ago(1) moves with every parse"),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        reported: set[int] = set()
        for dag in file.dags:
            argument = dag_argument(dag, "start_date", from_default_args=True)
            for expression in argument.expressions:
                clock = clock_call(expression, file.resolver)
                where = dag.at(expression.at)
                if clock is None or id(where) in reported:
                    continue
                reported.add(id(where))
                yield Report(
                    where,
                    f"start_date {file.resolver.source(expression.node)} moves with every parse of the scheduler "
                    f"(it reads the clock through {clock}), so its first interval never closes and runs start "
                    'late or never: use a fixed date such as pendulum.datetime(2026, 1, 1, tz="UTC")',
                )
