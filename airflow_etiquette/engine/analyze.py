"""The engine: from a file on disk to its findings.

Reading, parsing, running the enabled rules, placing findings on lines and
honouring ``# noqa``. A file is never imported or executed: its bytes go to
libcst's parser and nowhere else. Whatever happens with one file becomes a
finding for that file (ETQ001 or ETQ002), never an exception for the run.

libcst's native parser can crash the whole process or take minutes on some
valid but pathological Python, so files that look risky to a cheap pre-screen,
and every file of a large run, are analysed in worker processes with a time
limit (see ``workers``).
"""

from __future__ import annotations

from typing import NamedTuple

import errno
import os
import re
import stat
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import replace

import libcst as cst

from airflow_etiquette.config import Config
from airflow_etiquette.analysis.context import FileContext, Report
from airflow_etiquette.analysis.dags import exact_dag_ids
from airflow_etiquette.sources.files import SourceFile
from airflow_etiquette.analysis.facts import FileFacts, collect_facts
from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.analysis.model import LITERAL_STRINGS, build_index
from airflow_etiquette.rules import CONTENT_RULES, RULES_BY_CODE, Rule

SCRIPT_SUFFIXES = (".sh", ".bash")
SCRIPT_RULES = frozenset({"ETQ302", "ETQ401"})  # what a shell script can do to everyone: write elsewhere, change azure_pg
BUNDLE_SUFFIX = ".zip"
MAX_BUNDLE_MEMBERS = 10_000
PARALLEL_THRESHOLD = 16  # below this many files, worker start-up costs more than it saves
RISKY_SIZE = 256 * 1024
RISKY_DEPTH = 100
RISKY_OPERATORS = 400

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_TOKENS = re.compile(rb"[(\[{]|[)\]}]|\n|[-+*/%@&|^~<>.]|\bnot\b|\band\b|\bor\b")


class Settings(NamedTuple):
    """Everything a worker needs to analyse a file; picklable."""

    config: Config
    known_owners: frozenset[str]
    collect_facts: bool = False  # also gather what the audit reports (DAGs, schemas, connections)
    collect_dag_ids: bool = False  # also list each DAG definition's exact ids (for ETQ104 and ETQ203)
    run_rules: bool = True  # False: only collect (a file that is compared with, not checked)


class FileResult(NamedTuple):
    findings: list[Finding]
    facts: FileFacts | None = None
    dag_ids: tuple[tuple[str, ...], ...] = ()  # per DAG definition, in order; () for an unresolved one
    dag_conditional: tuple[bool, ...] = ()  # per DAG definition: inside an if/try arm
    silenced: tuple[Finding, ...] = ()  # found, but waived by a `# noqa` the configuration allows


def analyze_file(file: SourceFile, settings: Settings) -> FileResult:
    """The findings (and facts) of one file on disk. Never raises."""
    data, problem = read_source(file, settings.config)
    if problem is not None:
        return FileResult([problem])
    assert data is not None
    return analyze_source(data, file, settings)


def read_source(file: SourceFile, config: Config) -> tuple[bytes | None, Finding | None]:
    limit = int(config.max_file_size_mb * 1024 * 1024)
    if file.content is not None:
        return (None, _too_large(file, len(file.content), config)) if len(file.content) > limit else (file.content, None)
    try:
        # O_NONBLOCK: a named pipe called x.py must not block the run forever.
        descriptor = os.open(file.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                return None, failure(file, "cannot read the file: it is not a regular file")
            if status.st_size > limit:
                return None, _too_large(file, status.st_size, config)
            return handle.read(limit + 1), None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            reason = "a symlink loop"
        elif exc.errno == errno.ENOENT and os.path.islink(file.path):
            reason = f"a broken symlink (its target {os.readlink(file.path)} does not exist)"
        else:
            reason = exc.strerror or str(exc)
        return None, failure(file, f"cannot read the file: {reason}")


def _too_large(file: SourceFile, size: int, config: Config) -> Finding:
    return failure(file, f"skipped: the file is {size / 1024 / 1024:.1f} MB, over "
                         f"the max-file-size-mb limit of {config.max_file_size_mb:g} MB")


def failure(file: SourceFile, message: str) -> Finding:
    rule = RULES_BY_CODE["ETQ002"]
    return Finding(file.relpath, 1, 1, rule.code, rule.name, rule.severity, message)


def risky(data: bytes) -> str | None:
    """Why libcst's parser might crash or hang on this source, or None when it looks ordinary.

    Measured with libcst 1.9: it segfaults on ~5,000 nested brackets or a long
    run of ``not``, and is super-linear on long operator chains and large files.
    """
    if len(data) > RISKY_SIZE:
        return "large file"
    depth = deepest = operators = 0
    for token in _TOKENS.findall(data):
        if token in b"([{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in b")]}":
            depth -= 1
        elif token == b"\n":
            if depth <= 0:
                operators = 0
        else:
            operators += 1
            if operators > RISKY_OPERATORS:
                return "long expression"
    return "deep nesting" if deepest > RISKY_DEPTH else None


