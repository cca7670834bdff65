"""ETQ202 escaping-symlink."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Rule


class EscapingSymlink(Rule):
    code = "ETQ202"
    name = "escaping-symlink"
    severity = Severity.ERROR
    kind = "change"
    summary = "A symlink inside an owner's directory that points outside it."
    what = (
        "Reports a symbolic link in `dags/<owner>/` (a file or a directory) whose target lies outside\n"
        "`dags/<owner>/`: `dags/lasse/helpers.py -> ../maria/helpers.py`, or an absolute path. `check`\n"
        "looks at every symlink in the dags folder; with `--base`/`--staged` at the changed ones."
    )
    why = (
        "The ownership rules look at paths. A symlink lets a change inside your own directory alter\n"
        "what runs from someone else's file (or lets their edits change your DAG), and the dag-processor\n"
        "follows it. Copy what you need instead."
    )
    example_text = (
        "  $ ln -s ../maria/helpers.py dags/lasse/helpers.py\n"
        "  dags/lasse/helpers.py:1:1: ETQ202 dags/lasse/helpers.py is a symlink to ../maria/helpers.py,\n"
        "    outside dags/lasse/; copy what you need into dags/lasse/ instead"
    )
    fix_text = "  $ rm dags/lasse/helpers.py && cp dags/maria/helpers.py dags/lasse/helpers.py"
