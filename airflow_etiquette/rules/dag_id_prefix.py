"""ETQ101 dag-id-prefix."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Fix, Report
from airflow_etiquette.analysis.dags import DagDefinition, Verdict, exact_dag_ids, prefix_verdict
from airflow_etiquette.analysis.rewrite import decorator_with_keyword, owned_text, with_keyword
from airflow_etiquette.analysis.values import Text, Value
from airflow_etiquette.config import OWNER_PLACEHOLDER
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

RENAME_IS_UNSAFE = (
    "the file exists where the change starts: renaming a dag_id the scheduler already knows starts a new DAG, "
    "and the old one's runs and history stay under the old id"
)


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
        "`dag_id=`, else the asset's `name=`, else the function name. When one owner's name extends\n"
        "another's (`jan` and `jan_willem`), a dag_id of `jan` that starts with `jan_willem_` is\n"
        "reported too: it reads as the other owner's. Files directly in the dags folder and admins'\n"
        "files are skipped."
    )
    why = (
        "Thirty students deploying `taxi_pipeline` give the shared UI thirty rows with the same name,\n"
        "and two DAGs with the same dag_id silently replace each other: one student's DAG vanishes.\n"
        "The prefix keeps every owner's DAGs unique and sorted together."
    )
    fix_note = (
        'A literal dag_id gets the owner\'s prefix: `f"{STUDENT}_taxi_pipeline"` where the module has a\n'
        'name that holds the owner from the path (the class\'s `STUDENT`), else `"lasse_taxi_pipeline"`\n'
        '(with a `dag-id-prefix` like `"team_{owner}__"`, the whole template: `f"team_{STUDENT}__taxi"`);\n'
        'the suffix form `f"taxi_pipeline_{STUDENT}"` becomes `f"{STUDENT}_taxi_pipeline"`; a `@dag`\n'
        "without a dag_id gets one, and so does an `@asset(name=...)` (its name stays: it is the\n"
        "asset's too). Safe for a file the change adds; unsafe (`--unsafe-fixes`) for a\n"
        "file that exists where the change starts, because renaming a dag_id the scheduler already\n"
        "knows starts a new DAG and leaves the old runs under the old id. An id built in a loop, a\n"
        "factory or a constant defined elsewhere is left for you to rename, and so is a DAG whose\n"
        "prefixed id another DAG already has or would get (in this file, another, or another fix)."
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
                derives = "__file__" in file.index.name_uses  # the path idiom, in some form
                if (
                    derives
                    and parent != owner
                    and any(isinstance(v, Text) and v.prefix.startswith(parent) for v in failing)
                ):
                    # The path idiom names the immediate folder, not the owner, in a subfolder.
                    hint = f'; in a subfolder Path(__file__).parent.name is "{parent}", not "{owner}"'
                yield Report(
                    dag.at(dag.dag_id.node),
                    f'dag_id {shown}{more} must start with "{prefix}" (file is in {file.owner_directory}){hint}',
                    fix=functools.partial(self._fix, file, dag, failing),
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
    def _fix(file: FileContext, dag: DagDefinition, failing: Sequence[Value]) -> Fix | None:
        """The prefixed dag_id, where the id is one string written at the DAG (or its function's
        name under ``@dag``)."""
        owner = file.owner
        if owner is None or dag.call_site is not None or len(failing) != 1 or len(dag.dag_id.values or ()) != 1:
            return None
        value = failing[0]
        exact = value.exact if isinstance(value, Text) else None
        node = dag.dag_id.node
        if exact is None or not exact:
            return None
        prefix = file.config.prefix_for(owner)
        # the template around the owner: "team_{owner}__" is "team_" + owner + "__"
        before, _, after = file.config.dag_id_prefix.partition(OWNER_PLACEHOLDER)
        rest = _without_owner(exact, owner, before)
        if prefix + rest in file.taken_dag_ids or prefix + rest in {i for d in file.dags for i in exact_dag_ids(d)}:
            return None  # the new id is another DAG's, here or elsewhere: a rename would make one vanish
        new_id = owned_text(file, before, after + rest, node, dag.scope, dag.node)
        if new_id is None:
            return None
        unsafe = RENAME_IS_UNSAFE if file.on_base else None
        if isinstance(node, cst.Name) and not isinstance(dag.node, cst.Decorator):
            constant = _constant_string(file, node.value)  # DAG_NAME = "example"; DAG(dag_id=DAG_NAME)
            if constant is not None:
                if sum(file.index.name_uses.get(node.value, [0, 0])) != 1:
                    unsafe = f"{node.value} is used elsewhere in the file too, and renaming it changes those uses"
                node = constant
                new_id = owned_text(file, before, after + rest, node, file.index.module_scope, node)
                if new_id is None:
                    return None
        if isinstance(dag.node, cst.Call) and _is_asset_name(dag.node, node):
            return Fix(((dag.node, with_keyword(dag.node, "dag_id", new_id)),), unsafe)  # the name stays the asset's
        if isinstance(node, cst.SimpleString) or (isinstance(node, cst.FormattedString) and _owner_only(file, node)):
            return Fix(((node, new_id),), unsafe)
        if isinstance(node, cst.Name) and isinstance(dag.node, cst.Decorator):  # bare @dag: named by the function
            return Fix(((dag.node, decorator_with_keyword(dag.node, "dag_id", new_id)),), unsafe)
        if isinstance(node, cst.Name) and isinstance(dag.node, cst.Call) and node.value == exact:
            if any((arg.keyword is None and not arg.star) or arg.star == "**" for arg in dag.node.args) or any(
                arg.keyword is not None and arg.keyword.value == "dag_id" for arg in dag.node.args
            ):
                return None  # a positional argument or **kwargs: where the id comes from is not plain
            return Fix(((dag.node, with_keyword(dag.node, "dag_id", new_id)),), unsafe)
        return None

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


def _without_owner(dag_id: str, owner: str, before: str) -> str:
    """The id without the owner it already names, at either end and in any separator, and without
    the part of the prefix template before the owner (``team_lasse_taxi``, ``lasse-taxi``,
    ``taxi_lasse`` and, for ``team_{owner}__``, ``team_taxi`` are all ``taxi``): the fix writes
    the whole prefix once. An id that is nothing else stays as it is."""
    separators = "_.-"
    between = r"[_.\-]+"
    rest = dag_id
    lead = re.match(rf"(?:{re.escape(before)})?{re.escape(owner)}{between}", rest)
    if lead is not None:
        rest = rest[lead.end() :]
    elif before and before[-1] in separators and rest.startswith(before):
        rest = rest[len(before) :]
    # (the owner at the end, after separators: looked for once, not at every separator)
    if owner and rest.endswith(owner) and rest[: -len(owner)].endswith(tuple(separators)):
        rest = rest[: -len(owner)]
    rest = rest.strip(separators)
    return rest or dag_id


def _is_asset_name(call: cst.Call, node: cst.CSTNode | None) -> bool:
    """Whether the id is the ``name=`` of an ``@asset(...)`` without ``dag_id=``: renaming it would
    rename the asset, and every DAG scheduled on it by that name would wait for it in vain."""
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    return node is not None and "dag_id" not in keywords and keywords.get("name") is node


def _owner_only(file: FileContext, node: cst.FormattedString) -> bool:
    """An f-string whose every placeholder is a name that holds the owner (``f"taxi_{STUDENT}"``):
    rewritten with the owner in front, it means the same. A placeholder that holds anything else
    (a name derived wrongly, which ETQ105 reports and fixes first) is not rewritten as a literal."""
    scope = file.index.module_scope
    for part in node.parts:
        if isinstance(part, cst.FormattedStringExpression):
            if not isinstance(part.expression, cst.Name) or part.format_spec or part.conversion:
                return False
            values = file.resolver.values(part.expression, scope)
            if not values or not all(isinstance(v, Text) and v.exact == file.owner for v in values):
                return False
    return True


def _constant_string(file: FileContext, name: str) -> cst.SimpleString | None:
    """The string a module-level constant is bound to, when it is bound once, to one string."""
    found = file.index.module_scope.bindings.get(name, [])
    if len(found) == 1 and found[0].kind == "assign" and not found[0].unpack:
        value = found[0].value
        return value if isinstance(value, cst.SimpleString) else None
    return None
