"""ETQ101 dag-id-prefix."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.dags import Verdict, prefix_verdict
from airflow_etiquette.analysis.values import Text, Value
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule


class DagIdPrefix(FileRule):
    code = "ETQ101"
    name = "dag-id-prefix"
    severity = Severity.ERROR
    summary = "A dag_id that does not start with its owner's prefix (`dags/lasse/` → `lasse_`)."
    what = (
        "Checks that every DAG defined in `dags/<owner>/` has a dag_id starting with `<owner>_` (the\n"
        "`dag-id-prefix` setting). The dag_id is worked out statically: literals, constants, f-strings,\n"
        "loops over literal lists, and the path-derived `STUDENT` idiom. A `@dag` without dag_id uses\n"
        "the function name. Airflow 3's `@asset` and `@asset.multi` each make a DAG too: its dag_id is\n"
        "`dag_id=`, else the asset's `name=`, else the function name. When one owner's name extends another's (`jan` and `jan_willem`), a dag_id\n"
        "of `jan` that starts with `jan_willem_` is reported too: it reads as the other owner's.\n"
        "Files directly in the dags folder and admins' files are skipped."
    )
    why = (
        "Thirty students deploying `taxi_pipeline` give the shared UI thirty rows with the same name,\n"
        "and two DAGs with the same dag_id silently replace each other: one student's DAG vanishes.\n"
        "The prefix keeps every owner's DAGs unique and sorted together."
    )
    VALID = [
        Example(
            "import os\nfrom pathlib import Path\nfrom airflow.sdk import dag\n\n"
            'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n\n'
            '@dag(dag_id=f"{STUDENT}_taxi_pipeline", tags=["week11", f"student:{STUDENT}"])\n'
            "def taxi_pipeline():\n    pass\n\ntaxi_pipeline()\n"
        ),
        Example(
            'from airflow import DAG\n\nfor city in ["amsterdam", "rotterdam"]:\n'
            '    with DAG(f"maria_{city}_weather", tags=["student:maria"]) as dag:\n        pass\n',
            path="dags/maria/weather.py",
        ),
        Example('def dag(dag_id):\n    return dag_id\n\ndag(dag_id="not_a_dag")\n'),
    ]
    INVALID = [
        Example(
            'from airflow.decorators import dag\n\n@dag(\n    dag_id="taxi_pipeline",\n'
            '    tags=["week11", "student:lasse"],\n)\ndef taxi_pipeline():\n    pass\n',
            expect=((4, 'dag_id "taxi_pipeline" must start with "lasse_" (file is in dags/lasse/)'),),
        ),
        Example(
            'from airflow.sdk import dag\n\n@dag(tags=["student:maria"])\ndef mariam_report():\n    pass\n',
            path="dags/maria/report.py",
            expect=((4, 'dag_id "mariam_report" must start with "maria_"'),),
        ),
        Example(
            'import airflow\n\nCITIES = ["ams", "rtm"]\nfor city in CITIES:\n'
            '    dag = airflow.DAG(dag_id=f"{city}_weather", tags=["student:lasse"])\n',
            expect=((5, 'dag_id "ams_weather", "rtm_weather" must start with "lasse_"'),),
        ),
        Example(
            'from airflow.sdk import asset\n\n@asset(schedule="@daily", tags=["student:lasse"])\n'
            "def raw_trips():\n    pass\n",
            expect=((4, 'dag_id "raw_trips" must start with "lasse_"'),),
        ),
        Example(
            'from airflow import DAG\n\ndag = DAG("jan_willem_taxi", tags=["student:jan"])\n',
            path="dags/jan/taxi.py",
            owners=("jan", "jan_willem"),
            expect=((3, 'dag_id "jan_willem_taxi" starts with "jan_willem_", the prefix of owner "jan_willem"'),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        owner = file.student
        if owner is None:
            return
        prefix = file.config.prefix_for(owner)
        for dag in file.dags:
            if dag.dag_id.values is None:
                yield Report(dag.at(dag.node), f'this DAG has no dag_id; give it one that starts with "{prefix}"')
                continue
            failing = [v for v in dag.dag_id.values if prefix_verdict(v, prefix) is Verdict.FAIL]
            if failing:
                shown = ", ".join(v.describe() for v in failing[:3] if isinstance(v, Text))
                more = f" (and {len(failing) - 3} more)" if len(failing) > 3 else ""
                parent = file.relpath.split("/")[-2]
                hint = ""
                if parent != owner and any(isinstance(v, Text) and v.prefix.startswith(parent) for v in failing):
                    # The path idiom names the immediate folder, not the owner, in a subfolder.
                    hint = f'; in a subfolder Path(__file__).parent.name is "{parent}", not "{owner}"'
                yield Report(
                    dag.at(dag.dag_id.node),
                    f'dag_id {shown}{more} must start with "{prefix}" (file is in {file.owner_directory}){hint}',
                )
                continue
            claimed = self._claimed(file, owner, dag.dag_id.values)
            if claimed is not None:
                value, other = claimed
                yield Report(
                    dag.at(dag.dag_id.node),
                    f'dag_id {value.describe()} starts with "{file.config.prefix_for(other)}", the prefix of owner '
                    f'"{other}"; name it "{prefix}..." without another owner\'s name after the prefix',
                )

    @staticmethod
    def _claimed(file: FileContext, owner: str, values: Sequence[Value]) -> tuple[Text, str] | None:
        """A dag_id of owner ``jan`` that reads as owner ``jan_willem``'s (``jan_willem_taxi``)."""
        own = file.config.prefix_for(owner)
        for value in values:
            if isinstance(value, Text):
                for other in file.owners.prefixed(value.prefix):
                    if other != owner and file.config.prefix_for(other).startswith(own):
                        return value, other
        return None
