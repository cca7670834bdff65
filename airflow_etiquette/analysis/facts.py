"""What a file defines and uses, for the teacher's audit: its DAGs (id, schedule, catchup,
tags), the schemas and the connections it touches. Collected from the same analysis as the
findings, so the audit costs one parse per file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from airflow_etiquette.analysis.context import FileContext
from airflow_etiquette.analysis.dags import DagDefinition, argument, exact_dag_ids
from airflow_etiquette.analysis.sql import schema_uses
from airflow_etiquette.analysis.timing import backfill, dag_schedule, runs_per_day, scheduler_version
from airflow_etiquette.analysis.values import Falsy, Seq, Text

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

SCHEDULE_KEYWORDS = ("schedule", "schedule_interval", "timetable")
BACKFILL_COUNT = 1000  # counted exactly up to here, estimated beyond
_CONN_TEMPLATE = re.compile(r"\bconn\.([A-Za-z_][\w-]*)")


class DagFacts(NamedTuple):
    dag_ids: tuple[str, ...]  # every id it may have, when known exactly
    dynamic: str | None  # how the id is written when it is not known exactly
    schedule: str | None
    catchup: str | None
    tags: tuple[str, ...]  # every tag any of its definitions may have
    tags_by_id: tuple[tuple[str, ...], ...]  # per dag_id (loop-generated DAGs each get their own)
    runs_per_day: float | None = None  # what its schedule starts a day; None: unbounded or unknown
    backfill_runs: int = 0  # what catching up queues on the first parse, where the code states it all


class FileFacts(NamedTuple):
    dags: tuple[DagFacts, ...]
    schemas: tuple[str, ...]
    connections: tuple[str, ...]


def collect_facts(file: FileContext) -> FileFacts:
    version = scheduler_version(file.config.airflow_version, file.index)
    # a factory's template (defined here, called elsewhere) is listed at each call, not as a DAG
    made = [dag for dag in file.dags if not (dag.is_template and dag.from_parameters(dag.dag_id.node))]
    dags = tuple(_dag_facts(file, dag, version) for dag in made)
    return FileFacts(dags, tuple(sorted(_schemas(file))), tuple(sorted(_connections(file))))


def _dag_facts(file: FileContext, dag: DagDefinition, version: str | None) -> DagFacts:
    ids = exact_dag_ids(dag)
    dynamic = None
    if not ids or len(ids) != len(dag.dag_id.values or ()):
        dynamic = str(file.resolver.source(dag.dag_id.node)) if dag.dag_id.node is not None else "(unknown)"
    call = dag.node if isinstance(dag.node, cst.Call) else None
    schedule = catchup = None
    tags: list[str] = []
    if call is not None:
        scope = dag.scope
        for keyword in SCHEDULE_KEYWORDS:
            found = argument(call, keyword, None, scope, file.resolver)
            if found.values is not None:
                schedule = _describe(file, found.node, found.values)
                break
        found = argument(call, "catchup", None, scope, file.resolver)
        if found.values is not None:
            catchup = _describe(file, found.node, found.values)
    per_id: dict[str, list[str]] = {}
    id_values, tag_values = dag.dag_id.values or (), dag.tags.values or ()
    paired = len(id_values) == len(tag_values) > 1  # one DAG per loop value: ids and tags in step
    for id_value, tag_value in zip(id_values, tag_values, strict=False) if paired else ():
        if isinstance(id_value, Text) and id_value.exact:
            per_id.setdefault(id_value.exact, []).extend(_tag_list(tag_value))
    for value in tag_values:
        tags.extend(_tag_list(value))
    every = tuple(dict.fromkeys(tags))
    by_id = tuple(tuple(dict.fromkeys(per_id[i])) if i in per_id else every for i in ids)
    stated = dag_schedule(dag, file.resolver, version)
    per_day = runs_per_day(stated) if stated is not None else None
    queued = backfill(dag, file.resolver, version, file.config.catchup_by_default, BACKFILL_COUNT)
    return DagFacts(ids, dynamic, schedule, catchup, every, by_id, per_day, queued.runs if queued else 0)


def _tag_list(value: object) -> list[str]:
    if not isinstance(value, Seq):
        return []
    return [item.exact for item in value.items if isinstance(item, Text) and item.exact]


def _describe(file: FileContext, node: cst.CSTNode | None, values: tuple) -> str:  # type: ignore[type-arg]
    if len(values) == 1 and isinstance(values[0], Text) and values[0].exact is not None:
        return values[0].exact
    if len(values) == 1 and isinstance(values[0], Falsy) and values[0].source == "None":
        return "None"  # a factory's default reached through its parameter (schedule=None)
    return str(file.resolver.source(node)) if node is not None else "(from **kwargs)"


def _schemas(file: FileContext) -> set[str]:
    found: set[str] = set()
    for site in file.index.sites:
        if file.is_prose(site):
            continue
        for text in file.site_texts(site):
            found.update(use.schema for use in schema_uses(text, lambda use: False))
    for call, scope in file.index.calls:
        for arg in call.args:
            if arg.keyword is not None and "schema" in arg.keyword.value:
                found.update(t.exact for t in file.resolver.text_values(arg.value, scope) if t.exact)
    return {s for s in found if re.fullmatch(r"[A-Za-z_][\w$-]*", s)}


def _connections(file: FileContext) -> set[str]:
    found: set[str] = set()
    for call, scope in file.index.calls:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value.endswith("conn_id"):
                found.update(t.exact for t in file.resolver.text_values(arg.value, scope) if t.exact)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "get_connection" and call.args:
            found.update(t.exact for t in file.resolver.text_values(call.args[0].value, scope) if t.exact)
    for site in file.index.literals:
        for text in file.site_texts(site):
            if "conn." in text.render(lambda i: ""):
                found.update(_CONN_TEMPLATE.findall(text.render(lambda i: "")))
    return found
