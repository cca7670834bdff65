"""ETQ302 foreign-schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.idioms import PSYCOPG_SQL
from airflow_etiquette.analysis.model import Scope, StringSite, is_literal_string
from airflow_etiquette.analysis.sql import SchemaUse, schema_uses, search_path_after, temporary_tables
from airflow_etiquette.analysis.values import Map, Text
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst

# Keyword arguments that name a schema, and calls whose schema= is written into.
SCHEMA_KEYWORDS = frozenset({"schema", "target_schema", "schema_name", "destination_schema"})
WRITING_METHODS = frozenset({"to_sql", "insert_rows", "bulk_load", "bulk_insert_rows"})
TABLE_KEYWORDS = frozenset({"table", "table_name", "destination_table", "target_table"})
# Hook methods whose first positional argument is the table written into (copy_from: the second).
TABLE_POSITION = {"insert_rows": 0, "bulk_load": 0, "bulk_insert_rows": 0, "copy_from": 1}
# Operators that write rows into the table named by their table= argument.
_WRITING_OPERATOR = re.compile(
    r"(?:To(?:Sql|Postgres|Snowflake)|InsertRows|GenericTransfer)\w*Operator$|^GenericTransfer$"
)
_SCHEMA_LITERAL = re.compile(r'"?(?P<schema>[A-Za-z_][\w$-]*)"?(?:\."?(?P<table>[A-Za-z_][\w$]*)"?)?')
_PREPOSITIONS = {
    "DELETE": "from",
    "UPDATE": "of",
    "CREATE": "of",
    "DROP": "of",
    "ALTER": "of",
    "TRUNCATE": "of",
    "CREATE INDEX": "on",
}


class ForeignSchema(FileRule):
    code = "ETQ302"
    reads_sql = True  # the statements of a .sql template file under dags/<owner>/
    reads_scripts = True  # psql and `airflow connections` in a shell script do the same harm
    name = "foreign-schema"
    severity = Severity.ERROR
    summary = "SQL or schema= that uses another owner's schema, or writes outside the owner's own."
    what = (
        "Reports SQL text, a `schema=` argument or a string that is exactly a schema name in\n"
        "`dags/<owner>/` that refers to another owner's schema (`airflow_maria.raw_trips` from\n"
        "`dags/lasse/`, read or write), and any write (INSERT, UPDATE, DELETE, MERGE, CREATE,\n"
        "CREATE INDEX ... ON, DROP, ALTER, TRUNCATE, COPY ... FROM, `to_sql(schema=...)`, the table\n"
        "of `insert_rows`/`bulk_load`/`copy_from` and of `SQLInsertRowsOperator(table_name=...)`) into a\n"
        "schema other than the owner's own, `public` included. Reading a shared schema\n"
        "(`SELECT * FROM public.zones`) is fine, and so are unqualified table names. `.sql` template\n"
        "files under `dags/<owner>/` are read statement by statement. SQL is parsed\n"
        "with sqlglot where it parses; comments are skipped, unquoted names compare as Postgres\n"
        "folds them (`AIRFLOW_MARIA` is `airflow_maria`), and placeholders are never guessed: f-string\n"
        'and Jinja ones, and a template\'s parameter in quotes (`"{schema}"`, `"%s"`, `"${SCHEMA}"`).\n'
        "A temporary table (`CREATE TEMP TABLE`, `pg_temp.x`) is the session's own, whatever the\n"
        "search path."
    )
    why = (
        "Everyone writes to one shared Postgres; the per-owner schema is what keeps thirty\n"
        "`raw_trips` tables apart. Writing into `public` or a classmate's schema overwrites data other\n"
        "people's DAGs and dashboards depend on, and reading a classmate's schema makes your DAG\n"
        "break when they change theirs."
    )
    VALID = [
        Example(  # the fix of the first bad example: the owner's schema, filled in by the DAG
            "DELETE FROM {{ params.schema }}.raw_trips WHERE month = '{{ ds }}';\n\n"
            "INSERT INTO {{ params.schema }}.raw_trips\nSELECT * FROM staging.trips;\n",
            path="dags/lasse/queries/load.sql",
        ),
        Example(
            'SCHEMA = "airflow_" + "lasse"\n\ndef load(cur):\n    cur.execute(f"SET search_path TO {SCHEMA}")\n'
            '    cur.execute("INSERT INTO raw_trips SELECT 1")\n\n'
            'def other(cur):\n    cur.execute("SET search_path TO public")\n\n'
            'def later(cur):\n    cur.execute("INSERT INTO raw_trips SELECT 1")\n'
        ),
        Example(
            "import os\nfrom pathlib import Path\n\n"
            'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
            'SCHEMA = f"airflow_{STUDENT}"\n\n'
            "def load(df, engine, cur, month):\n"
            "    cur.execute(f'DELETE FROM \"{SCHEMA}\".raw_trips WHERE month = %s', (month,))\n"
            '    cur.execute("SELECT * FROM public.zones")\n'
            '    df.to_sql("raw_trips", engine, schema=SCHEMA, if_exists="append")\n'
        ),
        Example('SQL = "INSERT INTO {{ params.schema }}.raw_trips SELECT * FROM staging"\n'),
        Example(
            'CHECK = "/* was: DELETE FROM public.zones */ SELECT count(*) FROM public.zones"\n'
            'NOTE = "Update public.zones by asking the teacher"\n'
            'OWN = "INSERT INTO AIRFLOW_LASSE.raw_trips SELECT * FROM staging"  # noqa: ETQ301\n'
        ),
        Example(
            "from airflow.sdk import DAG\n\n"
            'with DAG("lasse_zones", tags=["student:lasse"],\n         description="Copies public.zones; maria reads airflow_maria.zones") as dag:\n'
            "    pass\n\n"
            "def check(cur):\n"
            "    if not cur.rowcount:\n"
            '        raise RuntimeError("INSERT INTO public.zones is the teacher\'s job: ask before rerunning")\n'
        ),
        Example(  # the message in a variable first, as ruff's EM101 asks
            'import logging\n\nlog = logging.getLogger(__name__)\nHELP = "Never run INSERT INTO public.trips by hand."\n\n'
            "def guard(sql):\n"
            '    msg = f"Refusing {sql!r}: INSERT INTO public.trips is the teacher\'s job"\n'
            "    log.error(msg)\n"
            "    raise ValueError(msg)\n\n"
            "def docs():\n    return dict(doc_md=HELP)\n"
        ),
    ]
    INVALID = [
        Example(
            "DELETE FROM {{ params.schema }}.raw_trips WHERE month = '{{ ds }}';\n\n"
            "INSERT INTO public.raw_trips\nSELECT * FROM staging.trips;\n",
            path="dags/lasse/queries/load.sql",
            expect=((3, "INSERT into public.raw_trips writes outside your schema"),),
        ),
        Example(
            "from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator\n\n"
            'copy_zones = SQLExecuteQueryOperator(\n    task_id="copy_zones",\n    conn_id="azure_pg",\n'
            '    sql="INSERT INTO public.zones SELECT * FROM airflow_lasse.zones_clean",\n)\n',
            expect=((6, "INSERT into public.zones writes outside your schema; write to airflow_lasse"),),
        ),
        Example(
            'def compare(cur):\n    cur.execute("SELECT count(*) FROM airflow_maria.raw_trips")\n',
            expect=(
                (2, 'airflow_maria.raw_trips is the schema of owner "maria"; dags/lasse/ may only use airflow_lasse'),
            ),
        ),
        Example(
            'def load(df, engine):\n    df.to_sql("raw_trips", engine, schema="public", if_exists="replace")\n',
            expect=((2, "to_sql into public.raw_trips writes outside your schema"),),
        ),
        Example(
            'LOAD_KW = dict(schema="public", if_exists="append", index=False)\n\n'
            'def load(df, engine):\n    df.to_sql("raw_trips", engine, **LOAD_KW)\n',
            expect=((4, "to_sql into public.raw_trips writes outside your schema"),),
        ),
        Example(
            'def load(cur):\n    cur.execute("SET search_path TO public; INSERT INTO raw_trips SELECT * FROM staging")\n',
            expect=((2, "INSERT into public.raw_trips writes outside your schema"),),
        ),
        Example(
            'def load(cur):\n    cur.execute("SET search_path TO public")\n'
            '    cur.execute("INSERT INTO raw_trips SELECT * FROM staging")\n',
            expect=((3, "INSERT into public.raw_trips writes outside your schema"),),
        ),
        Example(
            "from psycopg2 import sql\n\ndef load(cur):\n"
            '    query = sql.SQL("DELETE FROM {}").format(sql.Identifier("airflow_maria", "raw_trips"))\n'
            "    cur.execute(query)\n",
            expect=((4, 'airflow_maria.raw_trips is the schema of owner "maria"'),),
        ),
        Example(
            'DBT_ENV = {"PG_HOST": "{{ conn.azure_pg.host }}", "PG_SCHEMA": "airflow_maria"}\n',
            expect=((1, 'airflow_maria is the schema of owner "maria"'),),
        ),
        Example(
            "RESET = [\n"
            '    "DROP TABLE IF EXISTS public.raw_trips",\n'
            '    "DROP SCHEMA Airflow_Maria CASCADE",\n'
            '    "TRUNCATE airflow_lasse.raw_trips, staging.zones",\n'
            "    \"SELECT '/*'; insert into public.daily select 1; SELECT '*/'\",\n"
            '    "CREATE INDEX ix_zone ON public.zones (zone_id)",\n'
            "]\n",
            expect=(
                (2, "DROP of public.raw_trips writes outside your schema"),
                (3, 'airflow_maria is the schema of owner "maria"'),
                (4, "TRUNCATE of staging.zones writes outside your schema"),
                (5, "INSERT into public.daily writes outside your schema"),
                (6, "CREATE INDEX on public.zones writes outside your schema"),
            ),
        ),
        Example(
            "from airflow.providers.common.sql.operators.sql import SQLInsertRowsOperator\n\n"
            "def load(hook, cur, rows, f):\n"
            '    hook.insert_rows("public.zones", rows)\n'
            '    hook.bulk_load("airflow_maria.raw_trips", f)\n'
            '    cur.copy_from(f, "public.trips")\n\n'
            'insert = SQLInsertRowsOperator(task_id="insert", table_name="public.zones", rows=[(1,)])\n',
            expect=(
                (4, "insert_rows into public.zones writes outside your schema"),
                (5, 'airflow_maria.raw_trips is the schema of owner "maria"'),
                (6, "copy_from into public.trips writes outside your schema"),
                (8, "SQLInsertRowsOperator into public.zones writes outside your schema"),
            ),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        if file.student is None:
            return
        yield from self._sql(file)
        yield from self._arguments(file)
        yield from self._literals(file)

    def _literals(self, file: FileContext) -> Iterator[Report]:
        """A string that is exactly another owner's schema (or schema.table): a constant, a dict value."""
        # The parts of a psycopg sql.Identifier are reported with the SQL they are formatted into.
        identifiers = {f"{module}.Identifier" for module in PSYCOPG_SQL}
        in_identifiers = {
            id(arg.value)
            for call, scope in file.index.calls
            if file.resolver.callee(call, scope) in identifiers
            for arg in call.args
        }
        for site in file.index.literals:
            node = site.node
            if type(node) is not cst.SimpleString or id(node) in in_identifiers:  # exact type: ABCs are slow
                continue
            # Without a backslash a literal's text is what its quotes enclose; escapes need evaluating.
            texts = (
                [node.raw_value]
                if "\\" not in node.value
                else [text.exact or "" for text in file.resolver.text_values(node, site.scope)]
            )
            for text in texts:
                match = _SCHEMA_LITERAL.fullmatch(text)
                if match and foreign_owner(file, match.group("schema")) and not file.is_prose(site):
                    use = SchemaUse(match.group("schema"), match.group("table"), None)
                    yield Report(node, self._message(file, use))

    def _sql(self, file: FileContext) -> Iterator[Report]:
        seen_in_literals: set[SchemaUse] = set()
        for site, uses in schema_uses_by_site(file):
            literal = is_literal_string(site.node)
            reported: set[str] = set()
            for use in uses:
                if not schema_problem(file, use) or (not literal and use in seen_in_literals):
                    continue
                message = self._message(file, use)
                if message not in reported:
                    reported.add(message)
                    yield Report(site.node, message)
                if literal:
                    seen_in_literals.add(use)

    def _arguments(self, file: FileContext) -> Iterator[Report]:
        for call, scope in file.index.calls:
            method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
            for arg in call.args:
                for text in _schema_arguments(file, arg, scope):
                    schema = text.exact
                    if schema is None:
                        continue
                    other = foreign_owner(file, schema)
                    if other:
                        yield Report(arg.value, self._message(file, SchemaUse(schema, None, None)))
                    elif method in WRITING_METHODS and not is_own_schema(file, schema):
                        table = _first_string(call, file, scope)
                        yield Report(arg.value, self._message(file, SchemaUse(schema, table, method)))
            for target, verb in _table_targets(call, method):
                for text in file.resolver.text_values(target, scope):
                    if text.exact and text.exact.count(".") == 1:
                        schema, table = text.exact.split(".")
                        use = SchemaUse(schema.strip('"'), table.strip('"'), verb)
                        if schema_problem(file, use):
                            yield Report(target, self._message(file, use))

    @staticmethod
    def _message(file: FileContext, use: SchemaUse) -> str:
        own = file.config.schema_for(file.student or "")
        other = foreign_owner(file, use.schema)
        if other:
            return f'{use.target} is the schema of owner "{other}"; {file.owner_directory} may only use {own}'
        verb = use.verb or "write"
        return (
            f"{verb} {_PREPOSITIONS.get(verb, 'into')} {use.target} writes outside your schema; write to {own} instead"
        )


