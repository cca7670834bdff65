"""What a DAG asks of the shared scheduler's clock: its start date, its schedule and whether it
catches up, read from the code without running it.

Only what the code states is read: a literal, a call such as ``datetime(2024, 1, 1)`` or
``timedelta(minutes=5)``, or a module constant bound to one. A value the code computes some other
way is unknown, and an unknown value is never guessed (the rules then say nothing). Schedules are
parsed with croniter, the library Airflow's own cron timetables use. croniter is loaded only where
runs are counted: its import (about 30 ms, most of it dateutil's time zones) would otherwise be a
sixth of a pre-commit run on one file, and a cron string is kept as written until then.
"""

from __future__ import annotations

import datetime as dt
import functools
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

from airflow_etiquette.analysis.dags import DagDefinition
from airflow_etiquette.analysis.model import ModuleIndex, Scope, dotted_name, walk
from airflow_etiquette.analysis.resolve import Resolver
from airflow_etiquette.analysis.values import Text, integer

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

MAX_FOLLOW = 8  # constants bound to constants, at most this deep
HOUR = 3600.0

# Calls that read the clock: a start_date built from one moves with every parse.
CLOCK_CALLS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "pendulum.now",
        "pendulum.today",
        "pendulum.yesterday",
        "pendulum.tomorrow",
        "pendulum.DateTime.now",
        "pendulum.DateTime.utcnow",
        "pendulum.DateTime.today",
        "airflow.utils.dates.days_ago",
        "airflow.utils.timezone.utcnow",
        "airflow.sdk.timezone.utcnow",
        "time.time",
    }
)
DATETIME_CONSTRUCTORS = frozenset(
    {
        "datetime.datetime",
        "datetime.date",
        "pendulum.datetime",
        "pendulum.DateTime",
        "pendulum.date",
        "airflow.utils.timezone.datetime",
        "airflow.sdk.timezone.datetime",
    }
)
DATETIME_PARSERS = frozenset({"pendulum.parse", "datetime.datetime.fromisoformat", "datetime.date.fromisoformat"})
DURATIONS = frozenset({"datetime.timedelta", "pendulum.duration", "pendulum.Duration"})
_DURATION_POSITIONS = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
_SECONDS = {
    "weeks": 604800.0,
    "days": 86400.0,
    "hours": 3600.0,
    "minutes": 60.0,
    "seconds": 1.0,
    "milliseconds": 0.001,
    "microseconds": 0.000001,
}
CRON_TIMETABLES = frozenset(
    {
        "airflow.timetables.trigger.CronTriggerTimetable",
        "airflow.timetables.interval.CronDataIntervalTimetable",
        "airflow.sdk.CronTriggerTimetable",
        "airflow.sdk.CronDataIntervalTimetable",
    }
)
DELTA_TIMETABLES = frozenset(
    {
        "airflow.timetables.interval.DeltaDataIntervalTimetable",
        "airflow.timetables.trigger.DeltaTriggerTimetable",
        "airflow.sdk.DeltaDataIntervalTimetable",
        "airflow.sdk.DeltaTriggerTimetable",
    }
)
# Airflow's cron presets (airflow/utils/dates.py, cron_presets).
PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


class Expression(NamedTuple):
    """An expression a DAG argument's value comes from (a constant followed to its assignment),
    and where a report about it belongs: the argument as the DAG call or default_args writes it."""

    node: cst.BaseExpression
    at: cst.CSTNode
    scope: Scope


class Argument(NamedTuple):
    """A DAG argument as written: its possible expressions; ``unknown`` when some of its values
    cannot be seen (``**kwargs``, a name bound by a loop or a parameter). Absent: neither."""

    expressions: tuple[Expression, ...] = ()
    unknown: bool = False

    @property
    def absent(self) -> bool:
        return not self.expressions and not self.unknown


def follow(expr: cst.BaseExpression, scope: Scope, at: cst.CSTNode, depth: int = 0) -> Argument:
    """The expressions ``expr`` may be: itself, or for a name, what its plain assignments bind."""
    if not isinstance(expr, cst.Name) or expr.value in ("None", "True", "False"):
        return Argument((Expression(expr, at, scope),))
    found = scope.lookup(expr.value)
    if found is None or depth >= MAX_FOLLOW:
        return Argument(unknown=True)
    bindings, owner = found
    out: list[Expression] = []
    unknown = False
    for binding in bindings:
        if binding.kind != "assign" or binding.value is None or binding.unpack:
            unknown = True
            continue
        more = follow(binding.value, owner, at, depth + 1)
        out.extend(more.expressions)
        unknown = unknown or more.unknown
    return Argument(tuple(out), unknown)


