"""Reading what the scheduler loads: a file's bytes (never more than the size limit, never
blocking on a pipe), the members of a zip bundle, and a shell script as Python strings."""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from airflow_etiquette.config import Config
from airflow_etiquette.findings import Finding
from airflow_etiquette.rules.analysis_failed import AnalysisFailed
from airflow_etiquette.rules.escaping_symlink import EscapingSymlink
from airflow_etiquette.sources.files import SourceFile

SCRIPT_SUFFIXES = (".sh", ".bash")
SQL_SUFFIX = ".sql"
_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]*\$")
BUNDLE_SUFFIX = ".zip"
MAX_BUNDLE_MEMBERS = 10_000


def read_source(file: SourceFile, config: Config) -> tuple[bytes | None, Finding | None]:
    """The file's bytes, or why not (None and None: nothing to read, another rule reports it)."""
    limit = int(config.max_file_size_mb * 1024 * 1024)
    if file.content is not None:
        return (
            (None, _too_large(file, len(file.content), config)) if len(file.content) > limit else (file.content, None)
        )
    try:
        # O_NONBLOCK: a named pipe called x.py must not block the run forever.
        descriptor = os.open(file.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as handle:
            if _leads_outside(file.path, descriptor, config.root):
                # Not a byte of it is read: a link to ~/.netrc must not come back as a finding's
                # text. ETQ202 reports the link by its path; where it is switched off, this does.
                if config.rule_enabled(EscapingSymlink.code, file.relpath):
                    return None, None
                return None, AnalysisFailed.for_file(
                    file.relpath,
                    "not read: it is a symlink (or inside a linked folder) that leads outside the repository",
                )
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                return None, AnalysisFailed.for_file(file.relpath, "cannot read the file: it is not a regular file")
            if status.st_size > limit:
                return None, _too_large(file, status.st_size, config)
            return handle.read(limit + 1), None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            reason = "a symlink loop"
        elif exc.errno == errno.ENOENT and os.path.islink(file.path):
            reason = f"a broken symlink (its target {os.readlink(file.path)} does not exist)"
        elif os.path.isdir(file.path):
            return None, AnalysisFailed.for_file(
                file.relpath, f"cannot read the folder: {exc.strerror or exc}; none of its files is checked"
            )
        else:
            reason = exc.strerror or str(exc)
        return None, AnalysisFailed.for_file(file.relpath, f"cannot read the file: {reason}")


@functools.lru_cache(maxsize=8)
def _real_root(root: Path) -> str:
    return os.path.realpath(root)


def _leads_outside(path: str, descriptor: int, root: Path) -> bool:
    """Whether the file the OS opened for ``path`` (resolving it component by component) lies
    outside the root. Linux names an open file's real path in one call; elsewhere it is
    resolved again."""
    real_root = _real_root(root)
    try:
        real = os.readlink(f"/proc/self/fd/{descriptor}")
    except OSError:
        real = os.path.realpath(path)
    return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)


def _too_large(file: SourceFile, size: int, config: Config) -> Finding:
    limit = config.max_file_size_mb
    # content read only up to one byte over the limit (standard input) tells no more than that
    said = "" if size == int(limit * 1024 * 1024) + 1 else f"{size / 1024 / 1024:.1f} MB, "
    return AnalysisFailed.for_file(
        file.relpath, f"skipped: the file is {said}over the max-file-size-mb limit of {limit:g} MB"
    )


def script_as_python(data: bytes) -> bytes:
    """A shell script as a module of string constants, one per line (with its backslash
    continuations), on the script's own line numbers: the rules that read commands and SQL in
    strings then read the script as they would read a ``bash_command``. A comment line (``#`` first,
    outside a here-document, whose lines are data) runs nothing and becomes an empty string, and so
    does a line of a here-document that is only shown (a bare ``cat <<NOTE``)."""
    text = data.decode("utf-8", errors="replace")
    statements: list[str] = []
    group: list[str] = []
    # the here-document the line is in: its delimiter, whether <<- (tabs stripped), whether only printed
    heredoc: tuple[str, bool, bool] | None = None
    for line in [*text.split("\n"), ""]:
        if heredoc is None and not group and line.lstrip().startswith("#"):
            statements.append('SCRIPT_LINE = ""')
            continue
        if heredoc is not None:
            delimiter, tabs, printed = heredoc
            if (line.lstrip("\t") if tabs else line).rstrip("\r") == delimiter:
                heredoc = None
            elif printed:
                statements.append('SCRIPT_LINE = ""')
                continue
        elif "<<" in line and (opened := re.search(_HEREDOC, line)) and _unquoted(line, opened.start()):
            heredoc = (opened.group("word"), opened.group("dash") == "-", _only_printed(line, opened))
        group.append(line)
        if line.endswith("\\"):
            continue
        body = "\n".join(group)
        escaped = body.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\0", "\\x00")
        statements.append(f'SCRIPT_LINE = """{escaped}"""')
        group = []
    return "\n".join(statements).encode("utf-8", errors="surrogateescape")


