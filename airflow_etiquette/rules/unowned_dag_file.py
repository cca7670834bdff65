"""ETQ203 unowned-dag-file: a repository rule over the DAG files outside every owner folder."""

from __future__ import annotations

from collections.abc import Iterator

from airflow_etiquette.analysis.context import FileContext
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.rules.base import RepositoryExample, RepositoryRule, RepositoryView


class UnownedDagFile(RepositoryRule):
    code = "ETQ203"
    # A top-level DAG file is the teacher's business: the audit and the pytest plugin report it,
    # and in a change ETQ201 already stops a student adding one.
    in_check = False
    name = "unowned-dag-file"
    severity = Severity.ERROR
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
    INVALID = [
        RepositoryExample(
            files={
                "dags/my_test.py": 'from airflow import DAG\n\ndag = DAG("my_test")\n',
                "dags/maria/taxi.py": "X = 1\n",
            },
            expect=(
                (
                    "dags/my_test.py",
                    3,
                    "dags/my_test.py defines DAGs outside every owner directory and no "
                    "CODEOWNERS entry gives it to the teacher or an admin; move it to dags/<owner>/ or give it "
                    "to the teacher in CODEOWNERS",
                ),
            ),
        ),
    ]
    VALID = [
        RepositoryExample(
            files={
                "dags/example_class_demo.py": 'from airflow import DAG\n\ndag = DAG("class_demo_hello")\n',
                "dags/maria/taxi.py": "X = 1\n",
                ".github/CODEOWNERS": "/dags/example_class_demo.py  @teacher\n/.github/  @teacher\n",
            },
        ),
    ]

    def collect(self, file: FileContext) -> bool:
        """Whether the file defines DAGs."""
        return file.owner is None and bool(file.dags)

    def check(self, repository: RepositoryView) -> Iterator[Finding]:
        """A file is fine when CODEOWNERS gives it to someone in charge (``Ownership.in_charge_of``:
        an admin, a login that is no student's, or the teacher who also keeps a folder of their
        own). So the class repository's CODEOWNERS line for the teacher's demo DAG is enough, with
        zero configuration."""
        config, ownership = repository.config, repository.ownership
        for file, defines_dags in repository.facts:
            if file.owner is not None or not defines_dags or ownership.in_charge_of(file.relpath):
                continue
            logins = ownership.codeowners_of(file.relpath)
            students = {login: ownership.owner_of_login(login) for login in logins}
            if logins:
                named = ", ".join(f"{login} ({owner})" for login, owner in students.items())
                who = f"CODEOWNERS gives it to {named}, a student"
                fix = f"{config.dags_folder}/{next(iter(students.values()))}/"
            else:
                who, fix = "no CODEOWNERS entry gives it to the teacher or an admin", f"{config.dags_folder}/<owner>/"
            message = (
                f"{file.relpath} defines DAGs outside every owner directory and {who}; move it to "
                f"{fix} or give it to the teacher in CODEOWNERS"
            )
            finding = repository.report(type(self), file, 0, message)
            if finding is not None:
                yield finding
