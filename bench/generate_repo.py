"""Write a synthetic class repository for the benchmark: one teacher DAG plus N students.

    python bench/generate_repo.py --owners 300 --out /tmp/class-repo [--seed 11]

Every student gets ``dags/<owner>/taxi_pipeline.py``, a ~200-line TaskFlow DAG that
follows the class conventions (path-derived ``STUDENT``/``SCHEMA``, ``<owner>_`` dag_id,
``student:<owner>`` tag, only *reading* the shared ``azure_pg`` connection), so
``airflow-etiquette check`` should report nothing on the result. About one owner in
five also gets a second file: a helper module or a second, smaller DAG.

Content varies per owner (Airflow 2 or 3 imports, task names, months, optional tasks),
chosen by a random generator seeded with ``seed`` and the owner's name: the same
seed always gives the same files, and a smaller repository is a prefix of a larger one.
Every file is checked with ``ast.parse`` (never imported) before it is written.
"""

from __future__ import annotations

import argparse
import ast
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template

DEFAULT_SEED = 11
PYPROJECT = '[tool.airflow-etiquette]\nshared-connections = ["azure_pg"]\n'
# What the class's scheduler installs on top of Airflow's image (so ETQ606 checks every import).
REQUIREMENTS = "apache-airflow-providers-postgres\npsycopg2-binary\npyarrow\npandas\nrequests\n"

FIRST_NAMES = (
    "lasse",
    "maria",
    "ahmed",
    "sofia",
    "jonas",
    "emma",
    "yusuf",
    "lena",
    "omar",
    "nora",
    "pieter",
    "fatima",
    "daan",
    "ines",
    "mehmet",
    "julia",
    "lucas",
    "amira",
    "tom",
    "zeynep",
    "sanne",
    "karim",
    "eva",
    "bram",
    "leila",
    "noah",
    "sara",
    "milan",
    "hana",
    "ruben",
    "aisha",
    "finn",
    "mila",
    "adam",
    "yara",
    "sem",
    "lotte",
    "ali",
    "iris",
    "thijs",
)
LAST_INITIALS = "abcdefghijklmnoprstvwz"

# Each ingredient below is a small, seeded choice; together they keep files from
# being byte-identical without drifting away from what a student would write.
INGEST_NAMES = ("ingest_taxi_month", "load_taxi_month", "ingest_month", "load_raw_trips")
CHECK_NAMES = ("check_row_count", "validate_load", "assert_rows_loaded")
SCHEMA_TASK_NAMES = ("create_schema", "ensure_tables", "prepare_schema")
MONTHS = tuple(f"2024-{m:02d}" for m in range(1, 13)) + ("2023-11", "2023-12")
SCHEDULES = ('"@monthly"', '"0 6 2 * *"', '"@once"', "None")
DBT_SELECTS = ("staging+", "stg_trips+ marts", "tag:taxi", "+fct_trips")
MIN_FARES = ("0", "0.01", "2.5")


@dataclass(frozen=True)
class Variant:
    """The choices that make one owner's taxi_pipeline.py different from the next."""

    owner: str
    airflow3: bool
    literal_ids: bool  # "lasse_taxi_pipeline" instead of f"{STUDENT}_taxi_pipeline"
    color: str
    month: str
    schedule: str
    retries: int
    ingest_name: str
    check_name: str
    schema_task_name: str
    dbt_select: str
    min_fare: str
    with_summary: bool
    with_cleanup: bool
    install_dbt_inline: bool
    second_file: str | None  # "helpers", "second_dag" or None


def owner_names(count: int, seed: int) -> list[str]:
    """``count`` unique, lowercase names: first names, then with initials and numbers."""
    rng = random.Random(f"names:{seed}")
    names: list[str] = []
    seen: set[str] = set()
    firsts = list(FIRST_NAMES)
    rng.shuffle(firsts)
    candidates = iter(firsts)
    while len(names) < count:
        name = next(candidates, None)
        if name is None:
            first = rng.choice(FIRST_NAMES)
            suffix = rng.choice(LAST_INITIALS) + (str(rng.randint(1, 99)) if rng.random() < 0.6 else "")
            name = first + suffix
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def choose_variant(owner: str, seed: int) -> Variant:
    rng = random.Random(f"owner:{seed}:{owner}")
    second = rng.random()
    return Variant(
        owner=owner,
        airflow3=rng.random() < 0.5,
        literal_ids=rng.random() < 0.3,
        color=rng.choice(("yellow", "yellow", "green")),
        month=rng.choice(MONTHS),
        schedule=rng.choice(SCHEDULES),
        retries=rng.choice((1, 2, 3)),
        ingest_name=rng.choice(INGEST_NAMES),
        check_name=rng.choice(CHECK_NAMES),
        schema_task_name=rng.choice(SCHEMA_TASK_NAMES),
        dbt_select=rng.choice(DBT_SELECTS),
        min_fare=rng.choice(MIN_FARES),
        with_summary=rng.random() < 0.5,
        with_cleanup=rng.random() < 0.4,
        install_dbt_inline=rng.random() < 0.3,
        second_file="helpers" if second < 0.1 else "second_dag" if second < 0.2 else None,
    )


