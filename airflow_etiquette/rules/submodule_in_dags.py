"""ETQ204 submodule-in-dags: a change rule over the gitlinks a change adds."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import ChangeExample, ChangeRule, ChangeView, Submodule
from airflow_etiquette.sources.files import in_dags_folder


class SubmoduleInDags(ChangeRule):
    code = "ETQ204"
    name = "submodule-in-dags"
    severity = Severity.ERROR
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
    INVALID = [
        ChangeExample(
            base={".github/CODEOWNERS": "/dags/lasse/  @lasse\n", "dags/lasse/taxi.py": "X = 1\n"},
            change={"dags/lasse/vendor": Submodule()},
            author="lasse",
            expect=(
                (
                    "dags/lasse/vendor",
                    1,
                    "dags/lasse/vendor is a git submodule: the scheduler loads its files, but "
                    "they live in another repository that no check (and no review here) sees; copy the DAG files "
                    "in instead",
                ),
            ),
        ),
    ]
    VALID = [
        ChangeExample(
            base={".github/CODEOWNERS": "/dags/lasse/  @lasse\n", "dags/lasse/taxi.py": "X = 1\n"},
            change={"dags/lasse/vendor/taxi.py": "X = 1\n"},
            author="lasse",
        ),
    ]

    def check(self, change: ChangeView) -> Iterator[Finding]:
        for changed in change.change.changes:
            if changed.gitlink and changed.status != "D" and in_dags_folder(changed.path, change.config):
                yield self.finding(
                    changed.path,
                    1,
                    1,
                    (
                        f"{changed.path} is a git submodule: the scheduler loads its files, but they live in another "
                        "repository that no check (and no review here) sees; copy the DAG files in instead"
                    ),
                )
