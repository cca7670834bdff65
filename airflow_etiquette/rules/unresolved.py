"""ETQ103 unresolved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.dags import Verdict, prefix_verdict, tag_verdict
from airflow_etiquette.analysis.model import Scope
from airflow_etiquette.analysis.values import Seq, Text, Unknown, Value
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


class Unresolved(FileRule):
    code = "ETQ103"
    name = "unresolved"
    severity = Severity.WARNING
    summary = "A dag_id, tags, SQL or DAG construction that cannot be decided without running the code."
    what = (
        "Warns when the dag_id or the tags of a DAG in `dags/<owner>/` depend on something that cannot\n"
        "be known from the source alone (an Airflow Variable, a function call, an environment variable\n"
        "without a default), so ETQ101 or ETQ102 cannot decide. Partial knowledge is enough:\n"
        '`f"lasse_{city}"` is known to start with `lasse_`, so it is not reported. Also warns about\n'
        'Airflow reached by a computed name (`importlib.import_module("airflow.sdk")`, `__import__`,\n'
        "`getattr(airflow, ...)`) and code run from text (`eval`, `exec`): what such a file defines\n"
        "cannot be seen at all.\n\n"
        'Strict mode: `strict = ["ETQ101", "ETQ102", "ETQ302"]` in the configuration makes these\n'
        "errors for the rules listed (dag_id and dynamic construction for ETQ101, tags for ETQ102), and\n"
        "for ETQ302 also reports SQL handed to `sql=`, `execute`, `run` or `read_sql` that cannot be\n"
        "read at all, so that a value hidden from the checks fails the pull request."
    )
    why = (
        "What cannot be checked before the merge is checked by the shared scheduler instead, in front\n"
        "of everyone. Keeping the prefix and the owner tag literal (or path-derived) makes them\n"
        "reviewable."
    )
    VALID = [
        Example(  # the fix of the bad example: an id the file works out from its folder
            "import os\nfrom pathlib import Path\n\nfrom airflow.models import DAG\n\n"
            'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
            'dag = DAG(dag_id=f"{STUDENT}_taxi_pipeline", tags=[f"student:{STUDENT}"])\n'
        ),
        Example(
            "from airflow.sdk import dag\n\ndef build(city):\n"
            '    @dag(dag_id=f"lasse_{city}", tags=["student:lasse", city])\n    def weather():\n        pass\n'
            "    return weather()\n"
        ),
        Example(
            "import importlib\nimport os\nfrom pathlib import Path\n\n"
            "from airflow.providers.postgres.hooks.postgres import PostgresHook\n\n"
            'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
            'SCHEMA = f"airflow_{STUDENT}"\n'
            'helpers = importlib.import_module("lasse_helpers")\n\n'
            "def load(ds):\n"
            '    PostgresHook(postgres_conn_id="azure_pg").run(f"DELETE FROM {SCHEMA}.trips WHERE d = \'{ds}\'")\n',
            config={"strict": ["ETQ101", "ETQ102", "ETQ302"]},
        ),
    ]
    INVALID = [
        Example(
            "from airflow.models import DAG, Variable\n\n"
            'dag = DAG(dag_id=Variable.get("taxi_dag_id"), tags=["student:lasse"])\n',
            expect=((3, 'dag_id cannot be determined statically (it depends on Variable.get("taxi_dag_id"))'),),
        ),
        Example(
            "from airflow.sdk import dag\nfrom team_config import TAGS\n\n"
            '@dag(dag_id="lasse_taxi", tags=TAGS)\ndef taxi():\n    pass\n',
            expect=((4, "tags cannot be determined statically (they depend on TAGS)"),),
        ),
        Example(
            "import importlib\n\n"
            'dag = getattr(importlib.import_module("airflow.sdk"), "D" + "AG")("maria_taxi", tags=["student:lasse"])\n',
            expect=((3, "takes an Airflow name by a computed lookup"), (3, "imports Airflow by a computed name")),
        ),
        Example(
            "import base64\nfrom airflow import DAG\n\n"
            'dag = DAG(base64.b64decode("bWFyaWFfdGF4aQ==").decode(), tags=["student:lasse"])\n',
            expect=(
                (
                    4,
                    "dag_id cannot be determined statically (it depends on "
                    'base64.b64decode("bWFyaWFfdGF4aQ==").decode()); make sure it starts with "lasse_" '
                    "(strict mode: a value the checks cannot read fails)",
                ),
            ),
            config={"strict": ["ETQ101"]},
            severity=Severity.ERROR,
        ),
        Example(
            "import base64\nfrom airflow.providers.postgres.hooks.postgres import PostgresHook\n\n"
            "def wipe():\n"
            '    PostgresHook(postgres_conn_id="azure_pg").run(base64.b64decode("VFJVTkNBVEUgcHVibGljLnRyaXBz").decode())\n',
            expect=((5, "SQL cannot be determined statically"),),
            config={"strict": ["ETQ302"]},
            severity=Severity.ERROR,
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        owner = file.student
        if owner is None:
            return
        yield from self._dags(file, owner)
        yield from _dynamic_airflow(file)
        if file.config.is_strict("ETQ302"):
            yield from _unreadable_sql(file)

    def _dags(self, file: FileContext, owner: str) -> Iterator[Report]:
        prefix, tag = file.config.prefix_for(owner), file.config.tag_for(owner)
        strict_id, strict_tags = _severity(file, "ETQ101"), _severity(file, "ETQ102")
        for dag in file.dags:
            ids = dag.dag_id.values or ()
            verdicts = [prefix_verdict(v, prefix) for v in ids]
            template_id = dag.is_template and dag.from_parameters(dag.dag_id.node)  # known at each call
            if Verdict.UNDECIDED in verdicts and Verdict.FAIL not in verdicts and not template_id:
                unknown = _unknown_part(
                    v for v, verdict in zip(ids, verdicts, strict=False) if verdict is Verdict.UNDECIDED
                )
                yield Report(
                    dag.at(dag.dag_id.node),
                    f"dag_id cannot be determined statically (it depends on {unknown}); "
                    f'make sure it starts with "{prefix}"' + _STRICT * bool(strict_id),
                    strict_id,
                )
            tags = dag.tags.values
            if tags is None:
                continue
            tag_verdicts = [tag_verdict(v, tag) for v in tags]
            template_tags = dag.is_template and dag.from_parameters(dag.tags.node)
            if Verdict.UNDECIDED in tag_verdicts and Verdict.FAIL not in tag_verdicts and not template_tags:
                unknown = _unknown_part(
                    v for v, verdict in zip(tags, tag_verdicts, strict=False) if verdict is Verdict.UNDECIDED
                )
                yield Report(
                    dag.at(dag.tags.node),
                    f'tags cannot be determined statically (they depend on {unknown}); make sure they include "{tag}"'
                    + _STRICT * bool(strict_tags),
                    strict_tags,
                )


_STRICT = " (strict mode: a value the checks cannot read fails)"
_DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "__import__"})
_CODE_FROM_TEXT = frozenset({"eval", "exec"})
_SQL_METHODS = frozenset({"execute", "executemany", "run", "read_sql", "read_sql_query"})


def _severity(file: FileContext, code: str) -> Severity | None:
    return Severity.ERROR if file.config.is_strict(code) else None


def _dynamic_airflow(file: FileContext) -> Iterator[Report]:
    """Airflow reached by a computed name, or code run from text: the DAGs such a file makes
    are invisible to every other rule."""
    severity = _severity(file, "ETQ101")
    suffix = _STRICT if severity else ""
    resolver = file.resolver
    for call, scope in file.index.calls:
        names = resolver.callee_names(call, scope)
        if names & _DYNAMIC_IMPORTS and call.args and _may_name_airflow(file, call.args[0].value, scope):
            yield Report(
                call,
                f"imports Airflow by a computed name ({resolver.source(call)}); the DAGs it makes "
                "cannot be checked without running the code; import DAG or dag directly" + suffix,
                severity,
            )
        elif names & _CODE_FROM_TEXT and not _is_local(call.func, scope):
            yield Report(
                call,
                f"runs code built from text ({resolver.source(call.func)}); what it defines cannot "
                "be checked without running it; write the code out" + suffix,
                severity,
            )
        elif (
            "getattr" in names
            and not _is_local(call.func, scope)
            and call.args
            and _is_airflow_module(file, call.args[0].value, scope)
        ):
            yield Report(
                call,
                f"takes an Airflow name by a computed lookup ({resolver.source(call)}); the DAGs "
                "it makes cannot be checked without running the code; import the name directly" + suffix,
                severity,
            )


def _is_local(func: cst.BaseExpression, scope: Scope) -> bool:
    return isinstance(func, cst.Name) and scope.lookup(func.value) is not None


def _may_name_airflow(file: FileContext, expr: cst.BaseExpression, scope: Scope) -> bool:
    for value in file.resolver.values(expr, scope):
        if not isinstance(value, Text):
            return True  # a name nobody can read may be anything
        prefix = value.prefix
        if value.exact is not None:
            if value.exact == "airflow" or value.exact.startswith("airflow."):
                return True
        elif "airflow".startswith(prefix) or prefix.startswith("airflow"):
            return True
    return False


def _is_airflow_module(file: FileContext, expr: cst.BaseExpression, scope: Scope) -> bool:
    if isinstance(expr, cst.Call) and file.resolver.qualnames(expr.func, scope) & _DYNAMIC_IMPORTS:
        return True
    names = file.resolver.qualnames(expr, scope)
    return bool(names) and all(name == "airflow" or name.startswith("airflow.") for name in names)


def _unreadable_sql(file: FileContext) -> Iterator[Report]:
    """Strict mode for ETQ302: SQL whose text cannot be read at all, so its target cannot be known."""
    for call, scope in file.index.calls:
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
        candidates = [arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == "sql"]
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        if method in _SQL_METHODS and positional:
            candidates.append(positional[0].value)
        for expr in candidates:
            values = file.resolver.values(expr, scope)
            if values and all(_unreadable(v) for v in values):
                yield Report(
                    expr,
                    f"SQL cannot be determined statically (it depends on {file.resolver.source(expr)})"
                    f"; write the statement out so its target schema can be checked" + _STRICT,
                    Severity.ERROR,
                )


def _unreadable(value: Value) -> bool:
    if isinstance(value, Text):
        return not any(isinstance(part, str) and part.strip() for part in value.parts)
    if isinstance(value, Seq):
        return any(_unreadable(item) for item in value.items) or not value.complete
    return isinstance(value, Unknown)


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