def _only_printed(line: str, opened: re.Match[str]) -> bool:
    """Whether the here-document ``opened`` on ``line`` is only shown: a bare ``cat <<NOTE`` (to
    the terminal or ``>&2``), not written to a file, a variable or another command (``cat > f``,
    ``$(cat <<EOF``, ``| bash``, a continued line), which may run it later."""
    after = line[opened.end() :].strip()
    return line[: opened.start()].strip() == "cat" and after in ("", ">&2", "1>&2")


def _unquoted(line: str, position: int) -> bool:
    """Whether ``position`` is outside quotes and comments (``echo "use <<EOF"`` opens nothing)."""
    before = line[:position]
    return before.count('"') % 2 == 0 and before.count("'") % 2 == 0 and "#" not in before


# `<<SQL`, `<<-'EOF'`, `<< "END"`; not a here-string (`<<<`)
_HEREDOC = r"(?<!<)<<(?P<dash>-?)\s*(?P<quote>['\"]?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?P=quote)"


def sql_as_python(data: bytes) -> tuple[bytes, dict[int, list[tuple[int, int]]]]:
    """A ``.sql`` template file as a module of string constants, one per statement, each on the
    line where its statement starts (leading comments aside), so the rules that read SQL in
    strings read it as they read ``sql=``, and report at the statement's own line. Statements end
    at a ``;`` outside quotes, comments and ``$$`` bodies; one linear pass. The second value maps
    each line to (column in the module, column in the file) of each statement starting there."""
    text = data.decode("utf-8", errors="replace")
    lines: dict[int, list[str]] = {}
    columns: dict[int, list[tuple[int, int]]] = {}
    widths: dict[int, int] = {}  # what a line of the module holds so far, with its "; " separators
    line, line_start, counted = 1, 0, 0  # statements come in order: lines are counted once, onwards
    for start, statement in _statements(text):
        body = statement.strip()
        if not body:
            continue
        breaks = text.count("\n", counted, start)
        if breaks:
            line, line_start = line + breaks, text.rfind("\n", counted, start) + 1
        counted = start
        constant = f"SQL_STATEMENT = {body!r}"
        lines.setdefault(line, []).append(constant)
        columns.setdefault(line, []).append((widths.get(line, 0) + 1, start - line_start + 1))
        widths[line] = widths.get(line, 0) + len(constant) + 2
    last = max(lines, default=0)
    module = "\n".join("; ".join(lines.get(number, [])) for number in range(1, last + 1))
    return (module + "\n").encode("utf-8", errors="surrogateescape"), columns


def _statements(text: str) -> list[tuple[int, str]]:
    """(offset of the first character that is not a space or a comment, text) of each statement."""
    found: list[tuple[int, str]] = []
    begin, position, size = 0, 0, len(text)
    first: int | None = None
    jinja_closes = True
    while position < size:
        char = text[position]
        if char == "'" and position and text[position - 1] in "eE" and not _word_before(text, position - 1):
            end = _escape_string_end(text, position + 1)  # E'it\'s': a backslash escapes the quote
            first = position - 1 if first is None else first
            position = size if end < 0 else end + 1
        elif char in "'\"":
            end = text.find(char, position + 1)
            while end >= 0 and text.startswith(char * 2, end):
                end = text.find(char, end + 2)
            first = position if first is None else first
            position = size if end < 0 else end + 1
        elif jinja_closes and text.startswith("{#", position):
            end = text.find("#}", position + 2)
            if end >= 0:
                position = end + 2  # a Jinja comment: the template drops it, ; and all
            else:
                jinja_closes = False  # unclosed, and so is every later one: text (looked for once)
        elif text.startswith("--", position):
            end = text.find("\n", position)
            position = size if end < 0 else end + 1
        elif text.startswith("/*", position):
            end = text.find("*/", position + 2)
            position = size if end < 0 else end + 2
        elif char == "$" and (tag := _DOLLAR_TAG.match(text, position)) is not None:
            end = text.find(tag.group(0), tag.end())
            first = position if first is None else first
            position = size if end < 0 else end + len(tag.group(0))
        elif char == ";":  # (the text from its first character: leading comments are no part of it)
            found.append((begin, "") if first is None else (first, text[first:position]))
            begin, first = position + 1, None
            position += 1
        else:
            if first is None and not char.isspace():
                first = position
            position += 1
    found.append((begin, "") if first is None else (first, text[first:]))
    return found


