"""analysis.sql: which schemas a SQL text reads and writes (a scan first, sqlglot for the real parse)."""

from __future__ import annotations

import pytest

from airflow_etiquette.analysis.sql import SchemaUse, schema_uses
from airflow_etiquette.analysis.values import Hole, Text


def uses(sql: str) -> list[tuple[str, str | None, str | None]]:
    return [(u.schema, u.table, u.verb) for u in schema_uses(Text.of(sql), lambda use: True)]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("INSERT INTO public.trips SELECT 1", [("public", "trips", "INSERT")]),
        ("DELETE FROM airflow_maria.raw_trips WHERE 1=1", [("airflow_maria", "raw_trips", "DELETE")]),
        ("TRUNCATE airflow_lasse.a, staging.b", [("airflow_lasse", "a", "TRUNCATE"), ("staging", "b", "TRUNCATE")]),
        ("SELECT * FROM public.zones", [("public", "zones", None)]),
        ("/* DELETE FROM public.zones */ SELECT 1", []),
        ("SELECT 1 -- DROP TABLE public.trips", []),
    ],
)
def test_reads_and_writes_are_told_apart(sql: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    assert uses(sql) == expected


def test_a_placeholder_is_never_a_schema() -> None:
    text = Text.of("DELETE FROM ", Hole("SCHEMA"), ".raw_trips")
    assert schema_uses(text, lambda use: True) == []
    assert uses("INSERT INTO {{ params.schema }}.raw_trips SELECT 1") == []


@pytest.mark.parametrize(
    "sql",
    [
        'DELETE FROM "{schema}".raw_trips WHERE month = %s',  # str.format
        'DELETE FROM "{}".raw_trips',
        'TRUNCATE "%s".stage',  # printf-style
        'TRUNCATE "%(schema)s".stage',
        'INSERT INTO "${schema}".stage SELECT 1',  # string.Template, a shell
        'INSERT INTO "$SCHEMA".stage SELECT 1',
        'INSERT INTO "{schema}_v2".stage SELECT 1',
    ],
)
def test_a_quoted_template_parameter_is_never_a_schema(sql: str) -> None:
    assert uses(sql) == []


def test_a_quoted_name_is_still_a_schema() -> None:
    assert uses('INSERT INTO "public".trips SELECT \'{"a": 1}\'') == [("public", "trips", "INSERT")]
    assert uses('INSERT INTO "$SCHEMA".t SELECT * FROM public.trips') == [("public", "trips", None)]
    # a shell's quotes around a whole statement are no identifier: its schema still counts
    for command in (
        """psql "$PG" -c "DELETE FROM airflow_maria.trips WHERE day = '${DAY}'\"""",
        """psql "$PG" -c "DELETE FROM airflow_maria.trips WHERE day = '$DAY'\"""",
        """psql "$PG" -c "TRUNCATE airflow_maria.trips; COPY airflow_maria.trips FROM '$CSV' CSV\"""",
    ):
        assert ("airflow_maria", "trips", "TRUNCATE" if "TRUNCATE" in command else "DELETE") in uses(command)


def test_a_schema_use_names_its_target() -> None:
    assert SchemaUse("public", "trips", "INSERT").target == "public.trips"
    assert SchemaUse("airflow_maria", None, None).target == "airflow_maria"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SET search_path TO public; INSERT INTO raw_trips SELECT 1", [("public", "raw_trips", "INSERT")]),
        ("SET search_path = airflow_maria, public; DELETE FROM trips", [("airflow_maria", "trips", "DELETE")]),
        ("INSERT INTO raw_trips SELECT 1; SET search_path TO public", []),  # set after the write
        ("SET search_path TO {{ params.schema }}; TRUNCATE raw", []),  # a placeholder is never a schema
    ],
)
def test_an_unqualified_write_lands_in_the_search_path_set_before_it(
    sql: str, expected: list[tuple[str, str | None, str | None]]
) -> None:
    assert [use for use in uses(sql) if use[1] is not None] == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # a quote inside a comment starts no literal: the commented-out write stays commented out
        ("-- don't run the old copy\n/* INSERT INTO airflow_maria.trips SELECT 1 */\nSELECT 1", []),
        # a stray Jinja opener hides nothing after it (a hook runs its SQL unrendered)
        ("-- {#\nDELETE FROM airflow_maria.trips", [("airflow_maria", "trips", "DELETE")]),
        # comment markers inside a literal are text
        ("SELECT '--x' ; DELETE FROM public.t", [("public", "t", "DELETE")]),
        ("SELECT 'it''s /* no' ; DELETE FROM public.t /* x */", [("public", "t", "DELETE")]),
    ],
)
def test_comments_quotes_and_jinja_are_told_apart(sql: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    assert [use for use in uses(sql) if use[2] is not None or use[1] is not None] == expected


def test_a_plpgsql_message_is_text_and_an_executed_string_a_statement() -> None:
    assert uses("DO $$ BEGIN RAISE NOTICE 'skipping delete from public.trips'; END $$") == []
    assert ("public", "trips", "DELETE") in uses("DO $$ BEGIN EXECUTE 'DELETE FROM public.trips'; END $$")
    assert ("public", "x", "DELETE") in uses("DO $$ BEGIN RAISE 'it''s gone'; DELETE FROM public.x; END $$")
    # "raise '" inside a literal is its text: the statement after it still counts
    assert ("public", "j2", "DELETE") in uses(
        "INSERT INTO log VALUES ('we raise '); DELETE FROM public.j2 WHERE a = 'b'"
    )


def test_the_excluded_row_of_an_upsert_is_no_schema() -> None:
    """Also for the scan alone (what the audit lists as a file's schemas, parsing nothing)."""
    sql = "INSERT INTO airflow_lasse.t (k, v) VALUES (1, 2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
    assert uses(sql) == [("airflow_lasse", "t", "INSERT")]
    scanned = schema_uses(Text.of(sql), lambda use: False)
    assert [(u.schema, u.table, u.verb) for u in scanned] == [("airflow_lasse", "t", "INSERT")]


def test_an_escape_string_is_one_literal_for_every_supported_sqlglot() -> None:
    """E'it\\'s; ...' holds no statement; sqlglot 26 cannot tokenize the backslash form itself."""
    assert uses("INSERT INTO x.t (note) VALUES (E'it\\'s; DELETE FROM public.x')") == [("x", "t", "INSERT")]
    assert ("public", "y", "DELETE") in uses("INSERT INTO x.t VALUES (E'a\\\\'); DELETE FROM public.y")
