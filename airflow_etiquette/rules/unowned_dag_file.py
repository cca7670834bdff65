"""ETQ203 unowned-dag-file."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Rule


class UnownedDagFile(Rule):
    code = "ETQ203"
    name = "unowned-dag-file"
    severity = Severity.ERROR
    kind = "repository"
    summary = "A DAG file outside every owner directory that CODEOWNERS does not give to the teacher."
    what = (
        "Reports a file that defines DAGs directly in the dags folder (outside every `dags/<owner>/`)\n"
        "unless CODEOWNERS assigns it to someone in charge: an `admins` owner, a login that owns no\n"
        "student folder, or one that CODEOWNERS also gives something outside the dags folder (tests,\n"
        "CI): the teacher's `/dags/example_class_demo.py @teacher` line is enough.\n"
        "A file CODEOWNERS gives to a student belongs in that student's folder. Reported by `audit`\n"
        "and the pytest plugin."
    )
    why = (
        "The owner rules skip files without an owner directory, so a DAG dropped at the top of the dags\n"
        "folder escapes the prefix, tag and schema checks, and nobody answers for it when it fails on\n"
        "the shared scheduler."
    )
    example_text = (
        "  dags/my_test.py:5:2: ETQ203 dags/my_test.py defines DAGs outside every owner directory and no\n"
        "    CODEOWNERS entry gives it to the teacher or an admin; move it to dags/<owner>/ or give it to the\n"
        "    teacher in CODEOWNERS"
    )
    fix_text = "  git mv dags/my_test.py dags/maria/my_test.py   # or: /dags/my_test.py @teacher in CODEOWNERS"
