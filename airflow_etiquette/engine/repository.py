"""The rules that need more than one file: ETQ104 duplicate dag_ids, ETQ203 unowned DAG files.

They work on the results of the per-file analysis (each file's exact dag_ids), so they
cost no second parse except to place a finding. `audit` and the pytest plugin run them on
the whole repository; `check` runs ETQ104 on what it checks, and for a change compares the
changed files with the rest of the dags folder (CI) or with their owners' directories
(pre-commit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from airflow_etiquette.sources.files import SourceFile
from airflow_etiquette.engine.analyze import FileResult, Settings, dag_positions, waive
from airflow_etiquette.findings import Finding
from airflow_etiquette.people.ownership import Ownership
from airflow_etiquette.rules import RULES_BY_CODE

Results = Sequence[tuple[SourceFile, FileResult]]


def duplicate_dag_ids(results: Results, settings: Settings, report_in: Collection[str] | None = None) -> list[Finding]:
    """ETQ104: the same dag_id defined in two places.

    Every place is reported, each naming the others; with ``report_in`` only the places
    in those files (the changed ones) are, and only duplicates that involve them.
    """
    rule = RULES_BY_CODE["ETQ104"]
    places: dict[str, list[tuple[SourceFile, int]]] = defaultdict(list)
    conditional: set[tuple[str, int]] = set()
    for file, result in results:
        for ordinal, dag_ids in enumerate(result.dag_ids):
            if ordinal < len(result.dag_conditional) and result.dag_conditional[ordinal]:
                conditional.add((file.relpath, ordinal))
            for dag_id in dag_ids:
                places[dag_id].append((file, ordinal))

    def clash(a: tuple[SourceFile, int], b: tuple[SourceFile, int]) -> bool:
        """Two definitions that can both exist: not the arms of one if/else or try/except."""
        if a == b:
            return False
        if a[0].relpath != b[0].relpath:
            return True
        return (a[0].relpath, a[1]) not in conditional and (b[0].relpath, b[1]) not in conditional

    duplicated: dict[str, list[tuple[SourceFile, int]]] = {}
    for dag_id, where in places.items():
        kept = [p for p in where if any(clash(p, q) for q in where)]
        if len(kept) > 1 and (report_in is None or any(file.relpath in report_in for file, _ in kept)):
            duplicated[dag_id] = kept
    positions: dict[str, list[tuple[int, int, bool]]] = {}
    for where in duplicated.values():
        for file, _ in where:
            if file.relpath not in positions:
                positions[file.relpath] = dag_positions(file, settings, rule.code)

    def at(file: SourceFile, ordinal: int) -> tuple[int, int, bool]:
        found = positions[file.relpath]
        return found[ordinal] if ordinal < len(found) else (1, 1, False)

    findings = []
    for dag_id, where in sorted(duplicated.items()):
        for file, ordinal in where:
            line, column, noqa = at(file, ordinal)
            if report_in is not None and file.relpath not in report_in:
                continue
            others = [f"{other.relpath}:{at(other, o)[0]}" for other, o in where if clash((file, ordinal), (other, o))]
            message = (f'dag_id "{dag_id}" is also defined in {", ".join(others)}; the scheduler keeps only one '
                       "of them, so one DAG silently disappears")
            finding = _waived(Finding(file.relpath, line, column, rule.code, rule.name, rule.severity, message),
                              noqa, settings)
            if finding is not None:
                findings.append(finding)
    return findings


def _waived(finding: Finding, noqa: bool, settings: Settings) -> Finding | None:
    """The engine's ``# noqa`` decision, for a finding placed on a DAG definition."""
    return waive(finding, {finding.line: "# noqa"} if noqa else {}, settings.config, (finding.line,))


def unowned_dag_files(results: Results, settings: Settings, ownership: Ownership) -> list[Finding]:
    """ETQ203: DAG files outside every owner directory that CODEOWNERS gives to no one in charge.

    In charge: an admin, a login that is no student's (no ``dags/<owner>/`` is theirs by
    CODEOWNERS or the roster), or one that CODEOWNERS gives something outside the dags folder
    (the teacher who also keeps a folder of their own). So the class repository's CODEOWNERS
    line for the teacher's demo DAG is enough, with zero configuration.
    """
    rule = RULES_BY_CODE["ETQ203"]
    config = settings.config
    admins = set(config.admins)
    staff = ownership.staff_logins
    findings = []
    for file, result in results:
        if file.owner is not None or not result.dag_ids:
            continue
        logins = ownership.codeowners_of(file.relpath)
        students = {login: ownership.owner_of_login(login) for login in logins}
        if any(owner is None or owner in admins or owner not in settings.known_owners
               or login.lstrip("@").lower() in staff for login, owner in students.items()):
            continue
        line, column, noqa = (dag_positions(file, settings, rule.code) or [(1, 1, False)])[0]
        if logins:
            named = ", ".join(f"{login} ({owner})" for login, owner in students.items())
            who, fix = f"CODEOWNERS gives it to {named}, a student", f"{config.dags_folder}/{next(iter(students.values()))}/"
        else:
            who, fix = "no CODEOWNERS entry gives it to the teacher or an admin", f"{config.dags_folder}/<owner>/"
        message = (f"{file.relpath} defines DAGs outside every owner directory and {who}; move it to "
                   f"{fix} or give it to the teacher in CODEOWNERS")
        finding = _waived(Finding(file.relpath, line, column, rule.code, rule.name, rule.severity, message),
                          noqa, settings)
        if finding is not None:
            findings.append(finding)
    return findings
