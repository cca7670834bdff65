"""ETQ604 parse-time-work: calls at module level that reach a database, the network, the disk or
the clock, which run on every parse of the file by the shared scheduler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.model import Scope
from airflow_etiquette.analysis.values import FilePath, Text
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

DRIVERS = frozenset(
    {
        "psycopg2.connect",
        "psycopg.connect",
        "psycopg.Connection.connect",
        "pymysql.connect",
        "mysql.connector.connect",
        "sqlite3.connect",
        "snowflake.connector.connect",
        "pyodbc.connect",
        "oracledb.connect",
        "cx_Oracle.connect",
        "redshift_connector.connect",
        "duckdb.connect",
    }
)
HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")
HTTP = frozenset(
    {f"requests.{m}" for m in HTTP_METHODS}
    | {f"httpx.{m}" for m in HTTP_METHODS}
    | {"urllib.request.urlopen", "urllib.request.urlretrieve"}
)
PROCESSES = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
    }
)
READERS = ("pandas.read_", "polars.read_")
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".xlsx", ".xls", ".feather", ".orc", ".avro", ".pkl", ".pickle", ".db")
TASK_FIX = "move it into a task (a @task function, or the callable an operator runs)"


def _airflow(qualname: str, *tails: str) -> bool:
    return qualname.startswith("airflow.") and any(qualname.endswith(tail) for tail in tails)


def _is_hook_class(qualname: str) -> bool:
    return qualname.startswith("airflow.") and qualname.rsplit(".", 1)[-1].endswith("Hook")


class ParseTimeWork(FileRule):
    code = "ETQ604"
    name = "parse-time-work"
    severity = Severity.ERROR
    summary = "A call at module level that queries a database, the network or a data file on every parse of the file."
    what = (
        "Reports calls that run when the scheduler parses the file (at module level, in class\n"
        "bodies, decorator arguments and default arguments; not in functions, lambdas or an\n"
        '`if __name__ == "__main__":` block) and reach outside the process: `Variable.get`,\n'
        "`BaseHook.get_connection` and `Connection.get_connection_from_secrets`, any method of a\n"
        "hook (`PostgresHook(...).get_records(...)`, also through a name), database drivers'\n"
        "`connect`, HTTP calls (`requests`, `httpx`, `urllib.request.urlopen`), `pandas.read_*` and\n"
        "`polars.read_*`, `open()` of a data file (`.csv`, `.parquet`, ...; a small config file is\n"
        "left alone), `time.sleep`, and `subprocess`/`os.system`. The same call in a task, or a Jinja\n"
        "template (`{{ var.value.x }}`, `{{ conn.azure_pg.host }}`), runs only when the task does."
    )
    why = (
        "The shared scheduler parses every DAG file again about every 30 seconds, for as long as the\n"
        "file exists. A `Variable.get` at module level is a query to the shared metadata database on\n"
        "every parse, from every copy of the file; an HTTP call or a file read slows every parse loop\n"
        "of the whole class, and a sleep or a hanging request stalls it (Airflow's best-practice\n"
        'guide: "Top level Python code").'
    )
    VALID = [
        Example(
            "from airflow.sdk import Variable, dag, task\n\n"
            '@dag(dag_id="lasse_taxi", tags=["student:lasse"])\ndef taxi():\n'
            "    @task\n    def fetch():\n"
            '        url = Variable.get("lasse_taxi_url")\n        return url\n\n    fetch()\n\ntaxi()\n'
        ),
        Example(
            "from airflow.providers.standard.operators.bash import BashOperator\n\n"
            'run = BashOperator(task_id="load", bash_command="load.sh {{ var.value.lasse_bucket }}")\n'
        ),
        Example(
            "import json\nfrom pathlib import Path\n\n"
            'CONFIG = json.load(open(Path(__file__).parent / "tables.json"))\n'
            'if __name__ == "__main__":\n    import requests\n\n    requests.get("https://example.com")\n'
        ),
    ]
    INVALID = [
        Example(
            'from airflow.models import Variable\n\nBUCKET = Variable.get("lasse_bucket")\n',
            expect=(
                (
                    3,
                    'Variable.get("lasse_bucket") at module level runs on every parse of this file by the shared '
                    "scheduler (about every 30 seconds), a query to the shared database each time: read it "
                    'inside the task, or use the template "{{ var.value.lasse_bucket }}"',
                ),
            ),
        ),
        Example(
            "import pandas as pd\nimport requests\n\n"
            'ZONES = pd.read_csv("https://example.com/zones.csv")\n'
            'STATUS = requests.get("https://example.com/status", timeout=5).json()\n',
            expect=((4, "pd.read_csv(...) at module level"), (5, "requests.get(...) at module level")),
        ),
        Example(
            "from airflow.providers.postgres.hooks.postgres import PostgresHook\n\n"
            'hook = PostgresHook(postgres_conn_id="azure_pg")\n'
            'TABLES = hook.get_records("SELECT table_name FROM information_schema.tables")\n',
            expect=((4, "hook.get_records(...) at module level"),),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        deferred = file.index.deferred
        for call, scope in file.index.calls:
            if id(call) in deferred:
                continue
            message = self._problem(file, call, scope)
            if message is not None:
                yield Report(call, message)

    def _problem(self, file: FileContext, call: cst.Call, scope: Scope) -> str | None:
        resolver = file.resolver
        names = resolver.callee_names(call, scope)
        shown = f"{resolver.source(call.func)}(...)"
        for name in names:
            if _airflow(name, "Variable.get"):
                key = _first_text(file, call, scope)
                shown = f'{resolver.source(call.func)}("{key}")' if key else shown
                template = f' "{{{{ var.value.{key} }}}}"' if key else " {{ var.value.<name> }}"
                return (
                    f"{shown} at module level runs on every parse of this file by the shared scheduler (about "
                    "every 30 seconds), a query to the shared database each time: read it inside the task, or "
                    f"use the template{template}"
                )
            if _airflow(name, "get_connection", "get_connection_from_secrets", "Connection.get"):
                return (
                    f"{shown} at module level runs on every parse of this file by the shared scheduler (about "
                    "every 30 seconds), a lookup in the shared database each time: make the hook inside the "
                    "task, or use a template such as {{ conn.azure_pg.host }}"
                )
            if name in DRIVERS or name in HTTP or name in PROCESSES or name == "time.sleep" or name.startswith(READERS):
                return self._generic(shown)
            if name == "open" and _reads_data(file, call, scope):
                return self._generic(shown)
        if isinstance(call.func, cst.Attribute) and self._on_a_hook(file, call.func.value, scope):
            return self._generic(shown)
        return None

    @staticmethod
    def _generic(shown: str) -> str:
        return (
            f"{shown} at module level runs on every parse of this file by the shared scheduler (about every "
            f"30 seconds, for the whole class's parse loop): {TASK_FIX}"
        )

    def _on_a_hook(self, file: FileContext, receiver: cst.BaseExpression, scope: Scope) -> bool:
        """``PostgresHook(...).method`` or ``hook.method`` with ``hook`` bound only to hooks."""
        resolver = file.resolver
        if isinstance(receiver, cst.Call):
            return any(_is_hook_class(n) for n in resolver.qualnames(receiver.func, scope))
        if isinstance(receiver, cst.Name):
            found = scope.lookup(receiver.value)
            if found is None:
                return False
            bindings, owner = found
            return all(
                b.kind == "assign"
                and isinstance(b.value, cst.Call)
                and any(_is_hook_class(n) for n in resolver.qualnames(b.value.func, owner))
                for b in bindings
            )
        return False


def _first_text(file: FileContext, call: cst.Call, scope: Scope) -> str | None:
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        return None
    values = file.resolver.values(call.args[0].value, scope)
    if len(values) == 1 and isinstance(values[0], Text):
        return values[0].exact
    return None


def _reads_data(file: FileContext, call: cst.Call, scope: Scope) -> bool:
    """``open()`` of a path whose known text ends like a data file."""
    if not call.args or call.args[0].star:
        return False
    for value in file.resolver.values(call.args[0].value, scope):
        tail = ""
        if isinstance(value, Text) and value.parts and isinstance(value.parts[-1], str):
            tail = value.parts[-1]
        elif isinstance(value, FilePath) and value.parts:
            tail = value.parts[-1]
        if tail.lower().endswith(DATA_SUFFIXES):
            return True
    return False
