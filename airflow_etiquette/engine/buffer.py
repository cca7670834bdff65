"""One file as an editor holds it: the text of a buffer that is not on disk, checked and fixed as
``check`` and ``check --fix`` would check and fix the file if it held that text.

The content rules run on the text, in a worker process as for every check (a file that crashes or
hangs the parser costs that file, never the editor's server); the repository rules (a dag_id
defined twice) compare it with the other files of the dags folder on disk. The ownership rules
(ETQ2xx) judge a change, who made it and what it adds, not a buffer: they are left to the hooks
and CI. The text is parsed, never imported or executed.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from airflow_etiquette.analysis.modules import ModuleSource
from airflow_etiquette.config import Config
from airflow_etiquette.engine.analyze import Settings
from airflow_etiquette.engine.fix import FixResult, FixTarget, fix_all, fixable_codes
from airflow_etiquette.engine.read import BUNDLE_SUFFIX
from airflow_etiquette.engine.repository import compared_on_disk, repository_findings, repository_rules
from airflow_etiquette.engine.schedule import analyze_files
from airflow_etiquette.findings import Finding
from airflow_etiquette.people.ownership import Ownership
from airflow_etiquette.rules.unresolved import Unresolved
from airflow_etiquette.sources import airflowignore
from airflow_etiquette.sources.files import (
    CHECKED_SUFFIXES,
    SourceFile,
    in_dags_folder,
    known_owners,
    owner_of,
    relative_to_root,
)

CHANGE_GROUP = "ETQ2"  # who changed what: judged on a change, not on a buffer


class BufferCheck(NamedTuple):
    findings: list[Finding]  # what `check` would report for the file, sorted
    silenced: list[Finding]  # found, but waived by a noqa comment the configuration allows
    # what the user should know that is no finding of this file: an .airflowignore given up on its
    # path (``check`` reports it as the .airflowignore's ETQ002), as "path: why"
    notes: tuple[str, ...] = ()


class BufferFix(NamedTuple):
    safe: FixResult  # the text with the safe fixes (``after == before``: none)
    unsafe: FixResult | None  # with the unsafe ones too, when some fix was left out as unsafe


def buffer_file(config: Config, path: Path | str, text: str | bytes | None = None) -> SourceFile | None:
    """The file ``check`` would see at ``path`` (absolute, or relative to the root) holding
    ``text``; None when ``check`` would not check such a file (outside the dags folder, excluded,
    a type it does not read, an archive, a link that leads out of the repository)."""
    ignore = airflowignore.on_disk(config) if config.dags_path.is_dir() else None
    return _buffer_file(config, path, text, ignore)


def _buffer_file(
    config: Config, path: Path | str, text: str | bytes | None, ignore: airflowignore.AirflowIgnore | None
) -> SourceFile | None:
    absolute = Path(path) if Path(path).is_absolute() else config.root / path
    relpath = relative_to_root(absolute, config.root)
    if relpath is None or not in_dags_folder(relpath, config) or config.is_excluded(relpath):
        return None
    if not relpath.endswith(CHECKED_SUFFIXES) or relpath.endswith(BUNDLE_SUFFIX):
        return None  # a zip bundle is no text an editor holds
    if os.path.lexists(absolute) and relative_to_root(absolute.resolve(), config.root) is None:
        return None  # check reads not a byte through such a link (ETQ202 reports the link itself)
    content = _encoded(text) if isinstance(text, str) else text
    dag_file = not (ignore is not None and ignore.ignored(relpath))
    return SourceFile(str(absolute), relpath, owner_of(relpath, config), content, dag_file)


def check_buffer(config: Config, path: Path | str, text: str | bytes, jobs: int = 1) -> BufferCheck:
    """The findings ``check`` would report for the file at ``path`` if it held ``text`` (the
    ownership rules aside); nothing for a file ``check`` does not check. Never raises for any
    text: what goes wrong in the analysis is the file's ETQ001 or ETQ002."""
    ignore = airflowignore.on_disk(config) if config.dags_path.is_dir() else None
    file = _buffer_file(config, path, text, ignore)
    if file is None:
        return BufferCheck([], [], _given_up(ignore))
    settings = _settings(config, file)
    rules = [rule for rule in repository_rules(config, in_check=True) if not rule.code.startswith(CHANGE_GROUP)]
    settings = settings._replace(collect=tuple(rule.code for rule in rules))
    results = analyze_files([file], settings, jobs)
    findings = [finding for _, result in results for finding in result.findings]
    silenced = [finding for _, result in results for finding in result.silenced]
    checked = {rule.code: [r.collected[rule.code] for _, r in results if rule.code in r.collected] for rule in rules}
    if any(checked.values()):
        # The rest of the dags folder as it is on disk; only the files a rule says may matter
        # (a raw-bytes screen) are parsed, to be compared with.
        compared = compared_on_disk(settings, checked, rules, jobs, skip=file.relpath, ignore=ignore)
        ownership = Ownership(config, settings.known_owners)
        found, waived = repository_findings(
            [*results, *compared], settings, lambda: ownership, rules, report_in={file.relpath}
        )
        findings += found
        silenced += waived
    findings = [f for f in findings if not f.code.startswith(CHANGE_GROUP)]
    return BufferCheck(sorted(findings), sorted(silenced), _given_up(ignore))


