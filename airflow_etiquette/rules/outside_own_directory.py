"""ETQ201 outside-own-directory: a change rule; every changed path must be its author's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.people.ownership import CODEOWNERS_LOCATIONS
from airflow_etiquette.rules.base import ChangeExample, ChangeRule, ChangeView
from airflow_etiquette.sources.git import first_changed_lines

CODEOWNERS = """\
/.github/           @teacher
/requirements.txt   @teacher
/dags/lasse/        @lasse-gh
/dags/maria/        @maria-gh
"""


class OutsideOwnDirectory(ChangeRule):
    code = "ETQ201"
    needs_author = True
    name = "outside-own-directory"
    severity = Severity.ERROR
    summary = "A change (commit, branch, pull request) that touches a path its author does not own."
    what = (
        "Looks at a change rather than at files: every path a commit, a branch (`--base REF`), the staged\n"
        "index (`--staged`) or a pull request adds, modifies, deletes, or renames (both sides) must be\n"
        "the author's: under `dags/<author>/`, or assigned to the author's GitHub login by CODEOWNERS\n"
        "(`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`, last match wins). Admins may change\n"
        "anything: the `admins`, and the login CODEOWNERS gives the policy itself (CODEOWNERS, the\n"
        "workflows). CODEOWNERS and the configuration are the base's, never the change's. In a pull\n"
        "request the author is its verified login; a login nobody mapped yet may only add one new\n"
        "owner folder and the CODEOWNERS line mapping it to themselves (the class's first pull\n"
        "request). Locally the author is, in this order: `--author`, `AIRFLOW_STUDENT`, the branch\n"
        "prefix (`maria/fix-schema`), the git e-mail in the roster; the output says which signal\n"
        "decided, and when none does, the check is left to CI. A finding points at the first line the\n"
        "change touches."
    )
    why = (
        "On a shared repository a change to a classmate's DAG, the shared dbt project, the requirements\n"
        "or the CI setup reaches the shared scheduler for everyone on the next merge. Keeping each\n"
        "author to their own directory is what lets thirty people deploy to one scheduler without\n"
        "stepping on each other; what is shared goes through its owner (the teacher)."
    )
    INVALID = [
        ChangeExample(
            base={
                ".github/CODEOWNERS": CODEOWNERS,
                "requirements.txt": "apache-airflow-providers-postgres\n",
                "dags/lasse/taxi.py": "X = 1\n",
                "dags/maria/taxi.py": "X = 1\n",
            },
            change={
                "requirements.txt": "apache-airflow-providers-postgres\ndbt-core\n",
                "dags/lasse/taxi.py": "X = 1\nY = 2\n",
                "dags/maria/taxi.py": "X = 2\n",
            },
            author="maria-gh",
            expect=(
                (
                    "dags/lasse/taxi.py",
                    2,
                    "dags/lasse/taxi.py is owned by @lasse-gh; maria-gh (maria) may only change dags/maria/",
                ),
                (
                    "requirements.txt",
                    2,
                    "requirements.txt is owned by @teacher; maria-gh (maria) may only change dags/maria/",
                ),
            ),
        ),
    ]
    VALID = [
        ChangeExample(  # a new student's first pull request: their folder and their CODEOWNERS line
            base={".github/CODEOWNERS": CODEOWNERS, "dags/lasse/taxi.py": "X = 1\n"},
            change={".github/CODEOWNERS": CODEOWNERS + "/dags/noor/  @noor-gh\n", "dags/noor/taxi.py": "X = 1\n"},
            author="noor-gh",
        ),
    ]

    def check(self, change: ChangeView) -> Iterator[Finding]:
        author, ownership = change.author, change.ownership
        if author is None:
            return
        config = ownership.config
        own = f"{config.dags_folder}/{author.owner}/"
        findings = []
        for changed in change.change.changes:
            for path in changed.touched:
                if ownership.may_change(author, path) or self._registers_itself(change, changed.status, path):
                    continue
                action = {"D": " (deleted)", "R": " (renamed)"}.get(changed.status, "")
                action = " (its mode changed, not its content)" if changed.mode_only else action
                if author.newcomer and not author.owner:
                    allowed = (
                        f"@{author.login} is not mapped to a folder yet: a first pull request may add one new "
                        f"folder {config.dags_folder}/<name>/ (and its CODEOWNERS line "
                        f"'/{config.dags_folder}/<name>/ @{author.login}'); for an existing folder the teacher "
                        "adds that line on the base branch"
                    )
                elif author.newcomer:
                    allowed = (
                        f"@{author.login} (not mapped yet) may only add {own} and its CODEOWNERS line "
                        f"'/{own} @{author.login}'"
                    )
                else:
                    allowed = f"{author.describe()} may only change {own}"
                findings.append(self.finding(path, 1, 1, f"{path}{action} {ownership.describe_owner(path)}; {allowed}"))
        yield from _at_first_changed_line(findings, change)

    @staticmethod
    def _registers_itself(change: ChangeView, status: str, path: str) -> bool:
        """The first-pull-request step: an edit of the base's CODEOWNERS (or, where the base has
        none, the one CODEOWNERS the change adds) that only maps the author's new folder to them."""
        ownership, edited = change.ownership, change.new_codeowners
        if ownership.codeowners_path is not None:
            is_the_file = path == ownership.codeowners_path
        else:
            is_the_file = path in CODEOWNERS_LOCATIONS and len(edited) == 1
        return (
            is_the_file
            and status in "AM"
            and path in edited
            and change.author is not None
            and ownership.registers_only(edited[path], change.author, change.new_folders)
        )


def _at_first_changed_line(findings: list[Finding], change: ChangeView) -> list[Finding]:
    """On the first line the change touches (where a pull request's diff shows it), not line 1."""
    modified = {c.path for c in change.change.changes if c.status in "MR" and not c.symlink and not c.gitlink}
    wanted = [f.path for f in findings if f.path in modified]
    if not wanted:
        return findings
    lines = first_changed_lines(change.change, change.config.root, wanted)
    return [replace(f, line=lines[f.path]) if f.path in lines else f for f in findings]