def analyze_source(data: bytes, file: SourceFile, settings: Settings, only: Collection[str] | None = None) -> FileResult:
    """The findings (and facts) of one file's bytes (``only``: of these rules). Never raises."""
    if file.relpath.endswith(SCRIPT_SUFFIXES) and only is None:
        return _analyze_script(data, file, settings)
    config = settings.config
    checkers = [rule() for rule in CONTENT_RULES if settings.run_rules and config.rule_enabled(rule.code, file.relpath)
                and (only is None or rule.code in only)]
    parse_error_enabled = settings.run_rules and config.rule_enabled("ETQ001", file.relpath)
    try:
        module = _parse(data)
    except _NotPython as exc:
        if not parse_error_enabled:
            return FileResult([])
        rule = RULES_BY_CODE["ETQ001"]
        return FileResult([Finding(file.relpath, exc.line, exc.column, rule.code, rule.name, rule.severity, exc.message)])
    except RecursionError:
        return FileResult([failure(file, "the file is too deeply nested to analyse")])
    except Exception as exc:  # the parser itself failed: report it for this file, go on with the rest
        return FileResult([failure(file, f"the parser failed: {type(exc).__name__}: {exc}")])
    if not checkers and not settings.collect_facts and not settings.collect_dag_ids:
        return FileResult([])
    findings: list[Finding] = []
    reports: list[tuple[type[Rule], Report]] = []
    try:
        context = FileContext(file.relpath, file.owner, config, settings.known_owners, build_index(module))
    except RecursionError:
        return FileResult([failure(file, "the file is too deeply nested to analyse")])
    for checker in checkers:
        try:
            reports.extend((type(checker), report) for report in checker.check(context))
        except RecursionError:
            findings.append(failure(file, f"{checker.code} could not finish: the file is too deeply nested"))
        except Exception as exc:  # a bug in one rule must not hide the other rules' findings
            findings.append(failure(file, f"{checker.code} failed: {type(exc).__name__}: {exc} (please report this)"))
    silenced: list[Finding] = []
    if reports:
        placed, silenced = _place(module, data, file, reports, config)
        findings.extend(placed)
    facts = None
    dag_ids: tuple[tuple[str, ...], ...] = ()
    conditional: tuple[bool, ...] = ()
    try:
        if settings.collect_facts:
            facts = collect_facts(context)
        if settings.collect_dag_ids:
            dag_ids = tuple(exact_dag_ids(dag) for dag in context.dags)
            conditional = tuple(dag.node in context.index.conditional_nodes for dag in context.dags)
    except (RecursionError, Exception) as exc:  # a bonus; the findings stand without it
        findings.append(failure(file, f"could not list the file's DAGs: {type(exc).__name__}: {exc}"))
    return FileResult(findings, facts, dag_ids, conditional, tuple(silenced))


def _analyze_script(data: bytes, file: SourceFile, settings: Settings) -> FileResult:
    """A shell script in the dags folder (what a ``bash_command`` runs): the connection and
    schema rules on each of its lines, read as the strings they would be inside a DAG file.

    Each line (with its backslash continuations) becomes one string constant of a module
    whose line numbers are the script's, so a finding lands on the script's own line.
    """
    text = data.decode("utf-8", errors="replace")
    statements: list[str] = []
    group: list[str] = []
    for line in [*text.split("\n"), ""]:
        group.append(line)
        if line.endswith("\\"):
            continue
        body = "\n".join(group)
        escaped = body.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\0", "\\x00")
        statements.append(f'SCRIPT_LINE = """{escaped}"""')
        group = []
    source = "\n".join(statements).encode("utf-8", errors="surrogateescape")
    result = analyze_source(source, file, settings._replace(collect_facts=False, collect_dag_ids=False), SCRIPT_RULES)
    return FileResult([replace(f, column=1) for f in result.findings if f.code != "ETQ001"],
                      silenced=tuple(replace(f, column=1) for f in result.silenced))


