"""Naming helpers shared by my DAG files (no DAGs in here).

build_dag_id() keeps my ids consistent: sofia_<topic>[_<env>].
"""

import os
import re
from pathlib import Path

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"

_ALLOWED = re.compile(r"[^a-z0-9_]+")


def build_dag_id(topic: str, env: str | None = None) -> str:
    """sofia_<topic> with anything odd squashed to underscores."""
    parts = [STUDENT, topic]
    if env and env != "prod":
        parts.append(env)
    cleaned = [_ALLOWED.sub("_", part.lower()).strip("_") for part in parts]
    return "_".join(p for p in cleaned if p)


def table(name: str) -> str:
    """Fully qualified, quoted table name in my schema."""
    return f'"{SCHEMA}"."{name}"'


def upsert_sql(name: str, key: str, columns: list[str]) -> str:
    """INSERT ... ON CONFLICT statement for a table in my schema."""
    cols = ", ".join(columns)
    placeholders = ", ".join(["%s"] * len(columns))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
    return f'INSERT INTO "{SCHEMA}".{name} ({cols}) VALUES ({placeholders}) ON CONFLICT ({key}) DO UPDATE SET {updates}'