# --- the student's taxi_pipeline.py, section by section ------------------------------

HEADER = Template('''\
"""NYC $color taxi pipeline for $owner (week 11: deploying to the shared Airflow).

Downloads one month of $color taxi trips from the TLC parquet files, loads them into
my own schema on the shared Azure Postgres and runs the class dbt project on top.

Locally I set AIRFLOW_STUDENT=$owner; on the shared VM there is no such variable,
so STUDENT falls back to the name of the directory this file lives in
(dags/$owner/). Everything I write goes to airflow_<STUDENT>, never to public.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
$imports
from airflow.providers.postgres.hooks.postgres import PostgresHook

log = logging.getLogger(__name__)

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

TAXI_COLOR = "$color"
DEFAULT_MONTH = "$month"
TLC_URL = "https://d37ci6vzurychx.cloudfront.net/trip-data/{color}_tripdata_{month}.parquet"
CHUNK_SIZE = 50_000
MIN_FARE = $min_fare

# The dbt project is shared and read-only; only the target schema is mine.
DBT_PROJECT_DIR = "/opt/airflow/include/dbt_project"
DBT_TARGET = "shared"

# dbt gets the shared connection through env vars. Airflow renders the
# templates at run time, so no password ever ends up in this file.
DBT_ENV = {
    "DBT_HOST": "{{ conn.azure_pg.host }}",
    "DBT_PORT": "{{ conn.azure_pg.port }}",
    "DBT_USER": "{{ conn.azure_pg.login }}",
    "DBT_PASSWORD": "{{ conn.azure_pg.password }}",
    "DBT_DBNAME": "{{ conn.azure_pg.schema }}",
    "DBT_SCHEMA": SCHEMA,
    "DBT_PROFILES_DIR": DBT_PROJECT_DIR,
    "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
}

# Columns the dbt staging model expects, with the types I create them with.
RAW_TRIP_COLUMNS = {
    "vendorid": "integer",
    "pickup_datetime": "timestamp",
    "dropoff_datetime": "timestamp",
    "passenger_count": "integer",
    "trip_distance": "double precision",
    "pulocationid": "integer",
    "dolocationid": "integer",
    "payment_type": "integer",
    "fare_amount": "numeric(10, 2)",
    "tip_amount": "numeric(10, 2)",
    "total_amount": "numeric(10, 2)",
    "source_month": "text",
}

DEFAULT_ARGS = {
    "owner": STUDENT,
    "retries": $retries,
    "retry_delay": timedelta(minutes=$retry_minutes),
}
''')

AIRFLOW2_IMPORTS = """\
from airflow.decorators import dag, task
from airflow.operators.bash import BashOperator
from airflow.operators.python import get_current_context"""

AIRFLOW3_IMPORTS = """\
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import dag, get_current_context, task"""

HELPERS = Template('''

def month_url(month: str, color: str = TAXI_COLOR) -> str:
    """The TLC download URL of one month, e.g. ``month_url("2024-01")``."""
    return TLC_URL.format(color=color, month=month)


def pick_month() -> str:
    """The month to load: the run's ``month`` param, else the default."""
    context = get_current_context()
    month = (context["params"] or {}).get("month") or DEFAULT_MONTH
    if len(month) != 7 or month[4] != "-":
        raise ValueError(f"month must look like 2024-01, got {month!r}")
    return month


def clean_trips(df: pd.DataFrame, month: str) -> pd.DataFrame:
    """Keep the columns dbt uses and drop rows that are obviously broken."""
    df = df.rename(columns=str.lower).rename(
        columns={
            "${pickup_prefix}_pickup_datetime": "pickup_datetime",
            "${pickup_prefix}_dropoff_datetime": "dropoff_datetime",
        }
    )
    df["source_month"] = month
    df = df[[column for column in RAW_TRIP_COLUMNS if column in df.columns]]
    df = df[(df["trip_distance"] > 0) & (df["fare_amount"] >= MIN_FARE)]
    # TLC files contain a few trips from other months; they belong to another load.
    in_month = df["pickup_datetime"].dt.strftime("%Y-%m") == month
    log.info("keeping %d of %d rows for %s", int(in_month.sum()), len(df), month)
    return df[in_month]


def column_ddl() -> str:
    return ",\\n    ".join(f"{name} {sql_type}" for name, sql_type in RAW_TRIP_COLUMNS.items())
''')