def dag_positions(file: SourceFile, settings: Settings, code: str) -> list[tuple[int, int, bool]]:
    """Line, column and whether a ``# noqa`` comment names ``code`` there, for each DAG
    definition of a file, in the order of ``FileResult.dag_ids``."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    data, problem = read_source(file, settings.config)
    if problem is not None or data is None or risky(data):
        return []
    try:
        module = _parse(data)
        context = FileContext(file.relpath, file.owner, settings.config, settings.known_owners, build_index(module))
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        comments = noqa_comments(data)
        starts = [positions[d.at(d.node)].start for d in context.dags]
        return [(at.line, at.column + 1, _noqa_names(comments.get(at.line), code)) for at in starts]
    except Exception:  # positions only decorate a report that is already complete
        return []


class _NotPython(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _parse(data: bytes) -> cst.Module:
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _location(data, nul)
        raise _NotPython(line, column, "not valid Python: the file is binary (it contains NUL bytes)")
    try:
        return cst.parse_module(_nfkc_identifiers(data))
    except cst.ParserSyntaxError as exc:
        line, column = _error_position(exc, data)
        detail = _syntax_detail(exc, data, line, column) + _open_bracket_hint(data, line)
        raise _NotPython(line, column, f"not valid Python: {detail}") from None
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:  # bytes that do not decode
        line, column, byte = _undecodable(data)
        if byte is None:
            raise _NotPython(1, 1, f"not valid Python: {getattr(exc, 'msg', None) or exc}") from None
        raise _NotPython(line, column, f"not valid Python: byte 0x{byte:02x} is not UTF-8 and the file declares "
                                       "no other encoding; save it as UTF-8") from None


def _nfkc_identifiers(data: bytes) -> bytes:
    """The source with every identifier in the NFKC form Python gives it when it compiles the
    file (``ＤＡＧ`` is ``DAG``), and everything else, strings included, untouched: libcst keeps
    identifiers as written, so a fullwidth DAG would otherwise be no DAG to the analyzer."""
    if data.isascii():
        return data
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        renames = [(token.start, token.end, unicodedata.normalize("NFKC", token.string))
                   for token in tokenize.generate_tokens(io.StringIO(text).readline)
                   if token.type == tokenize.NAME and not token.string.isascii()
                   and unicodedata.normalize("NFKC", token.string) != token.string]
        if not renames:
            return data
        lines = io.StringIO(text, newline="").readlines()  # the lines as tokenize counts them
        for (row, start), (_, end), name in reversed(renames):
            line = lines[row - 1]
            lines[row - 1] = line[:start] + name + line[end:]
        return "".join(lines).encode(encoding)
    except (tokenize.TokenError, SyntaxError, UnicodeError, LookupError, IndexError):
        return data  # the parser reports what is wrong with it


def _error_position(exc: cst.ParserSyntaxError, data: bytes) -> tuple[int, int]:
    """Where the parser stopped. The native parser's message names the offending token
    ("error at 2:14"), which is often more precise than the error's own position."""
    line, column = max(exc.editor_line, 1), max(exc.editor_column, 1)
    found = re.search(r"error at (\d+):(\d+)", str(exc.message or ""))
    if found:
        at_line, at_column = int(found.group(1)), int(found.group(2))
        lines = data.split(b"\n")
        if 1 <= at_line <= len(lines) and 1 <= at_column <= len(lines[at_line - 1]) + 1:
            text = lines[at_line - 1].decode("utf-8", "replace")
            # It names the token's last character: step back to where the token starts.
            while 1 < at_column <= len(text) and (text[at_column - 1].isalnum() or text[at_column - 1] == "_") \
                    and (text[at_column - 2].isalnum() or text[at_column - 2] == "_"):
                at_column -= 1
            return at_line, at_column
    return line, column


