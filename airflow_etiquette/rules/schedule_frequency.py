"""ETQ602 schedule-too-frequent: a schedule that runs more often than the shared scheduler allows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.timing import HOUR, Kind, dag_schedules, describe_seconds, schedule_of
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

_DAG = (
    "from datetime import datetime, timedelta\n\nfrom airflow.sdk import dag\n\n"
    '@dag(dag_id="lasse_taxi", schedule=SCHEDULE, start_date=datetime(2026, 1, 1), tags=["student:lasse"])\n'
    "def taxi():\n    pass\n\ntaxi()\n"
)


def _with(schedule: str) -> str:
    return _DAG.replace("SCHEDULE", schedule)


class ScheduleFrequency(FileRule):
    code = "ETQ602"
    name = "schedule-too-frequent"
    severity = Severity.ERROR
    summary = "A schedule that runs more often than the class allows (`min-schedule-interval`, default 5 minutes)."
    what = (
        "Reports a DAG whose schedule can start two runs closer together than `min-schedule-interval`\n"
        '(default "5m"): a cron string (read with croniter, the library Airflow uses; the shortest gap\n'
        "over a year counts, so `*/2 9-17 * * 1-5` is every 2 minutes), a preset, a `timedelta`, the\n"
        'cron and delta timetables, and `"@continuous"` (a new run as soon as one ends), through\n'
        "`schedule=`, `schedule_interval=` or `timetable=`, directly or through a constant. Asset and\n"
        "dataset schedules, other timetables and values the code computes are never guessed."
    )
    why = (
        "Every run of every DAG goes through the one shared scheduler, its executor slots and its\n"
        "metadata database. A DAG that runs every minute takes 1,440 runs a day of that: thirty of\n"
        "them and the class demo waits. A teacher who allows it says so in `min-schedule-interval`."
    )
    VALID = [
        Example(_with('"@hourly"')),
        Example(_with('"*/10 * * * *"')),
        Example(_with("timedelta(minutes=15)")),
        Example(_with("None")),
        Example(
            'from airflow.sdk import Asset, dag\n\n@dag(dag_id="lasse_report", schedule=[Asset("s3://lasse/zones")], '
            'tags=["student:lasse"])\ndef report():\n    pass\n\nreport()\n'
        ),
        Example(_with('"* * * * *"'), config={"min-schedule-interval": "1m"}),
    ]
    INVALID = [
        Example(
            _with('"* * * * *"'),
            expect=(
                (
                    5,
                    'schedule "* * * * *" starts a run every 1 minute; the shared scheduler allows one every 5 minutes at most',
                ),
            ),
        ),
        Example(_with('"@continuous"'), expect=((5, 'schedule "@continuous" starts a new run as soon as one ends'),)),
        Example(
            _with("timedelta(seconds=30)"),
            expect=((5, "schedule timedelta(seconds=30) starts a run every 30 seconds"),),
        ),
        Example(_with('"*/2 9-17 * * 1-5"'), expect=((5, "every 2 minutes"),)),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        allowed = file.config.min_schedule_interval
        start = dt.datetime(2026, 1, 1)  # the shortest gap of a cron schedule does not depend on the day
        for dag in file.dags:
            stated = dag_schedules(dag)
            if stated is None:
                continue  # the version's default: daily or none
            argument, keyword = stated
            for expression in argument.expressions:
                schedule = schedule_of(expression, file.resolver)
                if allowed <= HOUR and schedule.at_most_hourly():
                    continue  # the usual daily or monthly schedule: told without loading croniter
                gap = schedule.shortest_gap(start)
                if gap is None or gap >= allowed:
                    continue
                if schedule.kind is Kind.CONTINUOUS:
                    what = "starts a new run as soon as one ends"
                else:
                    what = f"starts a run every {describe_seconds(gap)}"
                yield Report(
                    dag.at(expression.at),
                    f"{keyword} {schedule.written} {what}; the shared scheduler allows one every "
                    f"{describe_seconds(allowed)} at most: use a slower schedule (or ask the teacher to "
                    "raise min-schedule-interval)",
                )