DAG_OPEN = Template('''

@dag(
    dag_id=$dag_id,
    description="Monthly NYC $color taxi load into my own schema, then dbt",
    schedule=$schedule,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"month": DEFAULT_MONTH},
    tags=["week11", "taxi", $tag],
)
def taxi_pipeline():
    """Schema -> raw_trips for one month -> row check -> dbt run -> dbt test."""

    @task
    def $schema_task() -> None:
        """Create my schema and the raw table if this is the first run."""
        hook = PostgresHook(postgres_conn_id="azure_pg")
        with hook.get_conn() as conn, conn.cursor() as cur:
            cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
            cur.execute(f'CREATE TABLE IF NOT EXISTS "{SCHEMA}".raw_trips ({column_ddl()})')
            conn.commit()
        log.info("schema %s is ready", SCHEMA)

    @task
    def $ingest() -> dict:
        """Replace one month of trips in my raw_trips table (idempotent re-runs)."""
        month = pick_month()
        url = month_url(month)
        log.info("downloading %s", url)
        df = clean_trips(pd.read_parquet(url), month)

        hook = PostgresHook(postgres_conn_id="azure_pg")
        with hook.get_conn() as conn, conn.cursor() as cur:
            # Delete first so a retry or a re-run does not double the month.
            cur.execute(f'DELETE FROM "{SCHEMA}".raw_trips WHERE source_month = %s', (month,))
            log.info("deleted %d old rows for %s", cur.rowcount, month)
            conn.commit()

        df.to_sql(
            "raw_trips",
            hook.get_sqlalchemy_engine(),
            schema=SCHEMA,
            if_exists="append",
            index=False,
            chunksize=CHUNK_SIZE,
            method="multi",
        )
        return {"month": month, "rows": len(df)}

    @task
    def $check(loaded: dict) -> dict:
        """Fail loudly when the table does not hold what the load said it wrote."""
        hook = PostgresHook(postgres_conn_id="azure_pg")
        count = hook.get_first(
            f'SELECT count(*) FROM "{SCHEMA}".raw_trips WHERE source_month = %s',
            parameters=(loaded["month"],),
        )[0]
        if count != loaded["rows"]:
            raise ValueError(f"expected {loaded['rows']} rows for {loaded['month']}, found {count}")
        if count == 0:
            raise ValueError(f"no trips loaded for {loaded['month']}; is the month published yet?")
        log.info("%s: %d rows in %s.raw_trips", loaded["month"], count, SCHEMA)
        return loaded
''')

SUMMARY_TASK = '''
    @task
    def summarise_daily(loaded: dict) -> None:
        """Daily trip counts per pickup borough, for the dashboard in week 12."""
        hook = PostgresHook(postgres_conn_id="azure_pg")
        hook.run(
            f"""
            CREATE TABLE IF NOT EXISTS "{SCHEMA}".daily_trips (
                trip_date date, borough text, trips integer, revenue numeric(12, 2)
            )
            """
        )
        hook.run(f'DELETE FROM "{SCHEMA}".daily_trips WHERE to_char(trip_date, \\'YYYY-MM\\') = %s',
                 parameters=(loaded["month"],))
        hook.run(
            f"""
            INSERT INTO "{SCHEMA}".daily_trips (trip_date, borough, trips, revenue)
            SELECT t.pickup_datetime::date, z.borough, count(*), sum(t.total_amount)
            FROM "{SCHEMA}".raw_trips AS t
            JOIN public.taxi_zones AS z ON z.locationid = t.pulocationid
            WHERE t.source_month = %s
            GROUP BY 1, 2
            """,
            parameters=(loaded["month"],),
        )
'''

