"""Feeding the rules that need more than one file or a change: repository rules get every file's
collected fact and a way to report at a place; change rules get the change and its author.

Placing a repository finding costs a second parse, but only of the files that have one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from airflow_etiquette.engine import noqa
from airflow_etiquette.engine.analyze import FileResult, Settings, definition_positions
from airflow_etiquette.findings import Finding
from airflow_etiquette.people.authors import Author
from airflow_etiquette.people.ownership import Ownership, changed_codeowners, new_owner_folders
from airflow_etiquette.rules import CHANGE_RULES, REPOSITORY_RULES
from airflow_etiquette.rules.base import ChangeView, RepositoryRule, RepositoryView, Rule, TreeView
from airflow_etiquette.sources.files import SourceFile
from airflow_etiquette.sources.git import ChangeSet

Results = Sequence[tuple[SourceFile, FileResult]]


def repository_rules(settings: Settings, in_check: bool) -> tuple[type[RepositoryRule], ...]:
    """The repository rules that are switched on (and, for ``check``, meant to run there)."""
    return tuple(
        rule for rule in REPOSITORY_RULES if settings.config.selects(rule.code) and (rule.in_check or not in_check)
    )


def repository_findings(
    results: Results,
    settings: Settings,
    ownership: Ownership,
    rules: Sequence[type[RepositoryRule]],
    report_in: Collection[str] | None = None,
) -> tuple[list[Finding], list[Finding]]:
    """What the repository rules find in ``results`` (with ``report_in`` only in those files),
    and what ``# noqa`` waived of it."""
    positions: dict[str, list[tuple[int, int, dict[int, str]]]] = {}

    def place(file: SourceFile, ordinal: int) -> tuple[int, int, dict[int, str]]:
        if file.relpath not in positions:
            positions[file.relpath] = definition_positions(file, settings)
        found = positions[file.relpath]
        return found[ordinal] if ordinal < len(found) else (1, 1, {})

    waived: list[Finding] = []

    def report(rule: type[Rule], file: SourceFile, ordinal: int, message: str) -> Finding | None:
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
            ownership,
            facts,
            report_in,
            report,
            lambda file, ordinal: place(file, ordinal)[0],
        )
        findings += rule().check(view)
    return enabled(findings, settings), enabled(waived, settings)


def change_findings(change: ChangeSet, author: Author | None, ownership: Ownership) -> list[Finding]:
    """What the change rules find in ``change`` (judged by ``ownership``'s policy, the base's)."""
    config = ownership.config
    view = ChangeView(
        change, config, ownership, author, new_owner_folders(change, config), changed_codeowners(change, config)
    )
    findings = [f for rule in CHANGE_RULES if config.selects(rule.code) for f in rule().check(view)]
    return [f for f in findings if config.rule_enabled(f.code, f.path)]


def tree_findings(tree: TreeView) -> list[Finding]:
    """What the change rules find in the tree as it is, for a check without a change."""
    config = tree.config
    findings = [f for rule in CHANGE_RULES if config.selects(rule.code) for f in rule().check_tree(tree)]
    return [f for f in findings if config.rule_enabled(f.code, f.path)]


def enabled(findings: list[Finding], settings: Settings) -> list[Finding]:
    return [f for f in findings if settings.config.rule_enabled(f.code, f.path)]
