"""One file's analysis: parse it, run the enabled file rules, gather what the repository rules
and the audit collect, place every report on its line and pass it through ``# noqa``.

A file is never imported or executed: its bytes go to libcst's parser and nowhere else.
Whatever happens with one file becomes a finding for that file (a parse error or an analysis
failure), never an exception for the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.facts import FileFacts, collect_facts
from airflow_etiquette.analysis.model import build_index, is_literal_string
from airflow_etiquette.analysis.modules import ModuleSource, OwnerModules, reader
from airflow_etiquette.analysis.parse import BeyondParser, Unparsable, parse_module
from airflow_etiquette.config import Config
from airflow_etiquette.engine import noqa
from airflow_etiquette.engine.read import SCRIPT_SUFFIXES, SQL_SUFFIX, read_source, script_as_python, sql_as_python
from airflow_etiquette.findings import Finding
from airflow_etiquette.rules import FILE_RULES, REPOSITORY_RULES
from airflow_etiquette.rules.analysis_failed import AnalysisFailed
from airflow_etiquette.rules.base import FileRule, Rule
from airflow_etiquette.rules.parse_error import ParseError
from airflow_etiquette.sources.files import SourceFile

if TYPE_CHECKING:
    import libcst as cst
else:
    from airflow_etiquette.analysis.lazy import libcst as cst


class Settings(NamedTuple):
    """Everything a worker needs to analyse a file; picklable."""

    config: Config
    known_owners: frozenset[str]
    collect_facts: bool = False  # also gather what the audit reports (DAGs, schemas, connections)
    collect: tuple[str, ...] = ()  # the repository rules whose per-file facts to gather
    run_rules: bool = True  # False: only collect (a file that is compared with, not checked)
    modules: ModuleSource | None = None  # where the owner's own modules are read from (None: nowhere)


class FileResult(NamedTuple):
    findings: list[Finding]
    facts: FileFacts | None = None
    collected: dict[str, Any] = {}  # repository rule code -> that rule's fact about the file
    silenced: tuple[Finding, ...] = ()  # found, but waived by a noqa comment the configuration allows
    depends: tuple[str, ...] = ()  # the owner's modules its analysis read (a cache keeps no such result)


def analyze_file(file: SourceFile, settings: Settings) -> FileResult:
    """The findings (and facts) of one file on disk or in memory. Never raises."""
    data, problem = read_source(file, settings.config)
    if data is None:
        return FileResult([problem] if problem else [])
    return analyze_source(data, file, settings)


def analyze_source(data: bytes, file: SourceFile, settings: Settings) -> FileResult:
    """The findings (and facts) of one file's bytes. Never raises."""
    try:
        if file.relpath.endswith(SCRIPT_SUFFIXES):
            return _analyze_script(data, file, settings)
        if file.relpath.endswith(SQL_SUFFIX):
            return _analyze_sql(data, file, settings)
        return _analyze_python(data, file, settings, FILE_RULES)
    except RecursionError:  # past the steps that guard themselves: placing findings, libcst's own walks
        return FileResult([AnalysisFailed.for_file(file.relpath, "the file is nested too deeply to analyse")])
    except Exception as exc:
        reason = f"the analysis failed: {type(exc).__name__}: {exc} (please report this)"
        return FileResult([AnalysisFailed.for_file(file.relpath, reason)])


def _analyze_python(data: bytes, file: SourceFile, settings: Settings, rules: Sequence[type[FileRule]]) -> FileResult:
    config = settings.config
    checkers = [rule() for rule in rules if settings.run_rules and config.rule_enabled(rule.code, file.relpath)]
    collectors = [rule() for rule in REPOSITORY_RULES if rule.code in settings.collect]
    try:
        module = parse_module(data, file.relpath)
    except Unparsable as problem:
        if not (settings.run_rules and config.rule_enabled(ParseError.code, file.relpath)):
            return FileResult([])
        return FileResult([ParseError.for_file(file.relpath, problem)])
    except BeyondParser as problem:
        return FileResult([AnalysisFailed.for_file(file.relpath, str(problem))])
    except RecursionError:
        return FileResult([AnalysisFailed.for_file(file.relpath, "the file is nested too deeply for libcst to parse")])
    except Exception as exc:  # the parser itself failed: report it for this file, go on with the rest
        return FileResult([AnalysisFailed.for_file(file.relpath, f"the parser failed: {type(exc).__name__}: {exc}")])
    if not checkers and not settings.collect_facts and not collectors:
        return FileResult([])
    findings: list[Finding] = []
    reports: list[tuple[type[Rule], Report]] = []
    modules = owner_modules(file, settings)
    try:
        context = FileContext(
            file.relpath, file.owner, config, settings.known_owners, build_index(module), file.dag_file, modules
        )
    except RecursionError:
        return FileResult([AnalysisFailed.for_file(file.relpath, "the file is too deeply nested to analyse")])
    for checker in checkers:
        try:
            reports.extend((type(checker), report) for report in checker.check(context))
        except RecursionError:
            findings.append(
                AnalysisFailed.for_file(file.relpath, f"{checker.code} could not finish: the file is too deeply nested")
            )
        except Exception as exc:  # a bug in one rule must not hide the other rules' findings
            findings.append(
                AnalysisFailed.for_file(
                    file.relpath, f"{checker.code} failed: {type(exc).__name__}: {exc} (please report this)"
                )
            )
    silenced: list[Finding] = []
    if reports:
        placed, silenced = _place(module, data, file, reports, config)
        findings.extend(placed)
    facts = None
    try:
        if settings.collect_facts:
            facts = collect_facts(context)
    except Exception as exc:  # the audit's facts are a bonus; the findings stand without them
        findings.append(
            AnalysisFailed.for_file(
                file.relpath, f"could not list the file's DAGs and schemas: {type(exc).__name__}: {exc}"
            )
        )
    collected: dict[str, Any] = {}
    for collector in collectors:  # each on its own: one rule's bug costs only that rule's fact
        try:
            collected[collector.code] = collector.collect(context)
        except Exception as exc:
            findings.append(
                AnalysisFailed.for_file(
                    file.relpath, f"{collector.code} failed: {type(exc).__name__}: {exc} (please report this)"
                )
            )
    depends = tuple(sorted(modules.read_paths)) if modules is not None else ()
    return FileResult(findings, facts, collected, tuple(silenced), depends)