CLEANUP_TASK = Template('''
    @task
    def cleanup_old_months(keep: int = $keep) -> None:
        """Keep my schema small: the shared Postgres has a quota for the whole class."""
        hook = PostgresHook(postgres_conn_id="azure_pg")
        months = [row[0] for row in hook.get_records(
            f'SELECT DISTINCT source_month FROM "{SCHEMA}".raw_trips ORDER BY 1 DESC'
        )]
        for month in months[keep:]:
            hook.run(f'DELETE FROM "{SCHEMA}".raw_trips WHERE source_month = %s', parameters=(month,))
            log.info("dropped %s from %s.raw_trips", month, SCHEMA)
''')

DBT_TASKS = Template("""
    # The shared VM does not ship dbt (see the week 11 notes), so these may stay
    # up-for-retry there; locally they run against the same schema.
    dbt_run = BashOperator(
        task_id="dbt_run",
        bash_command=$run_command,
        env=DBT_ENV,
        cwd=DBT_PROJECT_DIR,
    )
    dbt_test = BashOperator(
        task_id="dbt_test",
        bash_command=f"dbt test --target {DBT_TARGET} --select $select",
        env=DBT_ENV,
        cwd=DBT_PROJECT_DIR,
    )
""")

DAG_CLOSE = Template("""
    schema_ready = $schema_task()
    loaded = $ingest()
    checked = $check(loaded)
    schema_ready >> loaded
    checked >> dbt_run >> dbt_test
$extra_wiring

taxi_pipeline()
""")


def taxi_pipeline_source(v: Variant) -> str:
    """The text of ``dags/<owner>/taxi_pipeline.py`` for one variant."""
    header = HEADER.substitute(
        owner=v.owner,
        color=v.color,
        month=v.month,
        min_fare=v.min_fare,
        retries=v.retries,
        retry_minutes=5 * v.retries,
        imports=AIRFLOW3_IMPORTS if v.airflow3 else AIRFLOW2_IMPORTS,
    )
    helpers = HELPERS.substitute(pickup_prefix="tpep" if v.color == "yellow" else "lpep")
    dag_id = f'"{v.owner}_taxi_pipeline"' if v.literal_ids else 'f"{STUDENT}_taxi_pipeline"'
    tag = f'"student:{v.owner}"' if v.literal_ids else 'f"student:{STUDENT}"'
    dag_open = DAG_OPEN.substitute(
        dag_id=dag_id,
        tag=tag,
        color=v.color,
        schedule=v.schedule,
        schema_task=v.schema_task_name,
        ingest=v.ingest_name,
        check=v.check_name,
    )
    run_command = f'f"dbt run --target {{DBT_TARGET}} --select {v.dbt_select}"'
    if v.install_dbt_inline:
        run_command = (
            '(\n            "pip install --quiet dbt-postgres==1.10.* && "\n'
            f'            f"dbt deps && dbt run --target {{DBT_TARGET}} --select {v.dbt_select}"\n        )'
        )
    extra_tasks, extra_wiring = "", ""
    if v.with_summary:
        extra_tasks += SUMMARY_TASK
        extra_wiring += "    summarise_daily(checked)\n"
    if v.with_cleanup:
        extra_tasks += CLEANUP_TASK.substitute(keep=3 + len(v.owner) % 4)
        extra_wiring += "    dbt_test >> cleanup_old_months()\n"
    dbt = DBT_TASKS.substitute(run_command=run_command, select=v.dbt_select)
    close = DAG_CLOSE.substitute(
        schema_task=v.schema_task_name,
        ingest=v.ingest_name,
        check=v.check_name,
        extra_wiring=extra_wiring,
    )
    return header + helpers + dag_open + extra_tasks + dbt + close


# --- the optional second file ----------------------------------------------------------

HELPER_MODULE = Template('''\
"""Small helpers I use from notebooks and from my taxi_pipeline DAG.

No DAG in here: the scheduler parses this file, finds nothing and moves on.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


def months_between(first: str, last: str) -> list[str]:
    """["2024-01", "2024-02", ...] from ``first`` to ``last`` inclusive."""
    year, month = (int(part) for part in first.split("-"))
    result = []
    while f"{year:04d}-{month:02d}" <= last:
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def row_counts(table: str = "raw_trips") -> dict[str, int]:
    """Rows per source month in one of my tables (read-only)."""
    hook = PostgresHook(postgres_conn_id="azure_pg")
    rows = hook.get_records(
        f'SELECT source_month, count(*) FROM "{SCHEMA}".{table} GROUP BY 1 ORDER BY 1'
    )
    return {month: count for month, count in rows}


def compare_with_zones(limit: int = $limit) -> list[tuple]:
    """Top pickup zones; public.taxi_zones is the class's shared lookup table."""
    hook = PostgresHook(postgres_conn_id="azure_pg")
    return hook.get_records(
        f"""
        SELECT z.zone, count(*) AS trips
        FROM "{SCHEMA}".raw_trips AS t
        JOIN public.taxi_zones AS z ON z.locationid = t.pulocationid
        GROUP BY z.zone
        ORDER BY trips DESC
        LIMIT %s
        """,
        parameters=(limit,),
    )
''')