def dag_call(dag: DagDefinition) -> cst.Call | None:
    """The call that configures the DAG (``DAG(...)``, ``@dag(...)``); None for a bare ``@dag``."""
    return dag.node if isinstance(dag.node, cst.Call) else None


def call_argument(call: cst.Call, keyword: str, scope: Scope, position: int | None = None) -> Argument:
    """A keyword (or positional) argument of a call, constants followed; ``**spread`` is unknown
    unless a written-out dict in it names the keyword."""
    spread = Argument()
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return follow(arg.value, scope, arg.value)
        elif arg.star == "**":
            entry = dict_entry(arg.value, keyword, scope)
            spread = Argument(spread.expressions + entry.expressions, spread.unknown or entry.unknown)
            if entry.absent:
                continue
        elif arg.star == "*":
            position = None
        else:
            if position is not None and positional == position:
                return follow(arg.value, scope, arg.value)
            positional += 1
    return spread


def dict_entry(expr: cst.BaseExpression, key: str, scope: Scope) -> Argument:
    """What ``key`` is in a dict the code writes out (``{"retries": 2}``, ``dict(retries=2)``, or a
    constant bound to one); unknown where the dict itself is."""
    mapping = follow(expr, scope, expr)
    out: list[Expression] = []
    unknown = mapping.unknown
    for candidate in mapping.expressions:
        node = candidate.node
        if isinstance(node, cst.Name) and node.value == "None":
            continue
        if isinstance(node, cst.Dict):
            found: Argument | None = None
            spread = False
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    name = element.key.evaluated_value if isinstance(element.key, cst.SimpleString) else None
                    if name == key:
                        found = follow(element.value, candidate.scope, element.value)
                    elif name is None:
                        spread = True  # a computed key
                else:
                    spread = True
                    if found is None:
                        inner = dict_entry(element.value, key, candidate.scope)
                        if not inner.absent:
                            found = inner
                            spread = False
            if found is not None:
                out.extend(found.expressions)
                unknown = unknown or found.unknown
            elif spread:
                unknown = True
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
            entry = call_argument(node, key, candidate.scope)
            out.extend(entry.expressions)
            unknown = unknown or entry.unknown or any(a.keyword is None and a.star != "**" for a in node.args)
        else:
            unknown = True
    return Argument(tuple(out), unknown)


def dag_argument(dag: DagDefinition, keyword: str, from_default_args: bool = False) -> Argument:
    """A DAG's argument as its definition writes it; ``from_default_args``: else the entry of its
    ``default_args`` (what Airflow gives every task, and the DAG's own start_date)."""
    call = dag_call(dag)
    if call is None:
        return Argument()
    found = call_argument(call, keyword, dag.scope)
    if found.absent and from_default_args:
        defaults = call_argument(call, "default_args", dag.scope)
        for expression in defaults.expressions:
            entry = dict_entry(expression.node, keyword, expression.scope)
            found = Argument(found.expressions + entry.expressions, found.unknown or entry.unknown)
        if defaults.unknown:
            found = Argument(found.expressions, True)
    return found


# -- clocks and dates -------------------------------------------------------------------------


def clock_call(expression: Expression, resolver: Resolver) -> str | None:
    """The name of a clock-reading call the expression is built from (``datetime.now``), if any."""
    for node in walk(expression.node):
        if isinstance(node, cst.Call):
            for name in resolver.qualnames(node.func, expression.scope):
                if name in CLOCK_CALLS:
                    return name
    return None


