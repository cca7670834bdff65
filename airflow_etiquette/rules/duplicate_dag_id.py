"""ETQ104 duplicate-dag-id."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Rule


class DuplicateDagId(Rule):
    code = "ETQ104"
    name = "duplicate-dag-id"
    severity = Severity.ERROR
    kind = "repository"
    summary = "The same dag_id defined in two places; each place is reported with the others."
    what = (
        "A dag_id defined twice, in two files or twice in one file, is reported at each place with the\n"
        'other places named. Dynamic ids count where they resolve (`f"maria_{city}"` over a literal\n'
        "list gives one id per city). Within one file, the arms of an if/else or try/except (the\n"
        "Airflow 2/3 import fallback) are not compared.\n"
        "`audit` and the pytest plugin compare every file; `check` compares the files it checks, and\n"
        "for a change the changed files with the rest of the dags folder (`--base`, CI) or with the\n"
        "other files of the same owner (`--staged`, the pre-commit hook); only the changed files are\n"
        "reported then. `# noqa: ETQ104` on the DAG's first line silences one place."
    )
    why = (
        "Airflow keeps one of two DAGs with the same dag_id and drops the other without an error in\n"
        "the UI: on a shared scheduler one student's DAG silently disappears, and which one depends\n"
        "on parse order."
    )
    example_text = (
        '  # dags/maria/taxi.py:  @dag(dag_id="maria_taxi")    # dags/maria/old/taxi.py:  DAG("maria_taxi")\n'
        '  dags/maria/old/taxi.py:3:7: ETQ104 dag_id "maria_taxi" is also defined in dags/maria/taxi.py:5;\n'
        "    the scheduler keeps only one of them, so one DAG silently disappears"
    )
    fix_text = "  Give every DAG its own id (`maria_taxi_v2`), or delete the old copy."