def _encoded(text: str) -> bytes:
    """An editor's text as the file's bytes: a byte that was not UTF-8 goes back as it was read; a
    lone UTF-16 surrogate (pasted, or sent by an editor) becomes bytes that are not UTF-8 either,
    which the check reports as a finding (ETQ001 where Python refuses them; in a comment Python
    accepts them, and the ETQ002 says libcst does not), never a failed check."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _given_up(ignore: airflowignore.AirflowIgnore | None) -> tuple[str, ...]:
    return tuple(f"{where}: {why}" for where, why in ignore.given_up.items()) if ignore is not None else ()


def fix_buffer(config: Config, path: Path | str, text: str | bytes, code: str | None = None) -> BufferFix | None:
    """``text`` with the fixes ``check --fix`` would write to the file at ``path`` (only those of
    rule ``code`` when given), and with ``--unsafe-fixes`` too when some fix is unsafe; None for a
    file ``check`` does not check or fix. Parses the text in this process: call it for a text a
    check has already analysed without an ETQ002 (which a parser crash would have been)."""
    file = buffer_file(config, path, text)
    if file is None or not file.relpath.endswith(".py") or file.content is None:
        return None
    if code is not None:
        # Only that rule's fixes; ETQ103 stays as it was, since it keeps fixes off code whose
        # values the analysis cannot see whole.
        keep = (code, Unresolved.code) if config.selects(Unresolved.code) else (code,)
        config = replace(config, select=keep)
        if not config.selects(code):
            return None
    if not fixable_codes(config):
        return None
    settings = _settings(config, file)
    on_base = _on_base(config, file.relpath)
    target = FixTarget(file.content, file, on_base)
    safe = fix_all([target], settings, unsafe=False, jobs=1)[0]
    return BufferFix(safe, fix_all([target], settings, unsafe=True, jobs=1)[0] if safe.unsafe else None)


def _settings(config: Config, file: SourceFile) -> Settings:
    """As ``check`` analyses files on disk; a buffer's new owner folder counts as an owner."""
    owners = known_owners(config) | ({file.owner} if file.owner else set())
    modules = ModuleSource(str(config.root), limit=int(config.max_file_size_mb * 1024 * 1024))
    return Settings(config=config, known_owners=frozenset(owners), modules=modules)


def _on_base(config: Config, relpath: str) -> bool:
    """Whether the file is committed (HEAD), so the scheduler may already know its names: as
    ``check --fix`` decides, where outside git every file counts as known."""
    from airflow_etiquette.sources.git import GitError, RevisionReader

    try:  # a reader of its own, not the run's cached one: in an editor's server HEAD moves
        return RevisionReader(config.root, "HEAD")(config.root / relpath) is not None
    except (GitError, OSError):
        return True