def _word_before(text: str, position: int) -> bool:
    """Whether the character before ``position`` continues a word (``some'`` is no E'' string)."""
    return position > 0 and (text[position - 1].isalnum() or text[position - 1] == "_")


def _escape_string_end(text: str, position: int) -> int:
    """Where the E'...' string whose body starts at ``position`` ends (its closing quote), or -1."""
    token = re.compile(r"\\.|''|'", re.S)  # (from re's own cache after the first call)
    while (found := token.search(text, position)) is not None:
        if found.group(0) == "'":
            return found.start()
        position = found.end()
    return -1


def expand_bundles(files: Sequence[SourceFile], config: Config) -> tuple[list[SourceFile], dict[str, Finding | None]]:
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
    problems: dict[str, Finding | None] = {}
    limit = int(config.max_file_size_mb * 1024 * 1024)
    for file in files:
        if not file.relpath.endswith(BUNDLE_SUFFIX):
            expanded.append(file)
            continue
        data, problem = read_source(file, config)
        if problem is not None or data is None:
            problems[file.relpath] = problem
            continue
        reasons: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                if len(members) > MAX_BUNDLE_MEMBERS:
                    reasons.append(f"the archive has {len(members)} entries, over {MAX_BUNDLE_MEMBERS}")
                    members = []
                # A bundle is read as one file: its Python, expanded, within the one file's limit
                # (a few megabytes of zip can hold gigabytes of text; a read stops at the size
                # a member declares).
                python = [m for m in members if m.filename.endswith(".py") and not m.is_dir()]
                over = [m for m in python if m.file_size > limit]
                total = sum(m.file_size for m in python)
                if over:  # (none of the archive is read then: one of its members alone is too much)
                    reasons += [
                        f"the member {m.filename} is {m.file_size / 1024 / 1024:.1f} MB, over the "
                        f"max-file-size-mb limit of {config.max_file_size_mb:g} MB"
                        for m in over[:3]
                    ]
                    members = []
                elif total > limit:
                    reasons.append(
                        f"its Python files expand to {total / 1024 / 1024:.1f} MB, over the max-file-size-mb "
                        f"limit of {config.max_file_size_mb:g} MB for one file"
                    )
                    members = []
                for member in members:
                    name = member.filename
                    if member.is_dir():
                        continue
                    if name.lower().endswith((".zip", ".egg", ".whl", ".tar", ".gz", ".tgz")):
                        reasons.append(f"it holds another archive ({name}), which is not read")
                    elif name.lower().endswith((".pyc", ".pyo", ".so", ".pyd")):
                        reasons.append(f"it holds compiled code ({name}), which the scheduler loads and no check reads")
                    elif not name.endswith(".py"):
                        continue
                    elif name.startswith("/") or ".." in name.split("/"):
                        reasons.append(f"the member {name} has a path outside the archive")
                    elif member.file_size > limit:
                        reasons.append(
                            f"the member {name} is {member.file_size / 1024 / 1024:.1f} MB, over the "
                            f"max-file-size-mb limit of {config.max_file_size_mb:g} MB"
                        )
                    else:
                        content = archive.read(member)
                        expanded.append(file._replace(relpath=f"{file.relpath}/{name}", content=content[: limit + 1]))
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            RuntimeError,
            NotImplementedError,
            ValueError,
        ) as exc:
            reasons.append(f"cannot read the archive: {exc}")
        if reasons:
            problems[file.relpath] = AnalysisFailed.for_file(file.relpath, "; ".join(reasons))
    return expanded, problems