def _schema_arguments(file: FileContext, arg: cst.Arg, scope: Scope) -> list[Text]:
    """What a call's ``schema=`` may be: the keyword itself, or a ``**kwargs`` whose mapping holds it
    (``to_sql("t", engine, **LOAD_KW)`` with ``LOAD_KW = dict(schema="public", ...)``)."""
    if arg.keyword is not None:
        return list(file.resolver.text_values(arg.value, scope)) if arg.keyword.value in SCHEMA_KEYWORDS else []
    if arg.star != "**":
        return []
    found: list[Text] = []
    for mapping in file.resolver.values(arg.value, scope):
        if isinstance(mapping, Map):
            for keyword in SCHEMA_KEYWORDS:
                value = mapping.get(keyword)
                if isinstance(value, Text):
                    found.append(value)
    return found


def _table_targets(call: cst.Call, method: str | None) -> Iterator[tuple[cst.BaseExpression, str]]:
    """The arguments of a call that name a table it writes into (`schema.table`), with a verb."""
    callee = method or (call.func.value if isinstance(call.func, cst.Name) else "")
    operator = bool(_WRITING_OPERATOR.search(callee))
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if method in TABLE_POSITION and len(positional) > TABLE_POSITION[method]:
        yield positional[TABLE_POSITION[method]].value, method
    for arg in call.args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword in TABLE_KEYWORDS and (
            keyword not in ("table", "table_name") or method in WRITING_METHODS or method in TABLE_POSITION or operator
        ):
            yield arg.value, callee or keyword


