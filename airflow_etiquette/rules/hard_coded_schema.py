"""ETQ301 hard-coded-schema."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from airflow_etiquette.analysis.context import Edit, FileContext, Fix, Report
from airflow_etiquette.analysis.model import Scope, string_pieces
from airflow_etiquette.analysis.rewrite import (
    merged,
    owner_constant,
    owner_idiom,
    schema_name,
    schema_template,
    top_statement,
)
from airflow_etiquette.analysis.values import literal_text
from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Example, FileRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


class HardCodedSchema(FileRule):
    code = "ETQ301"
    reads_sql = True  # the statements of a .sql template file under dags/<owner>/
    name = "hard-coded-schema"
    severity = Severity.WARNING
    summary = 'A string literal naming the owner\'s own schema ("airflow_lasse") instead of deriving it.'
    what = (
        "Warns about a string literal in `dags/<owner>/` that spells out the owner's own schema\n"
        '(`"airflow_lasse"`, `"INSERT INTO airflow_lasse.raw_trips ..."`): in `schema=`, in a constant,\n'
        "in SQL text, also in `.sql` template files under `dags/<owner>/` (statement by statement).\n"
        "Docstrings, comments and log messages are not checked."
    )
    why = (
        "The class derives the schema from the file's folder, so a DAG that is copied to a classmate's\n"
        "folder, or used as a template next term, writes to its new owner's schema. A hard-coded name\n"
        "keeps writing into the old one: into someone else's data."
    )
    fix_note = (
        '`SCHEMA = "airflow_lasse"` becomes `SCHEMA = f"airflow_{STUDENT}"`; `schema="airflow_lasse"` and\n'
        "the like become the module's schema constant; in SQL text the name becomes `{SCHEMA}` in an\n"
        "f-string (a plain string turns into one; braces already in it are doubled). Where the module\n"
        "has no such constant, the class's two lines are added after the imports. Not fixed: SQL\n"
        "with Jinja (`{{ ds }}`) or `.format` placeholders, `.sql` files (pass the schema in\n"
        "`params=`), and strings split over several literals. Safe: in the owner's folder the value is\n"
        "the same."
    )
    VALID = [
        Example(
            "import os\nfrom pathlib import Path\n\n"
            'STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name\n'
            'SCHEMA = f"airflow_{STUDENT}"\n'
            "DELETE_MONTH = f'DELETE FROM \"{SCHEMA}\".raw_trips WHERE month = %s'\n"
        ),
        Example(
            'def load(df, engine):\n    """Loads into airflow_lasse.raw_trips."""\n    print("loaded into airflow_lasse")\n'
        ),
        Example(
            "from airflow.sdk import dag, task\n\n"
            '@dag(dag_id="lasse_weather", tags=["student:lasse"], doc_md="Loads airflow_lasse.weather daily.")\n'
            "def lasse_weather():\n"
            '    @task(doc_md="Writes one row per city into airflow_lasse.weather")\n'
            "    def load(rows):\n"
            '        assert rows, "nothing to load into airflow_lasse.weather"\n'
            "        if len(rows) > 10_000:\n"
            '            raise ValueError(f"too many rows for airflow_lasse.weather: {len(rows)}")\n'
        ),
        Example(  # a path or a URL that has the owner's folder in it names no schema
            "from airflow.sdk import Asset\n\n"
            'trips = Asset("s3://class-bucket/airflow_lasse/trips.parquet")\n'
            'EXPORT = "/data/exports/airflow_lasse/"\n'
        ),
    ]
    INVALID = [
        Example(
            "-- Load one month.\nDELETE FROM airflow_lasse.raw_trips WHERE month = '{{ ds }}';\n",
            path="dags/lasse/queries/load.sql",
            expect=((2, 'hard-coded schema "airflow_lasse"; write {{ params.schema }} and pass params='),),
        ),
        Example(
            'SCHEMA = "airflow_lasse"\n',
            expect=(
                (1, 'hard-coded schema "airflow_lasse"; derive it from the folder: SCHEMA = f"airflow_{STUDENT}"'),
            ),
        ),
        Example(
            "def load(df, engine, cur):\n"
            '    cur.execute("DELETE FROM airflow_lasse.raw_trips WHERE month = %s", ("2024-01",))\n'
            '    df.to_sql("raw_trips", engine, schema="airflow_lasse", if_exists="append")\n',
            expect=((2, 'hard-coded schema "airflow_lasse"'), (3, 'hard-coded schema "airflow_lasse"')),
        ),
        Example(
            'PURGE = "DELETE FROM\\nairflow_lasse.raw_trips"\nCOUNT = "SELECT count(*) FROM AIRFLOW_LASSE.raw_trips"\n',
            expect=((1, 'hard-coded schema "airflow_lasse"'), (2, 'hard-coded schema "airflow_lasse"')),
        ),
    ]

    def check(self, file: FileContext) -> Iterator[Report]:
        owner = file.student
        if owner is None:
            return
        schema = file.config.schema_for(owner)
        # Cheap first: the name itself never needs an escape, so the source text must hold it.
        needle = schema.lower()
        candidates = [
            site
            for site in file.index.literals
            if not file.is_prose(site)
            and any(
                needle in piece.value.lower()
                if isinstance(piece, cst.SimpleString)
                else any(
                    needle in part.value.lower() for part in piece.parts if isinstance(part, cst.FormattedStringText)
                )
                for piece in string_pieces(site.node)
            )
        ]
        # Unquoted names fold to lower case in Postgres: AIRFLOW_LASSE is the same schema.
        # (a segment of a path or a URL, "s3://bucket/airflow_lasse/trips.parquet", is no schema)
        pattern = re.compile(rf"(?<![\w$/]){re.escape(schema)}(?![\w$/])", re.IGNORECASE)
        template = file.config.schema.replace("{owner}", "{STUDENT}")
        if file.relpath.endswith(".sql"):  # a template file: the DAG that runs it passes the schema in
            fix = 'write {{ params.schema }} and pass params={"schema": SCHEMA} where the DAG runs this file'
        else:
            fix = f'derive it from the folder: SCHEMA = f"{template}"'
        for site in candidates:
            if any(pattern.search(literal_text(piece)) for piece in string_pieces(site.node)):
                yield Report(
                    site.node,
                    f'hard-coded schema "{schema}"; {fix}',
                    fix=functools.partial(_fix, file, site.node, site.scope, pattern),
                )


def _fix(file: FileContext, node: cst.BaseExpression, scope: Scope, pattern: re.Pattern[str]) -> Fix | None:
    """The schema derived: a constant's literal becomes the template on the owner's name, any other
    exact literal the module's schema constant, SQL text an f-string with it."""
    if file.owner is None or file.relpath.endswith((".sql", ".sh", ".bash")):
        return None
    schema = file.config.schema_for(file.owner)
    if isinstance(node, cst.SimpleString) and node.evaluated_value == schema:
        module = file.index.module_scope
        if any(b.value is node for bindings in module.bindings.values() for b in bindings):
            return _fix_constant(file, node)  # SCHEMA = "airflow_lasse": the constant itself
        named = schema_name(file, scope, node)
        return Fix(merged(((node, cst.Name(named[0])), *named[1]))) if named is not None else None
    named = schema_name(file, scope, node)
    if named is None:
        return None
    name, edits = named
    if isinstance(node, cst.SimpleString):
        text = node.evaluated_value
        if not isinstance(text, str) or "b" in node.prefix.lower() or "u" in node.prefix.lower():
            return None
        if "{{" in text or "{%" in text or re.search(r"\{\w*\}", text) or "\\N{" in node.value:
            return None  # Jinja or a .format template: its own kind of placeholder, left to the author
        body = node.value[len(node.prefix) + len(node.quote) : -len(node.quote)]
        body = body.replace("{", "{{").replace("}", "}}")
        replaced = pattern.sub(lambda _: f"{{{name}}}", body)
        if replaced == body:
            return None  # the name is spelled with escapes here
        try:
            new = cst.parse_expression(f"f{node.prefix}{node.quote}{replaced}{node.quote}")
        except cst.ParserSyntaxError:
            return None
        return Fix(merged(((node, new), *edits)))
    if isinstance(node, cst.FormattedString):
        parts: list[cst.BaseFormattedStringContent] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText) and pattern.search(part.value):
                pieces = pattern.split(part.value)
                for index, piece in enumerate(pieces):
                    if index:
                        parts.append(cst.FormattedStringExpression(cst.Name(name)))
                    if piece:
                        parts.append(cst.FormattedStringText(piece))
            else:
                parts.append(part)
        return Fix(merged(((node, node.with_changes(parts=parts)), *edits)))
    return None


def _fix_constant(file: FileContext, node: cst.SimpleString) -> Fix | None:
    """``SCHEMA = "airflow_lasse"`` becomes ``SCHEMA = f"airflow_{STUDENT}"``, with ``STUDENT``
    defined above it where the module has no owner constant there."""
    module = file.index.module_scope
    owner_name = owner_constant(file, module, node)
    edits: tuple[Edit, ...] = ()
    if owner_name is None:
        number = top_statement(file, node)
        if number is None:
            return None
        derived = owner_idiom(file, module, file.index.module.body[number])
        if derived is None:
            return None
        owner_name, edits = derived
    template = schema_template(file, owner_name)
    return Fix(merged(((node, template), *edits))) if template is not None else None