SECOND_DAG = Template('''\
"""Refresh my copy of the taxi zone lookup once a week (a second, small DAG)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

$imports
from airflow.providers.postgres.hooks.postgres import PostgresHook

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"
ZONES_URL = "https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv"


def refresh_zones() -> int:
    import pandas as pd

    zones = pd.read_csv(ZONES_URL).rename(columns=str.lower)
    hook = PostgresHook(postgres_conn_id="azure_pg")
    hook.run(f'DROP TABLE IF EXISTS "{SCHEMA}".taxi_zones')
    zones.to_sql("taxi_zones", hook.get_sqlalchemy_engine(), schema=SCHEMA, index=False)
    return len(zones)


with DAG(
    dag_id=$dag_id,
    schedule="@weekly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["week11", "zones", $tag],
) as dag:
    PythonOperator(task_id="refresh_zones", python_callable=refresh_zones)
''')

SECOND_DAG_IMPORTS2 = "from airflow import DAG\nfrom airflow.operators.python import PythonOperator"
SECOND_DAG_IMPORTS3 = (
    "from airflow.providers.standard.operators.python import PythonOperator\nfrom airflow.sdk import DAG"
)

TEACHER_DAG = '''\
"""Class demo DAG, owned by the teacher: proves the shared scheduler picks up dags/.

Students: do not copy this one, and do not pause or trigger it on the shared UI.
"""

from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="class_demo_hello",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["class", "demo"],
) as dag:
    hello = BashOperator(task_id="say_hello", bash_command="echo 'Hello from the shared Airflow VM'")
    whoami = BashOperator(task_id="whoami", bash_command="hostname && airflow version")
    hello >> whoami
'''


def second_file(v: Variant) -> tuple[str, str] | None:
    """(file name, source) of the owner's second file, if they have one."""
    if v.second_file == "helpers":
        return "taxi_helpers.py", HELPER_MODULE.substitute(limit=10 + len(v.owner))
    if v.second_file == "second_dag":
        source = SECOND_DAG.substitute(
            imports=SECOND_DAG_IMPORTS3 if v.airflow3 else SECOND_DAG_IMPORTS2,
            dag_id=f'"{v.owner}_zones_refresh"' if v.literal_ids else 'f"{STUDENT}_zones_refresh"',
            tag=f'"student:{v.owner}"' if v.literal_ids else 'f"student:{STUDENT}"',
        )
        return "zones_refresh.py", source
    return None


# --- writing the repository ------------------------------------------------------------


def repo_files(owners: int, seed: int) -> dict[str, str]:
    """Every file of the repository, by path relative to its root."""
    files = {"pyproject.toml": PYPROJECT, "requirements.txt": REQUIREMENTS, "dags/example_class_demo.py": TEACHER_DAG}
    for owner in owner_names(owners, seed):
        variant = choose_variant(owner, seed)
        files[f"dags/{owner}/taxi_pipeline.py"] = taxi_pipeline_source(variant)
        extra = second_file(variant)
        if extra is not None:
            files[f"dags/{owner}/{extra[0]}"] = extra[1]
    return files


def write_repo(out: Path, owners: int, seed: int = DEFAULT_SEED) -> int:
    """Write the repository into ``out`` (which must be absent or empty); return the .py count."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose another --out or pass --force")
    files = repo_files(owners, seed)
    for relpath, text in files.items():
        if relpath.endswith(".py"):
            ast.parse(text, filename=relpath)  # a SyntaxError here is a generator bug
        target = out / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return sum(1 for relpath in files if relpath.endswith(".py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, required=True, help="number of student directories")
    parser.add_argument("--out", type=Path, required=True, help="directory to create (absent or empty)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--force", action="store_true", help="delete --out first if it exists")
    args = parser.parse_args(argv)
    if args.owners < 0:
        parser.error("--owners must be 0 or more")
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    try:
        count = write_repo(args.out, args.owners, args.seed)
    except FileExistsError as exc:
        print(f"generate_repo: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {count} Python files for {args.owners} owners to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
