"""Feeding the rules that need more than one file or a change: repository rules get every file's
collected fact and a way to report at a place; change rules get the change and its author.

Placing a repository finding costs a second parse, but only of the files that have one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_etiquette.config import Config, ConfigError
from airflow_etiquette.engine import noqa
from airflow_etiquette.engine.analyze import FileResult, Settings, definition_positions
from airflow_etiquette.findings import Finding
from airflow_etiquette.people.authors import Author
from airflow_etiquette.people.ownership import Ownership, changed_codeowners, new_owner_folders
from airflow_etiquette.rules import CHANGE_RULES, REPOSITORY_RULES
from airflow_etiquette.rules.analysis_failed import AnalysisFailed
from airflow_etiquette.rules.base import ChangeView, RepositoryRule, RepositoryView, Rule, TreeView
from airflow_etiquette.sources.files import SourceFile
from airflow_etiquette.sources.git import ChangeSet

if TYPE_CHECKING:
    from airflow_etiquette.sources.airflowignore import AirflowIgnore

Results = Sequence[tuple[SourceFile, FileResult]]


def repository_rules(config: Config, in_check: bool) -> tuple[type[RepositoryRule], ...]:
    """The repository rules that are switched on (and, for ``check``, meant to run there)."""
    return tuple(rule for rule in REPOSITORY_RULES if config.selects(rule.code) and (rule.in_check or not in_check))


def repository_findings(
    results: Results,
    settings: Settings,
    read_ownership: Callable[[], Ownership],
    rules: Sequence[type[RepositoryRule]],
    report_in: Collection[str] | None = None,
) -> tuple[list[Finding], list[Finding]]:
    """What the repository rules find in ``results`` (with ``report_in`` only in those files),
    and what ``# noqa`` waived of it. A rule that fails is reported, never the run's end."""
    positions: dict[str, list[tuple[int, int, dict[int, str]]]] = {}

    def place(file: SourceFile, ordinal: int) -> tuple[int, int, dict[int, str]]:
        if file.relpath not in positions:
            positions[file.relpath] = definition_positions(file, settings)
        found = positions[file.relpath]
        return found[ordinal] if ordinal < len(found) else (1, 1, {})

    waived: list[Finding] = []

    def report(rule: type[Rule], file: SourceFile, ordinal: int, message: str) -> Finding | None:
        if report_in is not None and file.relpath not in report_in:
            return None  # a file compared with, not checked
        line, column, comments = place(file, ordinal)
        finding = rule.finding(file.relpath, line, column, message)
        kept = noqa.waive(finding, comments, settings.config, (line,))
        if kept is None:
            waived.append(finding)
        return kept

    findings: list[Finding] = []
    for rule in rules:
        facts = [(file, result.collected[rule.code]) for file, result in results if rule.code in result.collected]
        view = RepositoryView(
            settings.config,
            settings.known_owners,
            read_ownership,
            facts,
            report_in,
            report,
            lambda file, ordinal: place(file, ordinal)[0],
        )
        findings += _guarded(rule, rule().check, view, settings.config)
    return enabled(findings, settings.config), enabled(waived, settings.config)


def compared_on_disk(
    settings: Settings,
    checked: Mapping[str, Sequence[Any]],
    rules: Sequence[type[RepositoryRule]],
    jobs: int,
    skip: str | None = None,
    ignore: AirflowIgnore | None = None,
) -> list[tuple[SourceFile, FileResult]]:
    """The files of the dags folder as they are on disk (but ``skip``; ``ignore``: its
    ``.airflowignore`` files, read already, which learn what they give up) that one of ``rules``, by
    its raw-bytes screen, says may matter to what the checked files gave it (``checked``: a rule's
    code -> their facts); analysed in workers to be compared with: facts, no findings."""
    from airflow_etiquette.engine.read import read_source
    from airflow_etiquette.engine.schedule import analyze_files
    from airflow_etiquette.sources.files import discover

    config = settings.config
    others = []
    screens = [rule.screen(checked[rule.code]) for rule in rules]
    for other in discover([], config, ignore).files if config.dags_path.is_dir() else ():
        if other.relpath == skip:
            continue
        data, _ = read_source(other, config)
        if data is not None and any(screen(other.relpath, data) for screen in screens):
            others.append(other._replace(content=data))
    return analyze_files(others, settings._replace(run_rules=False), jobs) if others else []


def change_findings(
    change: ChangeSet,
    author: Author | None,
    ownership: Ownership,
    new_folders: frozenset[str] | None = None,
    authored_only: bool = False,
) -> list[Finding]:
    """What the change rules find in ``change`` (judged by ``ownership``'s policy, the base's);
    ``authored_only``: only the rules about who changed what (the audit's history)."""
    config = ownership.config
    if new_folders is None:
        new_folders = new_owner_folders(change, config)
    view = ChangeView(change, config, ownership, author, new_folders, changed_codeowners(change, config))
    findings = [
        f
        for rule in CHANGE_RULES
        if config.selects(rule.code) and (rule.needs_author or not authored_only)
        for f in _guarded(rule, rule().check, view, config)
    ]
    return enabled(findings, config)


def tree_findings(tree: TreeView) -> list[Finding]:
    """What the change rules find in the tree as it is, for a check without a change."""
    config = tree.config
    findings = [
        f for rule in CHANGE_RULES if config.selects(rule.code) for f in _guarded(rule, rule().check_tree, tree, config)
    ]
    return enabled(findings, config)


def _guarded(rule: type[Rule], check: Callable[[Any], Iterable[Finding]], view: Any, config: Config) -> list[Finding]:
    """A rule's findings; a bug in it becomes one finding that says so, and the other rules run."""
    try:
        return list(check(view))
    except ConfigError:
        raise  # the policy it reads is broken (a CODEOWNERS pattern too slow to match): exit 2, said once
    except Exception as exc:  # a bug in one rule must not hide the other rules' findings
        return [
            AnalysisFailed.for_file(
                config.dags_folder, f"{rule.code} failed: {type(exc).__name__}: {exc} (please report this)"
            )
        ]


def enabled(findings: list[Finding], config: Config) -> list[Finding]:
    return [f for f in findings if config.rule_enabled(f.code, f.path)]