def owner_modules(file: SourceFile, settings: Settings) -> OwnerModules | None:
    if settings.modules is None or file.owner is None:
        return None
    folder = f"{settings.config.dags_folder}/{file.owner}"
    return OwnerModules(reader(settings.modules), settings.config.dags_folder, folder, file.relpath)


def _analyze_script(data: bytes, file: SourceFile, settings: Settings) -> FileResult:
    """A shell script in the dags folder (what a ``bash_command`` runs): the file rules that read
    commands and SQL in strings, on each of its lines."""
    rules = [rule for rule in FILE_RULES if rule.reads_scripts]
    result = _analyze_python(script_as_python(data), file, settings._replace(collect_facts=False, collect=()), rules)
    return FileResult(
        [replace(f, column=1) for f in result.findings if f.code != ParseError.code],
        silenced=tuple(replace(f, column=1) for f in result.silenced),
    )


def _analyze_sql(data: bytes, file: SourceFile, settings: Settings) -> FileResult:
    """A ``.sql`` template file (what ``sql="queries/load.sql"`` runs): the rules that read SQL, on
    each statement, reported at the statement's line and column."""
    rules = [rule for rule in FILE_RULES if rule.reads_sql]
    module, columns = sql_as_python(data)
    result = _analyze_python(module, file, settings._replace(collect_facts=False, collect=()), rules)

    def placed(finding: Finding) -> Finding:
        starts = [original for generated, original in columns.get(finding.line, []) if generated <= finding.column]
        return replace(finding, column=starts[-1] if starts else 1)

    return FileResult(
        [placed(f) for f in result.findings if f.code != ParseError.code],
        silenced=tuple(placed(f) for f in result.silenced),
    )


def _place(
    module: cst.Module, data: bytes, file: SourceFile, reports: Sequence[tuple[type[Rule], Report]], config: Config
) -> tuple[list[Finding], list[Finding]]:
    """Turn reports into findings with positions; those a permitted ``# noqa`` waives come second."""
    from libcst.metadata import MetadataWrapper, PositionProvider  # only files with findings pay for positions

    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    comments = noqa.noqa_comments(data)
    findings: list[Finding] = []
    silenced: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for rule, report in reports:
        start, end = positions[report.node].start, positions[report.node].end
        key = (rule.code, start.line, report.message)
        if key in seen:
            continue
        seen.add(key)
        finding = rule.finding(file.relpath, start.line, start.column + 1, report.message, report.severity)
        # A comment can follow the first line, or, for a multi-line string, the last one
        # (after the closing quotes), where no comment can go inside.
        last = end.line if end.line != start.line and is_literal_string(report.node) else start.line
        strict = report.severity is not None and report.severity is not rule.severity
        waived = noqa.waive(finding, comments, config, (start.line, last), strict)
        (silenced if waived is None else findings).append(waived or finding)
    return findings, silenced


def parsed_context(
    data: bytes, file: SourceFile, settings: Settings, on_base: bool = True, taken_dag_ids: frozenset[str] = frozenset()
) -> tuple[cst.Module, FileContext]:
    """A file's module and its context as a worker builds them, for the steps that follow the
    workers in this process (a fix, a position): call it for a file a worker has analysed."""
    module = parse_module(data, file.relpath)
    context = FileContext(
        file.relpath,
        file.owner,
        settings.config,
        settings.known_owners,
        build_index(module),
        file.dag_file,
        owner_modules(file, settings),
        on_base=on_base,
        taken_dag_ids=taken_dag_ids,
    )
    return module, context


def definition_positions(file: SourceFile, settings: Settings) -> list[tuple[int, int, dict[int, str]]]:
    """Line and column of each DAG definition of a file (in the order the repository rules
    collected them), with the file's ``# noqa`` comments: where a repository rule reports."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    data, problem = read_source(file, settings.config)
    if problem is not None or data is None:
        return []
    try:  # the file was analysed in a worker already: this parse is known to succeed
        module, context = parsed_context(data, file, settings)  # the same DAGs, in the same order
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        comments = noqa.noqa_comments(data)
        starts = [positions[d.at(d.node)].start for d in context.dags]
        return [(at.line, at.column + 1, comments) for at in starts]
    except Exception:  # positions only decorate a report that is already complete
        return []