def _open_bracket_hint(data: bytes, error_line: int) -> str:
    """"; is the ( on line 3 closed?" when a bracket opened on an earlier line is still open
    where the parser gave up: the usual cause of an error reported lines later."""
    import io
    import tokenize

    stack: list[tuple[str, int]] = []
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.start[0] >= error_line:
                break
            if token.type == tokenize.OP and token.string in "([{":
                stack.append((token.string, token.start[0]))
            elif token.type == tokenize.OP and token.string in ")]}" and stack:
                stack.pop()
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        pass  # the tokenizer stops where the source breaks; what it saw so far still counts
    if not stack or stack[-1][1] >= error_line:
        return ""
    bracket, line = stack[-1]
    # Inside a multi-line call the next argument is indented deeper than the line that opened
    # it (a missing comma); a statement at the opener's indentation means it was never closed.
    lines = data.split(b"\n")

    def indent(number: int) -> int:
        return len(lines[number - 1]) - len(lines[number - 1].lstrip())

    if error_line <= len(lines) and indent(error_line) <= indent(line):
        return f"; is the {bracket} on line {line} closed?"
    return ""


def _syntax_detail(exc: cst.ParserSyntaxError, data: bytes, line: int, column: int) -> str:
    """A short reason: libcst lists every token it expected, which helps nobody."""
    detail = str(exc.message).splitlines()[0] if exc.message else "syntax error"
    if "expected one of" not in detail and len(detail) <= 100:
        return detail
    text = data.split(b"\n")[line - 1].decode("utf-8", "replace") if line <= data.count(b"\n") + 1 else ""
    token = re.match(r"\s*(\w+|\S)", text[column - 1:]) if column <= len(text) else None
    return f"unexpected {token.group(1)!r}" if token else "unexpected end of file"


