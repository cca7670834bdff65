"""ETQ601 backfill-storm: a DAG that catches up from far back queues hundreds of runs on the
shared scheduler the moment it is first parsed."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.timing import backfill, scheduler_version
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

_DAILY_2020 = (
    "from datetime import datetime\n\nfrom airflow.sdk import dag\n\n"
    '@dag(\n    dag_id="lasse_taxi",\n    schedule="@daily",\n    start_date=datetime(2020, 1, 1),\n'
    '    end_date=datetime(2025, 1, 1),\n    catchup=True,\n    tags=["student:lasse"],\n)\n'
    "def taxi():\n    pass\n\ntaxi()\n"
)  # an end date keeps the count (and so the documentation) the same whatever the day


class BackfillStorm(FileRule):
    code = "ETQ601"
    name = "backfill-storm"
    severity = Severity.ERROR
    summary = "Catchup from a start date so far back that the first parse queues more runs than the class allows."
    what = (
        "Counts the runs a DAG with catchup on queues when the scheduler first parses it: one per\n"
        "schedule interval from its `start_date` (in the DAG call or `default_args`, directly or through\n"
        "a constant) up to today, or to its `end_date`. More than `max-catchup-runs` (default 100) is\n"
        "reported at the start date, with the count. Schedules are cron strings (read with croniter,\n"
        "as Airflow does), presets, `timedelta` and the cron and delta timetables.\n"
        "\n"
        "Catchup's default differs by version: on in Airflow 2 (unless the scheduler's\n"
        "`catchup_by_default` is off: `catchup-by-default = false`), off in Airflow 3. The version is\n"
        '`airflow-version` ("2", "3"), else read from the file: one that imports `airflow.sdk` is\n'
        "Airflow 3. Where the version is unknown only an explicit `catchup=True` counts, and a value\n"
        "the code computes (a start date from a function, a schedule from a variable) is never guessed."
    )
    why = (
        "The class shares one scheduler and one metadata database. A daily DAG with\n"
        "`catchup=True` and `start_date=datetime(2020, 1, 1)` asks for about two thousand runs at once:\n"
        "the scheduler queues them all, every classmate's runs wait behind them, and each one writes\n"
        "to the shared Postgres. The fix is `catchup=False`, or a start date close to today."
    )
    VALID = [
        Example(_DAILY_2020.replace("catchup=True", "catchup=False")),
        Example(_DAILY_2020.replace('"@daily"', '"@yearly"')),  # six runs
        Example(
            "from datetime import datetime\n\nfrom airflow import DAG\n\n"
            'with DAG("lasse_taxi", schedule="@daily", start_date=datetime(2020, 1, 1), tags=["student:lasse"]):\n'
            "    pass\n"
        ),  # catchup not given, and nothing says which Airflow: not guessed
        Example(
            "from airflow.sdk import dag\n\nfrom lasse.dates import START\n\n"
            '@dag(dag_id="lasse_taxi", schedule="@daily", start_date=START, catchup=True, tags=["student:lasse"])\n'
            "def taxi():\n    pass\n\ntaxi()\n"
        ),  # a start date from elsewhere: unknown
    ]
    INVALID = [
        Example(
            _DAILY_2020,
            expect=((8, 'catchup=True with start_date 2020-01-01 and schedule "@daily" queues about'),),
        ),
        Example(
            "from datetime import datetime, timedelta\n\nfrom airflow import DAG\n\n"
            'ARGS = {"owner": "lasse", "start_date": datetime(2023, 6, 1)}\n\n'
            "with DAG(\n"
            '    "lasse_taxi",\n'
            "    default_args=ARGS,\n"
            "    schedule=timedelta(hours=1),\n"
            '    tags=["student:lasse"],\n'
            "):\n    pass\n",
            config={"airflow-version": "2"},
            expect=(
                (
                    5,
                    "catchup is on by default in Airflow 2, so start_date 2023-06-01 and schedule timedelta(hours=1) queues",
                ),
            ),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        config = file.config
        version = scheduler_version(config.airflow_version, file.index)
        allowed = config.max_catchup_runs
        for dag in file.dags:
            found = backfill(dag, file.resolver, version, config.catchup_by_default, allowed)
            if found is None or found.runs <= allowed:
                continue
            how = (
                "catchup is on by default in Airflow 2, so start_date"
                if found.by_default
                else "catchup=True with start_date"
            )
            yield Report(
                dag.at(found.start_at.at),
                f"{how} {found.start:%Y-%m-%d} and schedule {found.schedule.written} queues "
                f"{'about ' if found.estimated else ''}{found.runs:,} runs on the first parse (the shared scheduler "
                f"allows {allowed:,}): set catchup=False, or a start_date within the last {allowed:,} runs",
            )