def fixed_datetime(expression: Expression, resolver: Resolver) -> dt.datetime | None:
    """The moment ``datetime(2024, 1, 1)`` (or pendulum's, Airflow's timezone helper's, an ISO
    string parsed) names, without its timezone; None for anything else."""
    node = expression.node
    if not isinstance(node, cst.Call):
        return None
    name = resolver.qualname(node.func, expression.scope)
    if name in DATETIME_PARSERS and node.args:
        texts = resolver.values(node.args[0].value, expression.scope)
        if len(texts) == 1 and isinstance(texts[0], Text) and texts[0].exact:
            try:
                parsed = dt.datetime.fromisoformat(texts[0].exact)
            except ValueError:
                return None
            return parsed.replace(tzinfo=None)
        return None
    if name not in DATETIME_CONSTRUCTORS:
        return None
    order = ["year", "month", "day", "hour", "minute", "second"]
    fields = set(order)
    values: dict[str, int] = {}
    for position, arg in enumerate(node.args):
        if arg.star:
            return None
        key = arg.keyword.value if arg.keyword is not None else (order[position] if position < len(order) else None)
        if key not in fields:
            continue  # tz=, tzinfo=, microsecond=: no matter for counting runs
        number = integer(arg.value)
        if number is None:
            return None
        values[key] = number
    if not {"year", "month", "day"} <= set(values):
        return None
    try:
        return dt.datetime(
            values["year"], values["month"], values["day"], values.get("hour", 0), values.get("minute", 0)
        )
    except (ValueError, OverflowError):
        return None


def duration_seconds(expression: Expression, resolver: Resolver) -> float | None:
    """The length of ``timedelta(minutes=5)`` (or ``pendulum.duration``) in seconds."""
    node = expression.node
    if not isinstance(node, cst.Call) or resolver.qualname(node.func, expression.scope) not in DURATIONS:
        return None
    total = 0.0
    for position, arg in enumerate(node.args):
        if arg.star:
            return None
        key = arg.keyword.value if arg.keyword is not None else None
        if key is None:
            key = _DURATION_POSITIONS[position] if position < len(_DURATION_POSITIONS) else None
        if key == "months" or key == "years" or key not in _SECONDS:
            return None
        number = _number(arg.value)
        if number is None:
            return None
        total += number * _SECONDS[key]
    return total


def _number(node: cst.BaseExpression) -> float | None:
    whole = integer(node)
    if whole is not None:
        return float(whole)
    if isinstance(node, cst.Float):
        return float(node.value.replace("_", ""))
    return None


def truth_value(argument: Argument) -> bool | None:
    """``True`` or ``False``, where every expression the argument may be says the same."""
    if argument.unknown or not argument.expressions:
        return None
    seen = set()
    for expression in argument.expressions:
        node = expression.node
        if isinstance(node, cst.Name) and node.value in ("True", "False"):
            seen.add(node.value == "True")
        else:
            return None
    return seen.pop() if len(seen) == 1 else None


# -- schedules --------------------------------------------------------------------------------


class Kind(Enum):
    NONE = "none"  # None, "@once": no runs to catch up, nothing frequent
    CONTINUOUS = "continuous"  # "@continuous": a new run as soon as the last one ends
    CRON = "cron"
    INTERVAL = "interval"
    OTHER = "other"  # assets, datasets, other timetables, values the code computes