def _first_string(call: cst.Call, file: FileContext, scope: object) -> str | None:
    if call.args and call.args[0].keyword is None:
        texts = file.resolver.text_values(call.args[0].value, scope)  # type: ignore[arg-type]
        if len(texts) == 1 and isinstance(texts[0], Text):
            return texts[0].exact
    return None


def foreign_owner(file: FileContext, schema: str) -> str | None:
    """The other owner whose schema this is, or None."""
    other = file.config.owner_of_schema(schema)
    if other is None:
        return None
    # Postgres folds unquoted names, so AIRFLOW_MARIA is maria's schema too.
    other = file.owners.folded(other)
    if other is None or (file.owner is not None and other.lower() == file.owner.lower()):
        return None
    return other


def is_own_schema(file: FileContext, schema: str) -> bool:
    return file.owner is not None and schema.lower() == file.config.schema_for(file.owner).lower()


def schema_problem(file: FileContext, use: SchemaUse) -> bool:
    if use.session_private:
        return False
    if foreign_owner(file, use.schema):
        return True
    return use.is_write and not is_own_schema(file, use.schema)


def schema_uses_by_site(file: FileContext) -> list[tuple[StringSite, list[SchemaUse]]]:
    """Schema uses of every string expression that is not an argument of a log call. A
    ``SET search_path`` in one string holds for the strings after it in the same function (one
    session: ``cur.execute("SET search_path TO public")`` then ``cur.execute("INSERT INTO t ...")``)."""
    found: list[tuple[StringSite, list[SchemaUse]]] = []
    sessions: dict[int, str | None] = {}  # id(scope) -> the search path its earlier SQL set
    temporary: dict[int, set[str]] = {}  # id(scope) -> the temp tables its earlier SQL created
    for site in file.index.sites:
        path = sessions.get(id(site.scope))
        if path is None and type(site.node) is cst.SimpleString:  # exact type: isinstance on ABCs is slow here
            # a plain literal is its own text: without a dot, "schema" or "search_path" it holds
            # no schema use (schema_uses' own first test), so it need not be resolved at all
            raw = site.node.value.lower()
            if "." not in raw and "schema" not in raw and "search_path" not in raw and "temp" not in raw:
                continue
        if file.is_prose(site):
            continue
        uses: list[SchemaUse] = []
        texts = file.site_texts(site)
        for text in texts:
            uses.extend(schema_uses(text, lambda use: schema_problem(file, use), path))
        after = {search_path_after(text, path) for text in texts}
        if len(after) == 1:
            sessions[id(site.scope)] = after.pop()
        own = temporary.setdefault(id(site.scope), set())
        if path is not None and own:  # an unqualified name lands in the search path, unless a temp table has it
            uses = [u for u in uses if not (u.schema == path and u.table is not None and u.table.lower() in own)]
        for text in texts:  # (pg_temp comes first for tables, whatever the search path says)
            own |= temporary_tables(text)
        if uses:
            found.append((site, list(dict.fromkeys(uses))))
    return found
