"""The command line: a thin layer over the engine and the output formats.

Exit codes: 0 no error-severity findings, 1 at least one, 2 a usage,
configuration or internal error (one line on stderr; a traceback only with
``--verbose``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from airflow_etiquette import __version__
from airflow_etiquette.config import (
    MAX_TIMEOUT,
    Config,
    ConfigError,
    Configure,
    Reader,
    configure_from,
    read_work_tree,
    validate_code,
)
from airflow_etiquette.output import FORMATS, TEXT_FORMATS, CheckReport
from airflow_etiquette.output.report import printable
from airflow_etiquette.output.settings import format_settings
from airflow_etiquette.sources.git import GitError

if TYPE_CHECKING:
    from airflow_etiquette.engine.check import CheckResult
    from airflow_etiquette.engine.fix import FixResult
    from airflow_etiquette.findings import Finding


EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROG = "airflow-etiquette"


def _codes(values: Sequence[str], option: str) -> tuple[str, ...]:
    from airflow_etiquette.rules import RULES_BY_CODE  # the rules load when a command needs them, not for --version

    known = set(RULES_BY_CODE)
    items = [item for value in values for item in value.split(",") if item.strip()]
    return tuple(validate_code(item, known, option) for item in items)


def _not_nan(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """click's FloatRange lets nan through (every comparison with it is false)."""
    if value is not None and math.isnan(value):
        raise click.BadParameter(f"{value} is not a number of seconds")
    return value


