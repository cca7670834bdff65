"""ETQ202 escaping-symlink."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Rule


class EscapingSymlink(Rule):
    code = "ETQ202"
    name = "escaping-symlink"
    severity = Severity.ERROR
    kind = "change"
    summary = "A symlink in the dags folder that leads outside its owner's directory, to a folder, or to a file no check reads."
    what = (
        "Reports a symbolic link in `dags/<owner>/` that the scheduler would follow somewhere the checks\n"
        "do not: a target outside `dags/<owner>/` (`helpers.py -> ../maria/helpers.py`, an absolute path,\n"
        "or a way out through another link: `here -> .` then `mine.py -> here/../sofia/x.py`, resolved\n"
        "component by component as the OS does), a link to a folder (`loop -> .` makes the scheduler's\n"
        "walk of the whole dags folder fail), and a `.py` link to a file that is not Python\n"
        "(`dag.py -> notes.txt`: loaded by the scheduler, read by no check). A link to a `.py` file in\n"
        "the same directory is fine: that file is checked. `check` looks at every symlink in the dags\n"
        "folder; with `--base`/`--staged` at the changed ones, resolved in the tree the change ends in."
    )
    why = (
        "The ownership rules look at paths. A symlink lets a change inside your own directory alter\n"
        "what runs from someone else's file (or lets their edits change your DAG), hides code from the\n"
        "checks, or traps the dag-processor in a loop, and the dag-processor follows it. Copy what you\n"
        "need instead."
    )
    example_text = (
        "  $ ln -s ../maria/helpers.py dags/lasse/helpers.py\n"
        "  dags/lasse/helpers.py:1:1: ETQ202 dags/lasse/helpers.py is a symlink to ../maria/helpers.py,\n"
        "    outside dags/lasse/; copy what you need into dags/lasse/ instead"
    )
    fix_text = "  $ rm dags/lasse/helpers.py && cp dags/maria/helpers.py dags/lasse/helpers.py"
