"""ETQ103 unresolved."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.context import FileContext, Report
from airflow_etiquette.dags import Verdict, prefix_verdict, tag_verdict
from airflow_etiquette.findings import Severity
from airflow_etiquette.resolve import Seq, Text, Unknown, Value
from airflow_etiquette.rules.base import Example, Rule


class Unresolved(Rule):
    code = "ETQ103"
    name = "unresolved"
    severity = Severity.WARNING
    summary = "A dag_id or tags that cannot be decided without running the code."
    what = (
        "Warns when the dag_id or the tags of a DAG in `dags/<owner>/` depend on something that cannot\n"
        "be known from the source alone (an Airflow Variable, a function call, an environment variable\n"
        "without a default), so ETQ101 or ETQ102 cannot decide. Partial knowledge is enough:\n"
        '`f"lasse_{city}"` is known to start with `lasse_`, so it is not reported.'
    )
    why = (
        "What cannot be checked before the merge is checked by the shared scheduler instead, in front\n"
        "of everyone. Keeping the prefix and the owner tag literal (or path-derived) makes them\n"
        "reviewable."
    )
    VALID = [
        Example(
            'from airflow.sdk import dag\n\ndef build(city):\n'
            '    @dag(dag_id=f"lasse_{city}", tags=["student:lasse", city])\n    def weather():\n        pass\n'
            '    return weather()\n'
        ),
    ]
    INVALID = [
        Example(
            'from airflow.models import DAG, Variable\n\n'
            'dag = DAG(dag_id=Variable.get("taxi_dag_id"), tags=["student:lasse"])\n',
            expect=((3, 'dag_id cannot be determined statically (it depends on Variable.get("taxi_dag_id"))'),),
        ),
        Example(
            'from airflow.sdk import dag\nfrom team_config import TAGS\n\n'
            '@dag(dag_id="lasse_taxi", tags=TAGS)\ndef taxi():\n    pass\n',
            expect=((4, 'tags cannot be determined statically (they depend on TAGS)'),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        owner = file.student
        if owner is None:
            return
        prefix, tag = file.config.prefix_for(owner), file.config.tag_for(owner)
        for dag in file.dags:
            ids = dag.dag_id.values or ()
            verdicts = [prefix_verdict(v, prefix) for v in ids]
            if Verdict.UNDECIDED in verdicts and Verdict.FAIL not in verdicts:
                unknown = _unknown_part(v for v, verdict in zip(ids, verdicts) if verdict is Verdict.UNDECIDED)
                yield Report(
                    dag.at(dag.dag_id.node),
                    f"dag_id cannot be determined statically (it depends on {unknown}); "
                    f'make sure it starts with "{prefix}"',
                )
            tags = dag.tags.values
            if tags is None:
                continue
            tag_verdicts = [tag_verdict(v, tag) for v in tags]
            if Verdict.UNDECIDED in tag_verdicts and Verdict.FAIL not in tag_verdicts:
                unknown = _unknown_part(v for v, verdict in zip(tags, tag_verdicts) if verdict is Verdict.UNDECIDED)
                yield Report(
                    dag.at(dag.tags.node),
                    f'tags cannot be determined statically (they depend on {unknown}); make sure they include "{tag}"',
                )


def _unknown_part(values: Iterator[Value]) -> str:
    for value in values:
        if isinstance(value, Unknown):
            return value.source
        if isinstance(value, Text) and value.holes:
            return value.holes[0].source
        if isinstance(value, Seq):
            for item in value.items:
                if isinstance(item, Unknown):
                    return item.source
                if isinstance(item, Text) and item.holes:
                    return item.holes[0].source
            return "an unpacked value"
    return "a value that is not a string"
