"""ETQ201 outside-own-directory."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Rule


class OutsideOwnDirectory(Rule):
    code = "ETQ201"
    name = "outside-own-directory"
    severity = Severity.ERROR
    kind = "change"
    summary = "A change (commit, branch, pull request) that touches a path its author does not own."
    what = (
        "Looks at a change rather than at files: every path a commit, a branch (`--base REF`), the staged\n"
        "index (`--staged`) or a pull request adds, modifies, deletes, or renames (both sides) must be\n"
        "the author's: under `dags/<author>/`, or assigned to the author's GitHub login by CODEOWNERS\n"
        "(`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`, last match wins). Admins may change\n"
        "anything. The author is, in this order: `--author`, `AIRFLOW_STUDENT`, the pull request's\n"
        "author mapped through CODEOWNERS or the roster, the branch prefix (`maria/fix-schema`), the git\n"
        "e-mail in the roster; the output says which signal decided."
    )
    why = (
        "On a shared repository a change to a classmate's DAG, the shared dbt project, the requirements\n"
        "or the CI setup reaches the shared scheduler for everyone on the next merge. Keeping each\n"
        "author to their own directory is what lets thirty people deploy to one scheduler without\n"
        "stepping on each other; what is shared goes through its owner (the teacher)."
    )
    example_text = (
        "  $ git checkout -b maria/fix-schema && edit requirements.txt dags/lasse/taxi_pipeline.py\n"
        "  $ airflow-etiquette check --base main\n"
        "  dags/lasse/taxi_pipeline.py:1:1: ETQ201 dags/lasse/taxi_pipeline.py is owned by @lasse-gh;\n"
        "    maria-gh (maria) may only change dags/maria/\n"
        "  requirements.txt:1:1: ETQ201 requirements.txt is owned by @lassebenni; maria-gh (maria) may\n"
        "    only change dags/maria/"
    )
    fix_text = (
        "  Keep your branch to dags/maria/. Ask the owner (the teacher for shared files) to make the\n"
        "  other change, or open an issue; `git restore --source main -- PATH` undoes an accidental edit."
    )