def _location(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _undecodable(data: bytes) -> tuple[int, int, int | None]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (*_location(data, exc.start), data[exc.start])
    return 1, 1, None


def _place(module: cst.Module, data: bytes, file: SourceFile, reports: Sequence[tuple[type[Rule], Report]],
           config: Config) -> tuple[list[Finding], list[Finding]]:
    """Turn reports into findings with positions; those a permitted ``# noqa`` waives come second."""
    from libcst.metadata import MetadataWrapper, PositionProvider  # only files with findings pay for positions

    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    comments = noqa_comments(data)
    findings: list[Finding] = []
    silenced: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for rule, report in reports:
        start, end = positions[report.node].start, positions[report.node].end
        key = (rule.code, start.line, report.message)
        if key in seen:
            continue
        seen.add(key)
        finding = Finding(file.relpath, start.line, start.column + 1, rule.code, rule.name,
                          report.severity or rule.severity, report.message)
        # A comment can follow the first line, or, for a multi-line string, the last one
        # (`""")  # noqa: ETQ302`), where no comment can go inside.
        last = end.line if end.line != start.line and isinstance(report.node, LITERAL_STRINGS) else start.line
        waived = waive(finding, comments, config, (start.line, last))
        (silenced if waived is None else findings).append(waived or finding)
    return findings, silenced


def noqa_comments(data: bytes) -> dict[int, str]:
    """The real comments that hold ``noqa``, by line: read from Python's tokens, so a ``# noqa``
    inside a string (``hook.run("TRUNCATE t -- # noqa")``) is text, not a waiver."""
    import io
    import tokenize

    if b"noqa" not in data.lower():
        return {}
    found: dict[int, str] = {}
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.COMMENT and "noqa" in token.string.lower():
                found[token.start[0]] = token.string
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        pass  # what was read so far counts; the rest of the file has no waivers
    return found


def waive(finding: Finding, comments: dict[int, str], config: Config, lines: Sequence[int]) -> Finding | None:
    """None when a ``# noqa`` on one of ``lines`` names the finding and the configuration lets
    it; the finding itself when no comment names it; and when the configuration does not let
    it, the finding with a word saying so (a waiver that silently does nothing misleads)."""
    if not any(_noqa_names(comments.get(line), finding.code) for line in lines):
        return finding
    if config.noqa_may_silence(finding.code, finding.severity is Severity.WARNING):
        return None
    why = "--ignore-noqa is set" if config.ignore_noqa else "the configuration's allow-noqa does not list it"
    return replace(finding, message=f"{finding.message} (# noqa cannot silence {finding.code}: {why})")


def _noqa_names(comment: str | None, code: str) -> bool:
    if comment is None:
        return False
    match = _NOQA.search(comment)
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or code in {c.upper() for c in re.split(r"[\s,]+", codes)}


def expand_bundles(files: Sequence[SourceFile], config: Config) -> tuple[list[SourceFile], dict[str, FileResult]]:
    """Zip archives in the dags folder replaced by their ``.py`` members (the scheduler imports
    DAGs from zip files), named ``bundle.zip/member.py``; read as data, never imported. What
    cannot be read (a corrupt, encrypted or nested archive, an oversized member) is ETQ002 for
    the archive."""
    if not any(f.relpath.endswith(BUNDLE_SUFFIX) for f in files):
        return list(files), {}
    import io
    import zipfile
    import zlib

    expanded: list[SourceFile] = []
    problems: dict[str, FileResult] = {}
    limit = int(config.max_file_size_mb * 1024 * 1024)
    for file in files:
        if not file.relpath.endswith(BUNDLE_SUFFIX):
            expanded.append(file)
            continue
        data, problem = read_source(file, config)
        if problem is not None or data is None:
            problems[file.relpath] = FileResult([problem] if problem else [])
            continue
        reasons: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                if len(members) > MAX_BUNDLE_MEMBERS:
                    reasons.append(f"the archive has {len(members)} entries, over {MAX_BUNDLE_MEMBERS}")
                    members = []
                for member in members:
                    name = member.filename
                    if member.is_dir():
                        continue
                    if name.lower().endswith((".zip", ".egg", ".whl", ".tar", ".gz", ".tgz")):
                        reasons.append(f"it holds another archive ({name}), which is not read")
                    elif not name.endswith(".py"):
                        continue
                    elif name.startswith("/") or ".." in name.split("/"):
                        reasons.append(f"the member {name} has a path outside the archive")
                    elif member.file_size > limit:
                        reasons.append(f"the member {name} is {member.file_size / 1024 / 1024:.1f} MB, over the "
                                       f"max-file-size-mb limit of {config.max_file_size_mb:g} MB")
                    else:
                        content = archive.read(member)
                        expanded.append(file._replace(relpath=f"{file.relpath}/{name}", content=content[:limit + 1]))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
            reasons.append(f"cannot read the archive: {exc}")
        if reasons:
            problems[file.relpath] = FileResult([failure(file, "; ".join(reasons))])
    return expanded, problems


def analyze_files(files: Sequence[SourceFile], settings: Settings, jobs: int) -> list[tuple[SourceFile, FileResult]]:
    """Every file's result, in the order of ``files`` (an archive's members where it stood, then
    the archive itself if it could not all be read); large runs and risky files go to workers."""
    if not any(f.relpath.endswith(BUNDLE_SUFFIX) for f in files):
        return _analyze(files, settings, jobs)
    members, problems = expand_bundles(files, settings.config)
    by_path = {f.relpath: (f, r) for f, r in _analyze(members, settings, jobs)}
    ordered: list[tuple[SourceFile, FileResult]] = []
    for file in files:
        if file.relpath.endswith(BUNDLE_SUFFIX):
            ordered += [by_path[m.relpath] for m in members if m.relpath.startswith(file.relpath + "/")]
            if file.relpath in problems:
                ordered.append((file, problems[file.relpath]))
        else:
            ordered.append(by_path[file.relpath])
    return ordered


def _analyze(files: Sequence[SourceFile], settings: Settings, jobs: int) -> list[tuple[SourceFile, FileResult]]:
    from airflow_etiquette.engine import workers

    if jobs > 1 and len(files) >= PARALLEL_THRESHOLD:
        return workers.analyze_in_workers(files, settings, jobs)
    results: dict[str, FileResult] = {}
    isolated: list[SourceFile] = []
    for file in files:
        data, problem = read_source(file, settings.config)
        if problem is not None:
            results[file.relpath] = FileResult([problem])
        elif risky(data or b""):
            isolated.append(file)
        else:
            results[file.relpath] = analyze_source(data or b"", file, settings)
    if isolated:
        results.update((f.relpath, r) for f, r in workers.analyze_in_workers(isolated, settings, 1))
    return [(file, results[file.relpath]) for file in files]


def severity_counts(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return errors, len(findings) - errors


def run_example(source: str, path: str, owners: Sequence[str], settings_table: dict[str, object]) -> list[Finding]:
    """The findings for a snippet as if it were the file ``path`` of a repository.

    Used by ``explain`` and by the tests that run every rule's examples.
    """
    from pathlib import Path

    from airflow_etiquette.config import config_from_table
    from airflow_etiquette.sources.files import owner_of

    config = config_from_table(Path("/example-repository"), None, settings_table, RULES_BY_CODE)
    file = SourceFile(f"/example-repository/{path}", path, owner_of(path, config))
    settings = Settings(config=config, known_owners=frozenset(owners))
    findings = analyze_source(source.encode("utf-8"), file, settings).findings
    return sorted(findings, key=lambda f: (f.path, f.line, f.column, f.code))
