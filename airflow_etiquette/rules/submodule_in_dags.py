"""ETQ204 submodule-in-dags."""

from __future__ import annotations

from airflow_etiquette.findings import Severity
from airflow_etiquette.rules.base import Rule


class SubmoduleInDags(Rule):
    code = "ETQ204"
    name = "submodule-in-dags"
    severity = Severity.ERROR
    kind = "change"
    summary = "A git submodule (gitlink) under the dags folder."
    what = (
        "Reports a git submodule added under the dags folder, with or without a `.gitmodules` entry:\n"
        "a gitlink records only a commit of another repository, so the change shows no file and no\n"
        "check reads one, while a deployment that clones with submodules hands them to the scheduler.\n"
        "Checked for a change (`--base`, `--staged`, pull requests)."
    )
    why = (
        "Every file the shared scheduler loads has to pass the same checks and the same review. Code\n"
        "pulled in from another repository changes whenever that repository does, outside the class\n"
        "repository's history and its owners' folders."
    )
    example_text = (
        "  $ git submodule add https://github.com/someone/dags dags/lasse/vendor\n"
        "  dags/lasse/vendor:1:1: ETQ204 dags/lasse/vendor is a git submodule: the scheduler loads its\n"
        "    files, but they live in another repository that no check (and no review here) sees; copy the\n"
        "    DAG files in instead"
    )
    fix_text = "  $ git rm dags/lasse/vendor && cp -r ../elsewhere/dags/*.py dags/lasse/"
