"""ETQ401 shared-connection-change."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.actions import printed_only, without_shell_comments
from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.model import Scope, iter_children
from airflow_etiquette.analysis.values import Map, Seq, Text, text_of
from airflow_etiquette.config import Config, owner_names
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

CONNECTION_CLASSES = frozenset(
    {
        "airflow.models.Connection",
        "airflow.models.connection.Connection",
        "airflow.sdk.Connection",
        "airflow.sdk.definitions.connection.Connection",
    }
)
FETCHERS = frozenset({"get_connection", "get_connection_from_secrets"})
SESSION_WRITES = frozenset({"add", "merge", "delete", "add_all"})
ORM_CHANGES = frozenset({"delete", "update"})
HTTP_METHODS = frozenset({"post", "patch", "put", "delete"})
ENV_KEYWORDS = frozenset({"env", "environment", "env_vars"})
ENV_PREFIX = "AIRFLOW_CONN_"

_CLI = re.compile(r"\bairflow\s+connections\s+(?P<verb>add|delete|edit|import)\b(?P<rest>[^\n;&|]*)", re.IGNORECASE)
_API_PATH = re.compile(r"(?:^|/)api/v\d+/connections(?:/(?P<id>[^/?#\s\"']+))?/?(?=$|[?#\s\"'])")
_CURL = re.compile(r"\bcurl\b(?P<args>[^\n;&|]*)")
# `export AIRFLOW_CONN_AZURE_PG=...` or `AIRFLOW_CONN_AZURE_PG=... cmd` in a shell command
_SHELL_ENV = re.compile(r"(?:^|[\s;&|(])(?:export\s+)?(?P<key>AIRFLOW_CONN_[A-Za-z0-9_]+)=(?P<value>\S*)")
_CURL_METHOD = re.compile(r"(?:-X|--request)\s*['\"]?(?P<method>[A-Z]+)")
_BODY_ID = re.compile(r"""["']?(?:connection_id|conn_id)["']?\s*[:=]\s*["']?(?P<id>[\w.-]+)""")


class SharedConnectionChange(FileRule):
    code = "ETQ401"
    reads_scripts = True  # psql and `airflow connections` in a shell script do the same harm
    name = "shared-connection-change"
    severity = Severity.ERROR
    summary = "Code that creates, edits or deletes a shared Airflow Connection (azure_pg)."
    what = (
        "Reports code that creates, edits or deletes a shared Airflow Connection: a `Connection` for a\n"
        "shared id added, merged or deleted through a session (or deleted/updated by a query),\n"
        "`airflow connections add|edit|delete` (and `import --overwrite`) in a `bash_command` or a\n"
        "subprocess, setting `AIRFLOW_CONN_<ID>` (`os.environ`, `putenv`, an operator's `env=`), and\n"
        "POST/PATCH/PUT/DELETE on the REST API's `/connections` endpoints. Reading a connection is\n"
        'never reported: `postgres_conn_id="azure_pg"`, `BaseHook.get_connection`,\n'
        "`{{ conn.azure_pg.host }}`. Shared means listed in `shared-connections`, or named with another\n"
        "owner's prefix; with no list, every id without the owner's own prefix."
    )
    why = (
        "Every DAG on the scheduler reads the same `azure_pg` connection. One task that changes its\n"
        "host, password or sslmode, or deletes it, breaks every classmate's next run at once, and the\n"
        "cause is hard to trace. Connection changes go through the teacher; experiment on a\n"
        "connection of your own (`lasse_scratch`) or on your local stack."
    )
    VALID = [
        Example(
            "from airflow.providers.postgres.hooks.postgres import PostgresHook\n"
            "from airflow.hooks.base import BaseHook\n\n"
            'def load():\n    hook = PostgresHook(postgres_conn_id="azure_pg")\n'
            '    host = BaseHook.get_connection("azure_pg").host\n'
            '    env = {"PG_HOST": "{{ conn.azure_pg.host }}"}\n    return hook, host, env\n',
            config={"shared-connections": ["azure_pg"]},
        ),
        Example(
            "import logging\nimport requests\nfrom airflow.operators.bash import BashOperator\n\n"
            "log = logging.getLogger(__name__)\n"
            'dbt = BashOperator(task_id="dbt", bash_command="dbt run",\n'
            '                   env={"AIRFLOW_CONN_AZURE_PG": "{{ conn.azure_pg.get_uri() }}"})\n\n'
            "def check(base, auth):\n"
            '    log.info("to reset it the teacher runs: airflow connections delete azure_pg")\n'
            '    requests.post(f"{base}/api/v2/connections/test", json={"connection_id": "azure_pg"}, auth=auth)\n',
            config={"shared-connections": ["azure_pg"]},
        ),
        Example(
            "from airflow.models import Connection\nfrom airflow.settings import Session\n\n"
            "def scratch():\n    session = Session()\n"
            '    session.add(Connection(conn_id="lasse_scratch", conn_type="postgres"))\n    session.commit()\n',
            config={"shared-connections": ["azure_pg"]},
        ),
        Example(  # a comment line of a command runs nothing, nor does text echo prints
            "from airflow.providers.standard.operators.bash import BashOperator\n\n"
            'reset = BashOperator(task_id="reset", bash_command="""\n'
            "# never run: airflow connections delete azure_pg (ask the teacher)\n"
            'echo "not this either: airflow connections delete azure_pg"\n'
            '""")\n',
            config={"shared-connections": ["azure_pg"]},
        ),
    ]
    INVALID = [
        Example(
            "from airflow.operators.bash import BashOperator\n\n"
            'load = BashOperator(task_id="load", bash_command=(\n'
            '    "export AIRFLOW_CONN_AZURE_PG=postgresql://me@localhost/dev && python load.py"))\n',
            expect=((4, 'overrides the shared connection "azure_pg" (AIRFLOW_CONN_AZURE_PG)'),),
            config={"shared-connections": ["azure_pg"]},
        ),
        Example(
            "from airflow.operators.bash import BashOperator\n\n"
            'reset = BashOperator(\n    task_id="reset_conn",\n'
            '    bash_command="airflow connections delete azure_pg && airflow connections add azure_pg --conn-uri $URI",\n)\n',
            config={"shared-connections": ["azure_pg"]},
            expect=((5, 'deletes the shared connection "azure_pg" (airflow connections delete)'),),
        ),
        Example(
            "from airflow.models import Connection\nfrom airflow.utils.session import create_session\n\n"
            "def fix_ssl():\n    with create_session() as session:\n"
            '        conn = Connection(conn_id="azure_pg", conn_type="postgres", host="localhost")\n'
            "        session.merge(conn)\n",
            config={"shared-connections": ["azure_pg"]},
            expect=((7, 'writes the shared connection "azure_pg" (session.merge)'),),
        ),
        Example(
            'import os\n\nos.environ["AIRFLOW_CONN_AZURE_PG"] = "postgresql://me@localhost/db"\n',
            config={"shared-connections": ["azure_pg"]},
            expect=((3, 'overrides the shared connection "azure_pg" (AIRFLOW_CONN_AZURE_PG)'),),
        ),
        Example(
            'import requests\n\ndef drop(base):\n    requests.delete(f"{base}/api/v1/connections/azure_pg")\n',
            config={"shared-connections": ["azure_pg"]},
            expect=((4, 'deletes the shared connection "azure_pg" (REST API DELETE)'),),
        ),
        Example(  # no shared-connections listed: every id without the owner's prefix counts as shared
            'import os\n\nos.environ["AIRFLOW_CONN_WAREHOUSE"] = "postgresql://me@localhost/db"\n'
            'os.environ["AIRFLOW_CONN_MARIA_SCRATCH"] = "postgresql://me@localhost/db"\n',
            expect=(
                (3, 'overrides the shared connection "warehouse" (AIRFLOW_CONN_WAREHOUSE)'),
                (4, 'overrides owner "maria"\'s connection "maria_scratch"'),
            ),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        if file.is_admin:
            return
        yield from self._command_strings(file)
        yield from self._calls(file)
        yield from self._environment_assignments(file)
        yield from self._attribute_assignments(file)

    # -- helpers -----------------------------------------------------------------
    @staticmethod
    def _named(file: FileContext, conn_id: str) -> str:
        """How a message names the connection: another owner's, or shared (listed, or, with no
        list, any id without the owner's prefix; `explain ETQ401` says so)."""
        if conn_id not in file.config.shared_connections:
            for other in sorted(file.owners.prefixed(conn_id)):
                if other != file.owner:
                    return f'owner "{other}"\'s connection "{conn_id}"'
        return f'the shared connection "{conn_id}"'

    def _shared(self, file: FileContext, conn_id: str | None) -> bool:
        return bool(conn_id) and is_shared(file.config, conn_id, file.owner, file.known_owners)  # type: ignore[arg-type]

    def _exact(self, file: FileContext, expr: cst.BaseExpression | None, scope: Scope) -> list[str]:
        if expr is None:
            return []
        return [t.exact for t in file.resolver.text_values(expr, scope) if t.exact is not None]

    # -- shell commands and URLs inside strings ----------------------------------------
    def _command_strings(self, file: FileContext) -> Iterator[Report]:
        for site in file.index.sites:
            if file.is_prose(site):
                continue  # a log line that mentions a command does not run it
            for text in file.site_texts(site):
                rendered = text.render(lambda i: "\x00")
                message = self._command_problem(file, rendered)
                if message:
                    yield Report(site.node, message)
                    break

    def _command_problem(self, file: FileContext, command: str) -> str | None:
        for match in _SHELL_ENV.finditer(command):
            if "{{" in match.group("value") and "get_uri" in match.group("value"):
                continue  # handing the same connection on ({{ conn.azure_pg.get_uri() }}) changes nothing
            problem = self._env_problem(file, match.group("key"))
            if problem:
                return problem
        text = without_shell_comments(command)
        for match in _CLI.finditer(text):
            if printed_only(text, match.start(), match.end()):
                continue  # echo "never run airflow connections delete azure_pg"
            verb = match.group("verb").lower()
            words = [w.strip("'\"") for w in match.group("rest").split()]
            if verb == "import":
                if "--overwrite" in words:
                    return (
                        "imports connections with --overwrite, which can replace the shared connections "
                        "(airflow connections import); ask the teacher to change shared connections"
                    )
                continue
            conn_id = next((w for w in words if not w.startswith("-")), None)
            if conn_id is None or conn_id.startswith("`") or any(mark in conn_id for mark in "\x00$"):
                continue  # unknown until the shell runs: `cat name`, $CONN
            conn_id = conn_id.rstrip("`)'\"")  # the end of a command substitution: `... delete azure_pg`
            if conn_id and self._shared(file, conn_id):
                action = {"add": "creates", "delete": "deletes", "edit": "edits"}[verb]
                return f"{action} {self._named(file, conn_id)} (airflow connections {verb}); ask the teacher instead"
        for match in _CURL.finditer(command):
            args = match.group("args")
            method = _CURL_METHOD.search(args)
            verb = (
                method.group("method").upper() if method else ("POST" if re.search(r"\s(-d|--data)", args) else "GET")
            )
            message = self._api_problem(file, verb, args, args)
            if message:
                return message
        return None

    def _api_problem(self, file: FileContext, method: str, url: str, body: str) -> str | None:
        match = _API_PATH.search(url)
        if match is None or method not in {"POST", "PATCH", "PUT", "DELETE"}:
            return None
        conn_id = match.group("id")
        if method == "POST" and conn_id == "test":
            return None  # POST /connections/test only tries a connection out
        if conn_id is None:
            if method == "POST":
                found = _BODY_ID.search(body)
                conn_id = found.group("id") if found else None
            else:
                return (
                    f"changes connections in bulk (REST API {method} /connections), which can change shared connections"
                )
        if conn_id is None or not self._shared(file, conn_id):
            return None
        action = {"POST": "creates", "PATCH": "edits", "PUT": "edits", "DELETE": "deletes"}[method]
        return f"{action} {self._named(file, conn_id)} (REST API {method}); ask the teacher instead"

    # -- calls ---------------------------------------------------------------------------
    def _calls(self, file: FileContext) -> Iterator[Report]:
        for call, scope in file.index.calls:
            func = call.func
            name = file.resolver.callee(call, scope) or ""
            method = (
                func.attr.value
                if isinstance(func, cst.Attribute)
                else (func.value if isinstance(func, cst.Name) else "")
            )
            message = (
                self._session_write(file, call, scope, method, name)
                or self._orm_change(file, call, scope, method)
                or self._http(file, call, scope, method, name)
                or self._subprocess(file, call, scope, name)
                or self._environment_call(file, call, scope, name)
            )
            if message:
                yield Report(call, message)
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in ENV_KEYWORDS:
                    env_message = self._env_mapping(file, arg.value, scope, subprocess_env=True)
                    if env_message:
                        yield Report(arg.value, env_message)

    def _session_write(self, file: FileContext, call: cst.Call, scope: Scope, method: str, name: str) -> str | None:
        is_merge_conn = name.endswith("merge_conn") or method == "merge_conn"
        if not (is_merge_conn or (isinstance(call.func, cst.Attribute) and method in SESSION_WRITES)):
            return None
        for arg in call.args:
            for conn_id in self._connection_ids(file, arg.value, scope):
                if self._shared(file, conn_id):
                    action = "deletes" if method == "delete" else "writes"
                    where = "merge_conn" if is_merge_conn else f"session.{method}"
                    return f"{action} {self._named(file, conn_id)} ({where}); ask the teacher instead"
        return None

    def _connection_ids(self, file: FileContext, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[str]:
        """The ids of the connection objects ``expr`` may be (constructed, fetched or queried)."""
        if depth > 3:
            return []
        if isinstance(expr, (cst.List, cst.Tuple)):
            return [i for e in expr.elements for i in self._connection_ids(file, e.value, scope, depth + 1)]
        if isinstance(expr, cst.Name):
            found = scope.lookup(expr.value)
            if found is None:
                return []
            ids: list[str] = []
            for binding in found[0]:
                if binding.kind == "assign" and binding.value is not None and not binding.unpack:
                    ids.extend(self._connection_ids(file, binding.value, found[1], depth + 1))
            return ids
        if not isinstance(expr, cst.Call):
            return []
        if file.resolver.refers_to(expr.func, scope, CONNECTION_CLASSES):
            conn_arg = _argument(expr, ("conn_id", "connection_id"), 0)
            return self._exact(file, conn_arg, scope)
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in FETCHERS:
            return self._exact(file, _argument(expr, ("conn_id",), 0), scope)
        return self._queried_ids(file, expr, scope)

    def _queried_ids(self, file: FileContext, expr: cst.BaseExpression, scope: Scope) -> list[str]:
        """Shared ids in a query chain over Connection (session.query(Connection).filter(...)...)."""
        mentions_connection = False
        ids: list[str] = []
        node: cst.BaseExpression = expr
        while True:
            if isinstance(node, cst.Call):
                for arg in node.args:
                    for sub in _walk_expression(arg.value):
                        if isinstance(sub, (cst.Name, cst.Attribute)) and file.resolver.refers_to(
                            sub, scope, CONNECTION_CLASSES
                        ):
                            mentions_connection = True
                        elif isinstance(sub, (cst.SimpleString, cst.Name)):
                            ids.extend(i for i in self._exact(file, sub, scope) if self._shared(file, i))
                node = node.func
            elif isinstance(node, cst.Attribute):
                node = node.value
            else:
                break
        return ids if mentions_connection else []

    def _orm_change(self, file: FileContext, call: cst.Call, scope: Scope, method: str) -> str | None:
        if method not in ORM_CHANGES or not isinstance(call.func, cst.Attribute):
            return None
        if call.args and method == "delete" and not isinstance(call.func.value, cst.Call):
            return None  # session.delete(obj) is a session write, handled above
        ids = self._queried_ids(file, call.func.value, scope)
        if ids:
            action = "deletes" if method == "delete" else "edits"
            return f"{action} {self._named(file, ids[0])} (query .{method}()); ask the teacher instead"
        return None

    def _http(self, file: FileContext, call: cst.Call, scope: Scope, method: str, name: str) -> str | None:
        if method in HTTP_METHODS and isinstance(call.func, cst.Attribute):
            verb, url_expr = method.upper(), _argument(call, ("url",), 0)
        elif method == "request":
            verbs = self._exact(file, _argument(call, ("method",), 0), scope)
            verb, url_expr = (verbs[0].upper() if verbs else ""), _argument(call, ("url",), 1)
        elif name.endswith("HttpOperator") or name.endswith("HttpHook"):
            verbs = self._exact(file, _argument(call, ("method",), None), scope) or ["POST"]
            verb, url_expr = verbs[0].upper(), _argument(call, ("endpoint",), None)
        elif method in ("delete_connection", "patch_connection"):
            for conn_id in self._exact(file, _argument(call, ("connection_id",), 0), scope):
                if self._shared(file, conn_id):
                    action = "deletes" if method == "delete_connection" else "edits"
                    return f"{action} {self._named(file, conn_id)} (REST API client); ask the teacher instead"
            return None
        else:
            return None
        if url_expr is None:
            return None
        body_expr = _argument(call, ("json", "data"), None)
        bodies = [""]
        if body_expr is not None:
            bodies = [_flatten(v) for v in file.resolver.values(body_expr, scope)]
        for url in file.resolver.text_values(url_expr, scope):
            rendered = url.render(lambda i: "\x00")
            for body in bodies:
                message = self._api_problem(file, verb, rendered, body)
                if message:
                    return message
        return None

    def _subprocess(self, file: FileContext, call: cst.Call, scope: Scope, name: str) -> str | None:
        if not name.startswith("subprocess.") or not call.args:
            return None
        for value in file.resolver.values(call.args[0].value, scope):
            if isinstance(value, Seq):
                words = [text_of(item, "?").render(lambda i: "\x00") for item in value.items]
                message = self._command_problem(file, " ".join(words))
                if message:
                    return message
        return None

    # -- environment -------------------------------------------------------------------
    def _env_problem(self, file: FileContext, key: str, value: object = None) -> str | None:
        """Setting AIRFLOW_CONN_<ID>; ``value`` only for an operator's env= (templates render there)."""
        if not key.upper().startswith(ENV_PREFIX):
            return None
        conn_id = key[len(ENV_PREFIX) :].lower()
        if isinstance(value, Text) and re.fullmatch(
            rf"\s*\{{\{{\s*conn\.{re.escape(conn_id)}\.get_uri\(\)\s*\}}\}}\s*", value.exact or "", re.I
        ):
            return None  # an operator's env= that hands the very same connection to its subprocess
        if self._shared(file, conn_id):
            return f"overrides {self._named(file, conn_id)} ({key}); ask the teacher instead"
        return None

    def _environment_call(self, file: FileContext, call: cst.Call, scope: Scope, name: str) -> str | None:
        if name in ("os.environ.setdefault", "os.putenv") and call.args:
            for key in self._exact(file, call.args[0].value, scope):
                message = self._env_problem(file, key)
                if message:
                    return message
        if name == "os.environ.update":
            for arg in call.args:
                if arg.keyword is not None:
                    message = self._env_problem(file, arg.keyword.value)
                else:
                    message = self._env_mapping(file, arg.value, scope)
                if message:
                    return message
        return None

    def _env_mapping(
        self, file: FileContext, expr: cst.BaseExpression, scope: Scope, subprocess_env: bool = False
    ) -> str | None:
        for value in file.resolver.values(expr, scope):
            if isinstance(value, Map):
                for key, entry in value.entries:
                    message = self._env_problem(file, key, entry if subprocess_env else None)
                    if message:
                        return message
        return None

    def _environment_assignments(self, file: FileContext) -> Iterator[Report]:
        for assignment in file.index.subscript_assignments:
            target = assignment.target
            if file.resolver.qualname(target.value, assignment.scope) != "os.environ" or len(target.slice) != 1:
                continue
            index = target.slice[0].slice
            if isinstance(index, cst.Index):
                for key in self._exact(file, index.value, assignment.scope):
                    message = self._env_problem(file, key)
                    if message:
                        yield Report(assignment.statement, message)
                        break

    def _attribute_assignments(self, file: FileContext) -> Iterator[Report]:
        """Setting a field of a connection loaded through a session query: it is saved on commit."""
        for assignment in file.index.attribute_assignments:
            owner_expr = assignment.target.value
            if not isinstance(owner_expr, cst.Name):
                continue
            found = assignment.scope.lookup(owner_expr.value)
            if found is None:
                continue
            for binding in found[0]:
                if binding.kind != "assign" or binding.value is None:
                    continue
                ids = self._queried_ids(file, binding.value, found[1])
                if ids:
                    field = assignment.target.attr.value
                    yield Report(
                        assignment.statement,
                        f"edits {self._named(file, ids[0])} (sets .{field} on a queried Connection); "
                        "ask the teacher instead",
                    )
                    break


def _argument(call: cst.Call, keywords: tuple[str, ...], position: int | None) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    if position is not None and position < len(positional):
        return positional[position].value
    return None


def _walk_expression(expr: cst.BaseExpression) -> Iterator[cst.CSTNode]:
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(iter_children(node))


def _flatten(value: object) -> str:
    if isinstance(value, Map):
        return " ".join(f'"{k}": "{_flatten(v)}"' for k, v in value.entries)
    if isinstance(value, Text):
        return value.exact or ""
    return ""


def is_shared(config: Config, conn_id: str, owner: str | None, known_owners: Iterable[str]) -> bool:
    """Whether changing this connection would affect someone other than ``owner``.

    Listed ``shared-connections`` are shared; so is any connection named with
    another owner's prefix. With no list, every connection id that does not
    carry the owner's own prefix is treated as shared.
    """
    if owner is not None and conn_id.startswith(config.prefix_for(owner)):
        return False
    if not config.shared_connections:
        return True
    if conn_id in config.shared_connections:
        return True
    return any(other != owner for other in owner_names(config.dag_id_prefix, frozenset(known_owners)).prefixed(conn_id))