def _revision_range(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A range for git log; one starting with '-' would be read by git as an option (--output=FILE)."""
    if value is not None and (not value.strip() or value.startswith("-")):
        raise click.BadParameter(f"{value!r} is not a revision range (like main~50..main)")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
_RELATIVE_DATE = re.compile(r"\d+[ .](?:second|minute|hour|day|week|month|year)s?[ .]ago")


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An ISO date or git's ``N units ago``: git's own parser takes any text, and a typo meant 0 commits."""
    if value is None:
        return None
    text = value.strip()
    if _RELATIVE_DATE.fullmatch(text):
        return text
    if _ISO_DATE.fullmatch(text):
        try:
            datetime.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise click.BadParameter(f"{value!r} is not a date: give YYYY-MM-DD or a relative date like '2 weeks ago'")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _write(path: Path, text: str, append: bool = False) -> None:
    """Write an output file; a path that cannot be written is the user's to fix, not an internal error.

    A report file is written to a temporary file beside it and renamed into place, so a full disk
    or a killed run leaves the previous file or none, never a truncated SARIF that the Action would
    upload. What is not a regular file (``/dev/stdout``, a pipe, a device) is written as it is, and
    a symlink's target is replaced, not the link. (Appending, as to GitHub's step summary, cannot
    be made atomic.)

    A file name that is not UTF-8 reaches us with surrogate escapes, which no UTF-8 file can
    hold. SARIF and the JSON documents escape them themselves (a percent-encoded URI, JSON's
    ``\\udcXX``); in what is left (HTML, Markdown) they become U+FFFD, so every report stays
    valid UTF-8.
    """
    import stat
    import tempfile

    data = _SURROGATE.sub("\ufffd", text).encode("utf-8")
    target = Path(os.path.realpath(path))  # a symlink to the report stays a symlink
    temporary = None
    try:
        try:
            regular = stat.S_ISREG(os.stat(target).st_mode)
        except FileNotFoundError:
            regular = True  # a new file
        if append or not regular:  # GitHub's step summary; /dev/stdout, a pipe, a device
            with open(target, "ab" if append else "wb") as handle:
                handle.write(data)
            return
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with open(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _new_file_mode(target))
        os.replace(temporary, target)
        temporary = None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _new_file_mode(path: Path) -> int:
    """The mode the file has, or would get from a plain open(): mkstemp's 0600 is for secrets."""
    try:
        return os.stat(path).st_mode & 0o777  # never set-user-ID or sticky bits on a report
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _here() -> Path:
    """Where a run without paths looks for its repository: the work tree git is told to use
    (GIT_WORK_TREE, as git itself reads it), else the current directory."""
    work_tree = os.environ.get("GIT_WORK_TREE")
    return Path(os.path.abspath(work_tree)) if work_tree else Path.cwd()


def _named_ref(value: str | None) -> str | None:
    """--base's value: empty (a CI variable that was never set, `--base "$BASE"`) names nothing."""
    if value is not None and not value.strip():
        raise click.BadParameter("it is empty; name a branch, tag or commit (or auto)", param_hint="'--base'")
    return value


def _echo(text: str, color: bool | None = None) -> None:
    """The report on standard output: a full disk is one line and exit code 2, a reader that went
    away (``| head``) ends the output quietly."""
    try:
        click.echo(text, nl=False, color=color)
        sys.stdout.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise click.ClickException(f"cannot write the report to standard output: {exc.strerror or exc}") from None


class InternalError(Exception):
    """An exception nobody expected, worded as one line; ``--verbose`` shows the traceback instead."""


def _internal_errors(command: Callable[..., int]) -> Callable[..., int]:
    """Turn an unexpected exception inside a command into one line, unless it asked for ``--verbose``."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> int:
        try:
            return command(*args, **kwargs)
        except (ConfigError, GitError, click.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except Exception as exc:
            if kwargs.get("verbose"):
                raise
            raise InternalError(f"{type(exc).__name__}: {exc}") from exc

    return run


# Options check and audit share.
_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this configuration file (its directory is the repository root).",
)
_jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Worker processes; 0 uses every core.",
)
_no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    help="Analyse every file again instead of reusing results for unchanged files (see the cache-dir key).",
)
_ignore_noqa_option = click.option(
    "--ignore-noqa", is_flag=True, help="Report every finding, also those a `# noqa` comment silences."
)
_exit_zero_option = click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
_verbose_option = click.option("--verbose", "-v", is_flag=True, help="Show tracebacks of internal errors.")


def _configurer(
    start: Path,
    config_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    timeout: float | None,
    ignore_noqa: bool,
    extend_select: tuple[str, ...] = (),
) -> Configure:
    """How this run reads a configuration (the work tree's, or a base commit's), options on top."""
    from airflow_etiquette.rules import RULES_BY_CODE

    selected, ignored = _codes(select, "--select"), _codes(ignore, "--ignore")
    extended = _codes(extend_select, "--extend-select")
    load = configure_from(start, RULES_BY_CODE, config_file)

    def configure(read: Reader, revision: str | None) -> Config:
        return _with_options(load(read, revision), selected, ignored, timeout, ignore_noqa, extended)

    return configure


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name=PROG, message="%(prog)s %(version)s")
def cli() -> None:
    """A static linter for shared Apache Airflow DAG repositories.

    DAG files are read, never imported or executed.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    help="Output format [default: text (concise); github inside GitHub Actions]; full adds each source line.",
)
@click.option(
    "--base",
    metavar="REF",
    callback=lambda _context, _option, value: _named_ref(value),
    help="Check only what changed since the merge base of REF and HEAD (plus staged changes), "
    "and who changed it (ETQ201).",
)
@click.option("--staged", is_flag=True, help="Check only the staged change (what pre-commit sees).")
@click.option("--author", metavar="NAME", help="Who made the change: an owner name or a GitHub login.")
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these rule codes or prefixes (comma-separated); replaces the config's select.",
)
@click.option("--extend-select", multiple=True, metavar="CODES", help="Add these rule codes or prefixes to the select.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes (comma-separated).")
@click.option("--extend-ignore", multiple=True, metavar="CODES", help="The same as --ignore (flake8's name).")
@_exit_zero_option
@_ignore_noqa_option
@_config_option
@_jobs_option
@_no_cache_option
@click.option("--statistics", is_flag=True, help="Count the findings per rule instead of listing them (text or json).")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings and nothing else (no summary, no notes).")
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the configuration this run would use, with where each value comes from, and exit.",
)
@click.option("--show-files", is_flag=True, help="List the files this run would check, and exit.")
@click.option(
    "--stdin-filename",
    type=click.Path(path_type=Path),
    help="Check standard input as the file at this path (for editors); with --fix, print the fixed text.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Known findings: written when the file does not exist, read when it does; only findings not in it fail. "
    "In a change the base commit's copy is read.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True, max=MAX_TIMEOUT),
    callback=_not_nan,
    help="Seconds one file may take before it is reported as ETQ002 (default 5, or the config's).",
)
@click.option(
    "--sarif-output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the findings as SARIF 2.1.0 to this file (for GitHub code scanning).",
)
@click.option(
    "--report-file",
    "report_files",
    multiple=True,
    metavar="FORMAT=FILE",
    callback=lambda ctx, param, values: _report_files(values),
    help="Also write the findings in FORMAT to FILE (gitlab=gl-code-quality-report.json); repeatable: "
    "one analysis, every report.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output; auto means only on a terminal, never with NO_COLOR set or TERM=dumb.",
)
@click.option("--fix", is_flag=True, help="Write the safe fixes to the files on disk, then report what is left.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, also the fixes `explain` marks unsafe (a dag_id rename).",
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and write nothing (exit 1 if any).")
@_verbose_option
@_internal_errors
def check(
    paths: tuple[Path, ...],
    output_format: str | None,
    base: str | None,
    staged: bool,
    author: str | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_ignore: tuple[str, ...],
    exit_zero: bool,
    ignore_noqa: bool,
    config_file: Path | None,
    jobs: int,
    no_cache: bool,
    statistics: bool,
    quiet: bool,
    show_settings: bool,
    show_files: bool,
    stdin_filename: Path | None,
    baseline: Path | None,
    timeout: float | None,
    sarif_output: Path | None,
    report_files: tuple[tuple[str, Path], ...],
    color: str,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    verbose: bool,
) -> int:
    """Check DAG files (default: the dags folder of the repository), or a change."""
    from airflow_etiquette.engine.check import run_check
    from airflow_etiquette.findings import severity_counts
    from airflow_etiquette.output import github, sarif

    if base is not None and staged:
        raise click.UsageError("--base and --staged are two different change sets; give one of them")
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    output_format = output_format or ("github" if in_actions else "text")
    if stdin_filename is not None and (
        paths or base is not None or staged or show_files or sarif_output is not None or report_files
    ):
        raise click.UsageError(
            "--stdin-filename checks standard input as one file, for an editor: no paths, --base, --staged, "
            "--show-files or report files"
        )
    start = paths[0] if paths else stdin_filename or _here()
    configure = _configurer(start, config_file, select, ignore + extend_ignore, timeout, ignore_noqa, extend_select)
    if show_settings:
        given = {"select": select or extend_select, "ignore": ignore or extend_ignore, "timeout": timeout}
        names = {"select": "--select/--extend-select", "ignore": "--ignore/--extend-ignore", "timeout": "--timeout"}
        if ignore_noqa:
            names["allow-noqa"] = "--ignore-noqa, so no comment silences anything"
        config, where = _policy(configure, base, staged)
        _echo(format_settings(config, {k: names[k] for k in names if given.get(k, True)}, where))
        return EXIT_CLEAN

    if fix and diff:
        raise click.UsageError("--fix writes the fixes and --diff only shows them; give one of them")
    if unsafe_fixes and not (fix or diff):
        raise click.UsageError("--unsafe-fixes goes with --fix or --diff")
    if stdin_filename is not None:
        return _check_stdin(
            stdin_filename, configure, output_format, fix, diff, unsafe_fixes, quiet, exit_zero, statistics, baseline
        )

    def checked(list_only: bool = False) -> CheckResult:
        return run_check(
            configure(read_work_tree, None),
            list(paths),
            base=base,
            staged=staged,
            author=author,
            jobs=jobs,
            configure=configure,
            use_cache=not no_cache and not (fix or diff),
            list_only=list_only,
        )

    if show_files:
        listed = checked(list_only=True)
        _echo("".join(f"{printable(path)}\n" for path in sorted(listed.checked)))
        return EXIT_CLEAN

    result = checked()
    config = result.config or configure(read_work_tree, None)
    if fix or diff:
        fixes = _fixes(result, config, unsafe_fixes, jobs)
        for line in (line for outcome in fixes for line in outcome.refused) if not quiet else ():
            click.echo(f"{PROG}: {printable(line)}", err=True)
        if diff:
            for outcome in fixes:
                _echo(outcome.diff(printable))
            if not quiet:
                click.echo(f"{PROG}: {_fix_summary(fixes, unsafe_fixes, written=False)}", err=True)
            return EXIT_FINDINGS if any(o.after != o.before for o in fixes) else EXIT_CLEAN
        from airflow_etiquette.engine.fix import write_atomically

        for outcome in fixes:
            if outcome.after != outcome.before:
                try:
                    write_atomically(config.root / outcome.relpath, outcome.after)
                except OSError as exc:
                    why = exc.strerror or exc
                    raise click.ClickException(f"cannot write {printable(outcome.relpath)}: {why}") from None
        summary = _fix_summary(fixes, unsafe_fixes, written=True)
        if staged and any(o.after != o.before for o in fixes):
            summary += "; they are in your working tree, not staged: review them (git diff), git add, commit again"
        if not quiet:
            click.echo(f"{PROG}: {summary}", err=True)
        if any(o.after != o.before for o in fixes):
            result = checked()
    findings = result.findings
    known: list[Finding] = []
    baseline_file = baseline or (config.root / config.baseline if config.baseline else None)
    if baseline_file is not None:
        findings, known, wrote = _baselined(
            baseline_file,
            findings,
            config,
            in_change=result.change is not None,
            checked=result.checked,
            quiet=quiet,
            missing="error" if _in_ci() else "write",
        )
        if wrote:
            return EXIT_CLEAN
    for note in result.notes if not quiet else ():
        click.echo(f"{PROG}: {printable(note)}", err=True)
    if result.skipped_outside and not quiet:
        click.echo(
            f"{PROG}: nothing to check: {result.skipped_outside} path(s) given, none inside "
            f"{config.dags_folder}/ of {config.root}",
            err=True,
        )
    headline = None
    changed_paths = len({p for c in result.change.changes for p in c.touched}) if result.change else None
    if result.change is not None:
        headline = f"Checked {result.change.description}"
        if result.author is not None:
            headline += f" by {result.author.describe()} (identified by {result.author.signal})"
        headline += "."
    use_color = output_format in TEXT_FORMATS and (
        color == "always"
        or (
            color == "auto"
            and sys.stdout.isatty()
            and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb"
        )
    )
    prefix = ""
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY") if in_actions else None
    located = {output_format, *(name for name, _ in report_files)} - {*TEXT_FORMATS, "json"}
    if located or sarif_output is not None or step_summary:
        from airflow_etiquette.sources.git import work_tree_prefix

        prefix = work_tree_prefix(config.root)
    fixable: frozenset[str] = frozenset()
    if statistics or output_format == "full":
        from airflow_etiquette.engine.fix import fixable_codes

        fixable = fixable_codes(config)
    lines: dict[tuple[str, int], str] = {}
    if output_format == "full" and not statistics:
        from airflow_etiquette.engine.excerpts import excerpts

        lines = excerpts(findings, config, result.change)
    report = CheckReport(
        findings,
        result.files_checked,
        changed_paths,
        result.silenced,
        headline,
        use_color,
        __version__,
        prefix,
        known=known,
        quiet=quiet,
        fixable=fixable,
        excerpts=lines,
    )
    _echo(_renderer(output_format, statistics)(report), color=use_color)
    if sarif_output is not None:
        _write(sarif_output, sarif.render(report))
    for name, path in report_files:
        _write(path, FORMATS[name](dataclasses.replace(report, color=False, quiet=False)))
    if step_summary:
        _write(
            Path(step_summary),
            github.render_summary(report),
            append=True,
        )
    errors, _ = severity_counts(findings)
    return EXIT_FINDINGS if errors and not exit_zero else EXIT_CLEAN


def _report_files(values: Sequence[str]) -> tuple[tuple[str, Path], ...]:
    """``FORMAT=FILE`` pairs, each format one the check knows."""
    pairs = []
    for value in values:
        name, equals, path = value.partition("=")
        if not equals or not path.strip():
            raise click.BadParameter(f"{value!r} is not FORMAT=FILE (like gitlab=gl-code-quality-report.json)")
        if name.strip() not in FORMATS:
            raise click.BadParameter(f"{name.strip()!r} is not a format (one of {', '.join(sorted(FORMATS))})")
        pairs.append((name.strip(), Path(path)))
    return tuple(pairs)


def _check_stdin(
    path: Path,
    configure: Configure,
    output_format: str,
    fix: bool,
    diff: bool,
    unsafe: bool,
    quiet: bool,
    exit_zero: bool,
    statistics: bool,
    baseline: Path | None,
) -> int:
    """Standard input checked as the file at ``path``, as an editor's buffer is: the content rules
    and the repository rules against the files on disk; who changed what (ETQ2xx) is for the hooks.
    With --fix the fixed text goes to standard output (ruff's way, for an editor's format-on-save),
    the findings left to standard error. A baseline is read, never written."""
    from airflow_etiquette.engine.buffer import buffer_file, check_buffer, fix_buffer
    from airflow_etiquette.findings import severity_counts

    config = configure(read_work_tree, None)
    limit = int(config.max_file_size_mb * 1024 * 1024)
    if sys.stdin is None:
        raise ConfigError(f"--stdin-filename {path} reads the file from standard input, which is closed")
    data = sys.stdin.buffer.read(limit + 1)  # one byte over is enough for ETQ002 to say it is too large
    file = buffer_file(config, path, data)
    if file is None and not quiet:
        click.echo(
            f"{PROG}: {printable(str(path))} is not a file the check reads (outside {config.dags_folder}/, excluded, "
            "or another type)",
            err=True,
        )
    checked = check_buffer(config, path, data)
    for note in checked.notes if not quiet else ():
        click.echo(f"{PROG}: {printable(note)}", err=True)
    findings = checked.findings
    known: list[Finding] = []
    baseline_file = baseline or (config.root / config.baseline if config.baseline else None)
    if baseline_file is not None and file is not None:
        findings, known, _ = _baselined(
            baseline_file, findings, config, in_change=False, checked=[file.relpath], quiet=True, missing="ignore"
        )
    if fix or diff:
        crashed = any(f.code in ("ETQ001", "ETQ002") for f in findings)
        fixes = None if crashed else fix_buffer(config, path, data)
        outcome = None if fixes is None else (fixes.unsafe if unsafe and fixes.unsafe else fixes.safe)
        for line in outcome.refused if outcome is not None and not quiet else ():
            click.echo(f"{PROG}: {printable(line)}", err=True)
        if diff:
            _echo(outcome.diff(printable) if outcome is not None else "")
            return EXIT_FINDINGS if outcome is not None and outcome.after != outcome.before else EXIT_CLEAN
        _echo_bytes(outcome.after if outcome is not None else data)
        if outcome is not None and outcome.after != outcome.before:
            findings = check_buffer(config, path, outcome.after).findings
        for f in findings if not quiet else ():
            click.echo(f"{printable(f.path)}:{f.line}:{f.column}: {f.code} {printable(f.message)}", err=True)
    else:
        fixable: frozenset[str] = frozenset()
        if statistics or output_format == "full":
            from airflow_etiquette.engine.fix import fixable_codes

            fixable = fixable_codes(config)
        from airflow_etiquette.engine.excerpts import lines_of

        report = CheckReport(
            findings,
            1 if file is not None else 0,
            silenced=checked.silenced,
            known=known,
            quiet=quiet,
            fixable=fixable,
            excerpts=lines_of(data, findings) if output_format == "full" else {},
        )
        _echo(_renderer(output_format, statistics)(report))
    errors, _ = severity_counts(findings)
    return EXIT_FINDINGS if errors and not exit_zero else EXIT_CLEAN


def _echo_bytes(data: bytes) -> None:
    """A file's bytes on standard output, as they are (the fixed text replaces an editor's buffer)."""
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        raise click.ClickException(f"cannot write to standard output: {exc.strerror or exc}") from None


def _renderer(output_format: str, statistics: bool) -> Callable[[CheckReport], str]:
    from airflow_etiquette.output import json_format, text

    if statistics:
        if output_format == "json":
            return json_format.render_statistics
        if output_format not in TEXT_FORMATS:
            raise click.UsageError(f"--statistics is a table for people (text) or json, not {output_format}")
        return text.render_statistics
    return FORMATS[output_format]


def _policy(configure: Configure, base: str | None, staged: bool) -> tuple[Config, str]:
    """The configuration a run judges by, and where it was read: the work tree, or for a change
    (--base, --staged, a pull or merge request in CI) the commit the change starts from, decided
    as the check decides it."""
    from airflow_etiquette.engine.check import judged_by
    from airflow_etiquette.sources.git import revision_reader

    config = configure(read_work_tree, None)
    judged = judged_by(config, base, staged, os.environ)
    if judged is None:
        return config, "the work tree"
    commit = judged[0]
    return configure(revision_reader(config.root, commit), commit), f"the base commit {commit[:12]}"


def _baselined(
    path: Path,
    findings: list[Finding],
    config: Config,
    *,
    in_change: bool,
    checked: Sequence[str],
    quiet: bool,
    missing: str = "write",
) -> tuple[list[Finding], list[Finding], bool]:
    """(new findings, known ones, whether the baseline was written now). A change reads the base
    commit's baseline, so a pull request cannot add its own findings to it. A missing file is
    written (``missing="write"``: a run on someone's machine), an error (``"error"``: in CI, where
    writing it would pass every finding and keep nothing) or no baseline (``"ignore"``: an editor)."""
    from airflow_etiquette.engine.baseline import dump, in_scope, load

    shown = _shown(path, config.root)
    known_findings = load(path, config, in_change=in_change, shown=shown)
    if known_findings is None:
        if missing == "ignore":
            return findings, [], False
        if missing == "error":
            raise ConfigError(
                f"{shown}: no such baseline; CI reads one and never writes it: write it on your machine "
                f"(`{PROG} check --baseline {shown}`) and commit it"
            )
        _write(path, dump(findings))
        click.echo(
            f"{PROG}: wrote the baseline {shown} with {len(findings)} finding(s): from now on only new ones fail; "
            "commit it",
            err=True,
        )
        return [], list(findings), True
    new, known, gone = known_findings.split(findings, in_scope(config, checked))
    if gone and not quiet:
        one = len(gone) == 1
        named = "; ".join(f"{path} {code}" for path, code, _ in gone[:3]) + ("; ..." if len(gone) > 3 else "")
        click.echo(
            f"{PROG}: {len(gone)} entr{'y' if one else 'ies'} of the baseline {shown} no longer "
            f"match{'es' if one else ''} a finding ({named}): remove {'it' if one else 'them'} from the file, "
            f"so that {'it' if one else 'they'} cannot hide a new one",
            err=True,
        )
    return new, known, False


def _in_ci() -> bool:
    """Whether this runs in CI (GitHub Actions, GitLab CI, or any runner that sets CI)."""
    return any(os.environ.get(name, "").lower() in ("true", "1") for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI"))


def _shown(path: Path, root: Path) -> str:
    """A path as the user would write it: relative to the root when inside it."""
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _fixes(result: CheckResult, config: Config, unsafe: bool, jobs: int) -> list[FixResult]:
    """The fixes of the files with a fixable finding, as they are on disk."""
    from airflow_etiquette.analysis.modules import ModuleSource
    from airflow_etiquette.engine.analyze import Settings
    from airflow_etiquette.engine.fix import fix_files, fixable_codes
    from airflow_etiquette.sources.files import known_owners

    codes = fixable_codes(config)
    paths = {finding.path for finding in result.findings if finding.code in codes}
    if not paths:
        return []
    settings = Settings(
        config=config,
        known_owners=known_owners(config),
        modules=ModuleSource(str(config.root), limit=int(config.max_file_size_mb * 1024 * 1024)),
    )
    base = result.change.old if result.change is not None else None
    return fix_files(paths, settings, unsafe=unsafe, base=base, jobs=jobs or os.cpu_count() or 1)


def _fix_summary(fixes: Sequence[FixResult], unsafe: bool, written: bool) -> str:
    count = sum(o.fixed for o in fixes)
    files = sum(1 for o in fixes if o.after != o.before)
    verb = "fixed" if written else "would fix"
    text = f"{verb} {count} finding(s) in {files} file(s)" if count else "nothing to fix"
    left = [code for o in fixes for code in o.unsafe]
    if left and not unsafe:
        why = " or ".join(f"`{PROG} explain {code}`" for code in sorted(set(left)))
        text += f" ({len(left)} more with --unsafe-fixes: see {why})"
    return text


@cli.command()
@click.argument("repo", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json", "html"]),
    default="text",
    show_default=True,
    help="Report format; html needs --output.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option(
    "--history",
    "history_range",
    metavar="RANGE",
    callback=_revision_range,
    help="Also walk these commits (main~50..main) for changes outside their author's own paths.",
)
@click.option(
    "--since",
    metavar="DATE",
    callback=_date,
    help="Walk the mainline commits since DATE (2026-01-01, or '2 weeks ago').",
)
@click.option("--select", multiple=True, metavar="CODES", help="Only these rule codes or prefixes.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes.")
@_config_option
@_jobs_option
@_no_cache_option
@_exit_zero_option
@_ignore_noqa_option
@_verbose_option
@_internal_errors
def audit(
    repo: Path | None,
    output_format: str,
    output: Path | None,
    history_range: str | None,
    since: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: Path | None,
    jobs: int,
    no_cache: bool,
    exit_zero: bool,
    ignore_noqa: bool,
    verbose: bool,
) -> int:
    """One report for the whole repository: per owner, duplicate dag_ids, unowned files, history."""
    from airflow_etiquette.engine.audit import run_audit
    from airflow_etiquette.output import audit as audit_formats

    if history_range and since:
        raise click.UsageError("--history and --since both choose commits; give one of them")
    if output_format == "html" and output is None:
        raise click.UsageError("--format html writes a file: add --output report.html")
    configure = _configurer(repo or _here(), config_file, select, ignore, None, ignore_noqa)

    config = configure(read_work_tree, None)
    if not config.dags_path.is_dir():
        raise ConfigError(f"no dags folder at {config.dags_path}")
    report = run_audit(config, jobs, history_range, since, configure, use_cache=not no_cache)
    for note in report.notes:
        click.echo(f"{PROG}: {note}", err=True)
    render = audit_formats.AUDIT_FORMATS[output_format]
    text = render(report)
    if output is not None:
        _write(output, text)
        click.echo(f"{PROG}: wrote {output} ({audit_formats.headline(report)})", err=True)
    else:
        _echo(text)
    return EXIT_FINDINGS if report.errors and not exit_zero else EXIT_CLEAN


def _with_options(
    config: Config,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    timeout: float | None,
    ignore_noqa: bool = False,
    extend_select: tuple[str, ...] = (),
) -> Config:
    """The options on top of the settings file: --select replaces its select (ruff's rule),
    --extend-select widens whichever select narrows (every rule is on when none does), --ignore
    and --extend-ignore add to its ignore."""
    from dataclasses import replace

    changes: dict[str, object] = {}
    if ignore_noqa:
        changes["ignore_noqa"] = True
    if select:
        changes["select"] = select + extend_select
    elif extend_select and config.select:
        changes["select"] = config.select + extend_select
    if ignore:
        changes["ignore"] = config.ignore + ignore
    if timeout is not None:
        changes["timeout"] = timeout
    return replace(config, **changes) if changes else config  # type: ignore[arg-type]


@cli.command()
@click.argument("name")
@click.option(
    "--owner", metavar="NAME", help="Whose folder (default: who you are, as the ownership hook works it out)."
)
@click.option("--login", metavar="LOGIN", help="Your GitHub login, for a new owner's CODEOWNERS line.")
@_config_option
@_verbose_option
@_internal_errors
def new(name: str, owner: str | None, login: str | None, config_file: Path | None, verbose: bool) -> int:
    """Write dags/<owner>/NAME.py: a first DAG that already follows every convention."""
    from airflow_etiquette.engine.scaffold import plan, write
    from airflow_etiquette.people.authors import identify_author
    from airflow_etiquette.people.ownership import Ownership
    from airflow_etiquette.sources.files import known_owners
    from airflow_etiquette.sources.git import current_branch

    config = _configurer(_here(), config_file, (), (), None, False)(read_work_tree, None)
    owners = known_owners(config)
    ownership = Ownership(config, owners)
    if owner is None and login and ownership.owner_of_login(login):  # CODEOWNERS or the roster names it
        owner = ownership.owner_of_login(login)
    if owner is None:
        who = identify_author(None, os.environ, None, ownership, config.root, False)
        branch = current_branch(config.root) or ""
        if who is not None:
            owner, login = who.owner, login or who.login
        elif re.fullmatch(r"[a-z0-9][a-z0-9_]*/.+", branch):  # maria/first-dag: a first pull request
            owner = branch.split("/", 1)[0]
        else:
            raise ConfigError(
                "who you are is not known here (no AIRFLOW_STUDENT, <name>/<topic> branch, roster e-mail, or --login "
                "that CODEOWNERS or the roster maps): give --owner NAME"
            )
    else:
        owner = owner.strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", owner):
            raise ConfigError(
                f"--owner {owner!r} is not a folder name (letters, digits, _, . and -, starting with a letter or digit)"
            )
        known = ownership.recognise(owner)
        if known is not None:
            owner, login = known[0], login or known[1]
    scaffold = plan(config, name, owner, login, new_owner=owner not in owners)
    try:
        write(scaffold)
    except OSError as exc:
        raise ConfigError(f"cannot write {scaffold.path}: {exc.strerror or exc}") from None
    click.echo(f"{PROG}: wrote {scaffold.path.relative_to(config.root).as_posix()}", err=True)
    if scaffold.codeowners is not None:
        file, line = scaffold.codeowners
        click.echo(f"{PROG}: added to {file.relative_to(config.root).as_posix()}: {line}", err=True)
    if scaffold.note:
        click.echo(f"{PROG}: {scaffold.note}", err=True)
    return EXIT_CLEAN


@cli.command()
@_internal_errors
def rules() -> int:
    """List every rule: code, name, severity, what it flags."""
    from airflow_etiquette.rules import ALL_RULES

    width = max(len(rule.name) for rule in ALL_RULES)
    _echo(
        "".join(f"{rule.code}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.summary}\n" for rule in ALL_RULES)
    )
    return EXIT_CLEAN


@cli.command()
@click.argument("code")
@_internal_errors
def explain(code: str) -> int:
    """Print a rule's documentation: what it checks, why, a bad example and the fix."""
    from airflow_etiquette.output.explain import explain_rule
    from airflow_etiquette.rules import ALL_RULES, RULES_BY_CODE

    rule = RULES_BY_CODE.get(code.strip().upper())
    if rule is None:
        by_name = {r.name: r for r in ALL_RULES}
        rule = by_name.get(code.strip().lower())
    if rule is None:
        raise click.UsageError(f"unknown rule {code!r} (see `{PROG} rules`)")
    _echo(explain_rule(rule))
    return EXIT_CLEAN


@cli.command()
@_verbose_option
@_internal_errors
def server(verbose: bool) -> int:
    """Run the language server on standard input and output (for editors: diagnostics and fixes)."""
    try:
        from airflow_etiquette.server import serve
    except ImportError as exc:  # pygls is the lsp extra, not a dependency of the hooks or CI
        raise ConfigError(
            f"the language server needs the lsp extra ({exc.name or exc}): pip install 'airflow-etiquette[lsp]'"
        ) from None
    return serve()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as exc:  # --help, --version
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo(f"{PROG}: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        return _fail(exc.format_message())
    except (ConfigError, GitError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        click.echo(f"{PROG}: interrupted", err=True)
        return 130
    except InternalError as exc:
        click.echo(f"{PROG}: internal error: {exc} (run with --verbose for details)", err=True)
        return EXIT_ERROR
    return result if isinstance(result, int) else EXIT_CLEAN


def _fail(message: str) -> int:
    """One line on stderr; inside GitHub Actions also an annotation, since nobody reads a log that
    ends in exit code 2 to find out why the check is red."""
    click.echo(f"{PROG}: error: {message}", err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from airflow_etiquette.output.github import github_error

        click.echo(github_error(message))
    return EXIT_ERROR