class Schedule(NamedTuple):
    kind: Kind
    written: str = ""  # how the code states it, for messages
    cron: str | None = None  # CRON: the expression (a preset resolved), not yet judged by croniter: see counted
    seconds: float | None = None  # INTERVAL: the length

    def counted(self) -> bool:
        """Whether its runs can be counted: an interval, or a cron string croniter accepts."""
        if self.kind is Kind.INTERVAL:
            return bool(self.seconds)
        return self.kind is Kind.CRON and self.cron is not None and _valid_cron(self.cron)

    def at_most_hourly(self) -> bool:
        """Whether the schedule as written cannot start runs less than an hour apart, told without
        croniter: a cron string whose minute field is one number (every preset, ``0 6 * * *``), or
        an interval of an hour or more. False says nothing: ``shortest_gap`` counts."""
        if self.kind is Kind.INTERVAL:
            return self.seconds is not None and self.seconds >= HOUR
        if self.kind is not Kind.CRON or self.cron is None:
            return False
        fields = self.cron.split()
        return len(fields) == 5 and fields[0].isascii() and fields[0].isdigit()

    def shortest_gap(self, start: dt.datetime) -> float | None:
        """The fewest seconds between two runs (over a year of a cron schedule), None if unknown."""
        if self.kind is Kind.INTERVAL:
            return self.seconds
        if self.kind is Kind.CONTINUOUS:
            return 0.0
        if not self.counted() or self.cron is None:
            return None
        return _cron_shortest_gap(self.cron, start)

    def runs_between(self, start: dt.datetime, end: dt.datetime, enough: int) -> tuple[int, bool]:
        """How many runs fall between ``start`` and ``end``: exact up to ``enough``, else an
        estimate from the spacing of the first ones (``True`` as the second value)."""
        if end <= start:
            return 0, False
        span = (end - start).total_seconds()
        if self.kind is Kind.INTERVAL and self.seconds:
            return int(span // self.seconds), False
        if not self.counted() or self.cron is None:
            return 0, False
        from croniter import croniter

        runs = croniter(self.cron, start - dt.timedelta(seconds=1))
        count = 0
        first = last = start
        while count <= enough:
            last = runs.get_next(dt.datetime)
            if last > end:
                return count, False
            if count == 0:
                first = last
            count += 1
        gap = (last - first).total_seconds() / (count - 1) if count > 1 else 0.0
        return (1 + int((end - first).total_seconds() / gap) if gap > 0 else count), True


@functools.lru_cache(maxsize=256)
def _cron_shortest_gap(cron: str, start: dt.datetime) -> float:
    """The shortest gap among a cron schedule's first runs: a frequent schedule shows it at once
    (``*/5 9-17 * * 1-5`` within two runs of its first morning)."""
    from croniter import croniter

    runs = croniter(cron, start)
    previous = runs.get_next(dt.datetime)
    shortest = float("inf")
    for _ in range(100):
        current = runs.get_next(dt.datetime)
        shortest = min(shortest, (current - previous).total_seconds())
        previous = current
    return shortest


def schedule_of(expression: Expression, resolver: Resolver) -> Schedule:
    """What one expression of a ``schedule``/``schedule_interval``/``timetable`` argument means."""
    node = expression.node
    written = resolver.source(node)
    if isinstance(node, cst.Name) and node.value == "None":
        return Schedule(Kind.NONE, "None")
    if isinstance(node, cst.Call):
        name = resolver.qualname(node.func, expression.scope)
        if name in DURATIONS:
            seconds = duration_seconds(expression, resolver)
            return Schedule(Kind.INTERVAL, str(written), seconds=seconds) if seconds else Schedule(Kind.OTHER)
        if name in CRON_TIMETABLES and node.args and not node.args[0].star:
            inner = Expression(node.args[0].value, expression.at, expression.scope)
            cron = _text(inner, resolver)
            return _cron(cron, str(written)) if cron is not None else Schedule(Kind.OTHER)
        if name in DELTA_TIMETABLES and node.args and not node.args[0].star:
            for inner in follow(node.args[0].value, expression.scope, expression.at).expressions:
                seconds = duration_seconds(inner, resolver)
                if seconds:
                    return Schedule(Kind.INTERVAL, str(written), seconds=seconds)
        return Schedule(Kind.OTHER)
    text = _text(expression, resolver)
    if text is None:
        return Schedule(Kind.OTHER)
    return _cron(text, f'"{text}"')


def _text(expression: Expression, resolver: Resolver) -> str | None:
    values = resolver.values(expression.node, expression.scope)
    if len(values) == 1 and isinstance(values[0], Text):
        return values[0].exact
    return None


def _cron(text: str, written: str) -> Schedule:
    text = text.strip()
    if text in ("@once", "None"):
        return Schedule(Kind.NONE, written)
    if text == "@continuous":
        return Schedule(Kind.CONTINUOUS, written)
    cron = PRESETS.get(text, text)
    if cron.startswith("@"):
        return Schedule(Kind.OTHER, written)
    return Schedule(Kind.CRON, written, cron=cron)  # croniter judges it where runs are counted (``counted``)


@functools.lru_cache(maxsize=256)
def _valid_cron(cron: str) -> bool:
    from croniter import croniter

    return bool(croniter.is_valid(cron))


SCHEDULE_KEYWORDS = ("schedule", "schedule_interval", "timetable")


def dag_schedules(dag: DagDefinition) -> tuple[Argument, str] | None:
    """The DAG's schedule argument and the keyword that states it; None when none is written
    (the version's default applies)."""
    call = dag_call(dag)
    if call is None:
        return None
    for keyword in SCHEDULE_KEYWORDS:
        found = call_argument(call, keyword, dag.scope)
        if not found.absent:
            return found, keyword
    return None


def scheduler_version(configured: str, index: ModuleIndex) -> str | None:
    """The Airflow major version the file is written for: the configured one, else "3" when it
    imports from ``airflow.sdk`` (Airflow 3's authoring interface); None when it cannot tell."""
    if configured in ("2", "3"):
        return configured
    for statement in index.imports:
        if isinstance(statement, cst.ImportFrom):
            module = dotted_name(statement.module) if statement.module is not None else None
            if module is not None and (module == "airflow.sdk" or module.startswith("airflow.sdk.")):
                return "3"
        else:
            for alias in statement.names:
                name = dotted_name(alias.name)
                if name is not None and (name == "airflow.sdk" or name.startswith("airflow.sdk.")):
                    return "3"
    return None


def default_schedule(version: str | None) -> Schedule | None:
    """The schedule of a DAG that states none: daily in Airflow 2, none in Airflow 3."""
    if version == "2":
        return Schedule(Kind.INTERVAL, "the default (daily)", seconds=86400.0)
    if version == "3":
        return Schedule(Kind.NONE, "the default (none)")
    return None


def describe_seconds(seconds: float) -> str:
    """``300`` as "5 minutes", ``86400`` as "1 day"."""
    for unit, size in (("day", 86400.0), ("hour", 3600.0), ("minute", 60.0)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} second{'s' if seconds != 1 else ''}"


class Backfill(NamedTuple):
    """What catching up asks of the scheduler on a DAG's first parse."""

    runs: int
    estimated: bool  # counted exactly up to a bound, then estimated from the spacing
    start: dt.datetime
    start_at: Expression  # where the start date is written
    schedule: Schedule
    by_default: bool  # catchup is not written: on by Airflow 2's default


def backfill(
    dag: DagDefinition, resolver: Resolver, version: str | None, catchup_by_default: bool, enough: int
) -> Backfill | None:
    """The runs a DAG with catchup on queues between its start date and today (or its end date);
    None when catchup is off, or anything it depends on is unknown (never guessed)."""
    catchup_argument = dag_argument(dag, "catchup")
    if catchup_argument.absent:
        if version != "2" or not catchup_by_default:
            return None  # off by default (Airflow 3, or the scheduler's setting), or the version is unknown
        by_default = True
    elif truth_value(catchup_argument) is True:
        by_default = False
    else:
        return None
    start_argument = dag_argument(dag, "start_date", from_default_args=True)
    if start_argument.unknown or len(start_argument.expressions) != 1:
        return None
    start_expression = start_argument.expressions[0]
    start = fixed_datetime(start_expression, resolver)
    if start is None:
        return None
    end = dt.datetime.now()
    end_argument = dag_argument(dag, "end_date", from_default_args=True)
    if not end_argument.absent:
        if end_argument.unknown or len(end_argument.expressions) != 1:
            return None
        written_end = fixed_datetime(end_argument.expressions[0], resolver)
        if written_end is None:
            return None
        end = min(end, written_end)
    schedule = dag_schedule(dag, resolver, version)
    if schedule is None or not schedule.counted():
        return None
    runs, estimated = schedule.runs_between(start, end, enough)
    return Backfill(runs, estimated, start, start_expression, schedule, by_default)


def dag_schedule(dag: DagDefinition, resolver: Resolver, version: str | None) -> Schedule | None:
    """The DAG's one schedule (the version's default where none is written); None when it may be
    several things or the version's default is unknown."""
    stated = dag_schedules(dag)
    if stated is None:
        return default_schedule(version)
    argument, _ = stated
    if argument.unknown or len(argument.expressions) != 1:
        return None
    return schedule_of(argument.expressions[0], resolver)


def runs_per_day(schedule: Schedule) -> float | None:
    """How many runs a day the schedule starts on average; None when unbounded (``@continuous``)
    or unknown."""
    if schedule.kind is Kind.NONE:
        return 0.0
    if schedule.kind is Kind.INTERVAL and schedule.seconds:
        return 86400.0 / schedule.seconds
    if not schedule.counted() or schedule.cron is None:
        return None
    return _cron_runs_per_day(schedule.cron)


@functools.lru_cache(maxsize=256)
def _cron_runs_per_day(cron: str) -> float:
    """Over a year (a yearly schedule counts once), or over its first 2,000 runs when it is more
    frequent than that (an hourly one covers 83 days, every minute 33 hours)."""
    from croniter import croniter

    start = dt.datetime(2026, 1, 1)
    end = start + dt.timedelta(days=365)
    runs = croniter(cron, start - dt.timedelta(seconds=1))
    first = last = runs.get_next(dt.datetime)
    if first >= end:
        return 0.0
    count = 1
    while count < 2000:
        last = runs.get_next(dt.datetime)
        if last >= end:
            return count / 365.0
        count += 1
    return (count - 1) / max((last - first).total_seconds() / 86400.0, 1e-9)
