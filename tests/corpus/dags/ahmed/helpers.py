"""Shared bits for my DAGs: tags, dbt settings and a connection helper.

Not a DAG file; the other files in dags/ahmed/ import from here.
"""

import os
import subprocess
from pathlib import Path

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name

DBT_DIR = "/opt/airflow/include/dbt_project"

DBT_ENV = {
    "PG_HOST": "{{ conn.azure_pg.host }}",
    "PG_PORT": "{{ conn.azure_pg.port }}",
    "PG_USER": "{{ conn.azure_pg.login }}",
    "PG_PASSWORD": "{{ conn.azure_pg.password }}",
    "PG_DBNAME": "{{ conn.azure_pg.schema }}",
    "PG_SCHEMA": "airflow_ahmed",  # expect: ETQ301
}


def default_tags(*extra: str) -> list[str]:
    """Tags every DAG of mine should carry, plus any extras."""
    tags = ["week11", f"student:{STUDENT}"]
    for tag in extra:
        if tag not in tags:
            tags.append(tag)
    return tags


def dbt_command(verb: str, select: str | None = None) -> str:
    """A dbt CLI call against the shared project."""
    cmd = f"dbt {verb} --project-dir {DBT_DIR} --profiles-dir {DBT_DIR}"
    if select:
        cmd += f" --select {select}"
    return cmd


def ensure_connection() -> None:
    """Create azure_pg when it is missing, so `airflow dags test` works on a fresh machine."""
    uri = os.environ.get("AZURE_PG_URI")
    if not uri:
        return
    listed = subprocess.run(["airflow", "connections", "get", "azure_pg"], capture_output=True, text=True)
    if listed.returncode != 0:
        subprocess.run(["airflow", "connections", "add", "azure_pg", "--conn-uri", uri], check=True)  # expect: ETQ401
