"""ETQ102 owner-tag."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.dags import Verdict, known_tags, tag_verdict
from airflow_etiquette.analysis.values import Text
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule


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
                yield Report(dag.at(dag.node), f'DAG {name}has no tags; add tags=["{tag}"]')
                continue
            for value in dag.tags.values:
                if tag_verdict(value, tag) is Verdict.FAIL:
                    found = ", ".join(known_tags(value)) or "none"
                    yield Report(dag.at(dag.tags.node), f'tags must include "{tag}" (found {found})')
                    break


def _dag_name(values: object) -> str:
    if isinstance(values, tuple) and len(values) == 1 and isinstance(values[0], Text):
        return values[0].describe() + " "
    return ""
