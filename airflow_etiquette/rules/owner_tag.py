"""ETQ102 owner-tag."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Fix, Report
from airflow_etiquette.analysis.dags import DagDefinition, Verdict, known_tags, tag_verdict
from airflow_etiquette.analysis.rewrite import decorator_with_keyword, owned_text, with_element, with_keyword
from airflow_etiquette.analysis.values import Text
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


class OwnerTag(FileRule):
    code = "ETQ102"
    name = "owner-tag"
    severity = Severity.ERROR
    summary = "A DAG whose tags do not include `student:<owner>`."
    what = (
        "Checks that every DAG in `dags/<owner>/` has `student:<owner>` (the `owner-tag` setting) among\n"
        "its tags: a DAG with no `tags` at all, or with tags that name another owner only, is reported.\n"
        "Files directly in the dags folder and admins' files are skipped."
    )
    why = (
        "The tag filter is how everyone finds their own DAGs among thirty students' in the shared UI,\n"
        "and how the teacher sees whose DAG is failing. An untagged DAG is invisible to its owner's\n"
        "filter; a DAG tagged with a classmate's name shows up in their list, where they may pause it."
    )
    fix_note = (
        "The owner tag is added at the end of the tag list, or as `tags=[...]` where the DAG has none:\n"
        '`f"student:{STUDENT}"` where the module has a name that holds the owner from the path, else\n'
        '`"student:lasse"`. Safe: a tag changes no run. Tags that come from a constant, `**kwargs` or\n'
        "an expression are left for you to edit."
    )
    VALID = [
        Example(
            'from airflow.sdk import DAG\n\nwith DAG(dag_id="lasse_taxi", tags=["week11", "taxi", "student:lasse"]):\n    pass\n'
        ),
        Example(
            'from airflow import DAG\n\nCOMMON = {"tags": ["student:lasse"], "catchup": False}\n\n'
            'dag = DAG("lasse_taxi", **COMMON)\n'
        ),
        Example(
            "import os\nfrom pathlib import Path\n\nfrom airflow.sdk import dag\n\n"
            'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n\n'
            '@dag(dag_id=f"{STUDENT}_taxi", tags=["week12"] + ([f"student:{STUDENT}"] if STUDENT else []))\n'
            "def taxi():\n    pass\n"
        ),
    ]
    INVALID = [
        Example(
            'from airflow.decorators import dag\n\n@dag(dag_id="lasse_taxi_pipeline", schedule="@monthly")\n'
            "def taxi_pipeline():\n    pass\n",
            expect=((3, 'DAG "lasse_taxi_pipeline" has no tags; add tags=["student:lasse"]'),),
        ),
        Example(
            'from airflow.sdk import DAG\n\nwith DAG(\n    "lasse_taxi",\n    tags=["week11", "student:maria"],\n):\n    pass\n',
            expect=((5, 'tags must include "student:lasse" (found "week11", "student:maria")'),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        owner = file.student
        if owner is None:
            return
        tag = file.config.tag_for(owner)
        for dag in file.dags:
            if dag.tags.values is None:
                name = _dag_name(dag.dag_id.values)
                yield Report(
                    dag.at(dag.node),
                    f'DAG {name}has no tags; add tags=["{tag}"]',
                    fix=functools.partial(_fix, file, dag),
                )
                continue
            for value in dag.tags.values:
                if tag_verdict(value, tag) is Verdict.FAIL:
                    found = ", ".join(known_tags(value)) or "none"
                    yield Report(
                        dag.at(dag.tags.node),
                        f'tags must include "{tag}" (found {found})',
                        fix=functools.partial(_fix, file, dag),
                    )
                    break


def _dag_name(values: object) -> str:
    if isinstance(values, tuple) and len(values) == 1 and isinstance(values[0], Text):
        return values[0].describe() + " "
    return ""


def _fix(file: FileContext, dag: DagDefinition) -> Fix | None:
    """The owner tag added to the list written at the DAG, or ``tags=[...]`` added to it."""
    if file.owner is None or dag.call_site is not None:
        return None
    tag = file.config.tag_for(file.owner)
    before, found, after = tag.partition(file.owner)
    node = dag.tags.node
    new_tag = owned_text(file, before, after, node, dag.scope, dag.node) if found else None
    if new_tag is None:
        return None
    if isinstance(node, (cst.List, cst.Tuple)):
        return Fix(((node, with_element(node, new_tag)),))
    if node is not None or dag.tags.values is not None:
        return None  # a constant or an expression: not rewritten here
    tags = cst.List([cst.Element(new_tag)])
    if isinstance(dag.node, cst.Decorator):
        return Fix(((dag.node, decorator_with_keyword(dag.node, "tags", tags)),))
    if isinstance(dag.node, cst.Call) and not any(arg.star == "**" for arg in dag.node.args):
        return Fix(((dag.node, with_keyword(dag.node, "tags", tags)),))
    return None
