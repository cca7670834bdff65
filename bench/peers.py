"""Time airflow-etiquette's peers on the benchmark's generated repositories, in one run.

    python bench/peers.py [--setup] [--sizes 30,300] [--repeat K] [--markdown]

On the class repositories that ``run.py`` generates into ``bench/.repos/`` it times,
from the outside and start-up included like ``run.py`` (best of K runs):

* airflow-etiquette  ``python -m airflow_etiquette check DIR --no-cache``: the reference row,
  cold like every peer (ruff runs with ``--no-cache`` too)
* airflow-etiquette, warm  ``check DIR`` run twice after deleting its result cache, the second
  timed: what an unchanged repository costs once the cache is filled (CI with ``actions/cache``)
* ruff (AIR rules)   ``ruff check --isolated --select AIR --preview --no-cache DIR``
  (``--preview`` turns on the AIR rules that are still in preview; ``--isolated``
  ignores the ruff settings of this checkout, as in a class repository without any)
* daglint            ``daglint check DIR --format json``, with its default configuration
* Airflow's DagBag   ``python -c "from airflow.models import DagBag; DagBag(DIR)"``, with a
  throwaway AIRFLOW_HOME and no database: it *imports* (executes) every DAG file, so it
  reports the DAGs it loaded and the files it could not import

The peers live in their own virtual environments under ``bench/.venvs/``, which
``--setup`` creates (pip, from the package index; about two minutes for Airflow).
Without them a peer's row says "not installed (run with --setup)"; a peer that cannot
be installed or run says why in its row: the script does not fail because of a peer.
DagBag executes the files it is given: point it at generated repositories only.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generate_repo import DEFAULT_SEED
from run import (
    BENCH_DIR,
    CHECK_EXIT_CODES,
    CLI,
    PROJECT_DIR,
    BenchError,
    Timing,
    add_slow_after,
    best,
    busy_warning,
    cli_version,
    count_findings,
    count_python_files,
    drop_cache,
    ensure_repo,
    machine_line,
    markdown_table,
    parse_sizes,
    plain_table,
    primed_and_warm,
    report_findings,
    run_command,
    seconds,
    timed,
)

VENVS_DIR = BENCH_DIR / ".venvs"
DAGLINT_SPEC = "daglint==1.1.0"
AIRFLOW_VERSION = "3.3.2"  # --airflow-version; the venv is rebuilt when it holds another one
# The DAG files import the Postgres provider and pandas: without them DagBag could import none.
AIRFLOW_EXTRAS = "postgres"
AIRFLOW_ALSO = ("pandas",)
CONSTRAINTS_URL = "https://raw.githubusercontent.com/apache/airflow/constraints-{version}/constraints-{python}.txt"

RUFF_ARGS = ("check", "--isolated", "--select", "AIR", "--preview", "--no-cache")
LINTER_EXIT_CODES = (0, 1)  # 1 = findings, for ruff and daglint alike
NOT_INSTALLED = "not installed (run with --setup)"

# Run by the Airflow venv's interpreter: argv = DIR, AIRFLOW_HOME. The configuration is set
# before airflow is imported; the result is one marked line (Airflow logs to stdout as well).
DAGBAG_SCRIPT = """\
import inspect, json, os, sys
folder, home = sys.argv[1], sys.argv[2]
os.environ.update({
    "AIRFLOW_HOME": home,
    "AIRFLOW_CONFIG": os.path.join(home, "airflow.cfg"),
    "AIRFLOW__CORE__DAGS_FOLDER": folder,
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
})
from airflow.models import DagBag
options = {"include_examples": False} if "include_examples" in inspect.signature(DagBag).parameters else {}
bag = DagBag(dag_folder=folder, **options)
errors = {path: (text.strip().splitlines() or [""])[-1] for path, text in bag.import_errors.items()}
warned = sum(len(found) for found in getattr(bag, "captured_warnings", {}).values())
print("PEERS-DAGBAG " + json.dumps({
    "files": len(getattr(bag, "dagbag_stats", ())), "dags": len(bag.dags), "errors": errors, "warnings": warned,
}))
"""
DAGBAG_MARK = "PEERS-DAGBAG "


@dataclass(frozen=True)
class Row:
    """One tool on one repository: a line of the table, and notes for under it."""

    tool: str  # name and version
    command: str  # as shown, with DIR for the repository
    timing: Timing | None = None
    seen: str = "-"  # the files and DAGs it looked at
    found: str = "-"  # findings, or import errors
    status: str = ""  # why there is no timing
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SizeRows:
    owners: int
    repo: Path
    files: int
    rows: tuple[Row, ...]
    findings: tuple[dict[str, object], ...]  # airflow-etiquette's, expected to be none


# --- virtual environments --------------------------------------------------------------


def venv_bin(venv: Path, name: str) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / f"{name}.exe"
    return venv / "bin" / name


def venv_dist_version(venv: Path, dist: str) -> str | None:
    """The installed version of ``dist`` in ``venv``, or None when the venv or the package is missing."""
    python = venv_bin(venv, "python")
    if not python.exists():
        return None
    code = "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))"
    proc = subprocess.run([str(python), "-c", code, dist], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def pip_install(venv: Path, requirements: Sequence[str], constraints: Path | None = None) -> None:
    """Create ``venv`` afresh and pip-install ``requirements``; raise BenchError with pip's last words."""
    if venv.exists():
        shutil.rmtree(venv)
    VENVS_DIR.mkdir(parents=True, exist_ok=True)
    ignore = VENVS_DIR / ".gitignore"  # like the venv module of Python 3.13: nothing in here is a source
    if not ignore.exists():
        ignore.write_text("*\n")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    log = VENVS_DIR / f"{venv.name}-pip.log"
    cmd = [str(venv_bin(venv, "python")), "-m", "pip", "install", "--disable-pip-version-check", *requirements]
    if constraints is not None:
        cmd += ["--constraint", str(constraints)]
    with log.open("w") as handle:
        handle.write(f"$ {shlex.join(cmd)}\n")
        handle.flush()
        proc = subprocess.run(cmd, stdout=handle, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        lines = [line for line in log.read_text().splitlines() if line.startswith("ERROR")]
        reason = lines[-1] if lines else f"pip exited with {proc.returncode}"
        raise BenchError(f"{reason} (see {log.relative_to(PROJECT_DIR)})")


def fetch_constraints(version: str) -> Path | None:
    """Airflow's constraints file for this release and Python, or None when it cannot be fetched."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    url = CONSTRAINTS_URL.format(version=version, python=python)
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            text = response.read().decode()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        print(f"setup: constraints file not reachable ({reason}): installing without it", file=sys.stderr)
        return None
    path = VENVS_DIR / f"airflow-constraints-{version}-{python}.txt"
    path.write_text(text)
    return path


def setup_step(name: str, venv: Path, wanted: str, install: tuple[str, ...], dist: str, airflow: bool = False) -> str:
    """Install one peer unless ``dist`` is already at version ``wanted``; '' or why it failed."""
    if venv_dist_version(venv, dist) == wanted:
        print(f"setup: {name} {wanted} already in {venv.relative_to(PROJECT_DIR)}", file=sys.stderr)
        return ""
    print(f"setup: installing {name} {wanted} into {venv.relative_to(PROJECT_DIR)} ...", file=sys.stderr)
    start = time.perf_counter()
    try:
        VENVS_DIR.mkdir(parents=True, exist_ok=True)
        constraints = fetch_constraints(wanted) if airflow else None
        pip_install(venv, install, constraints)
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"setup: {name} could not be installed: {exc}", file=sys.stderr)
        return str(exc)
    print(f"setup: {name} installed in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return ""


def setup(airflow_version: str) -> dict[str, str]:
    """Create the peers' venvs; return, per peer, why it could not be installed."""
    failures: dict[str, str] = {}
    start = time.perf_counter()
    if find_ruff() is None:
        ruff_venv = VENVS_DIR / "ruff"
        reason = setup_step("ruff", ruff_venv, "latest", ("ruff",), "ruff")
        if reason:
            failures["ruff"] = reason
    daglint_version = DAGLINT_SPEC.partition("==")[2]
    reason = setup_step("daglint", VENVS_DIR / "daglint", daglint_version, (DAGLINT_SPEC,), "daglint")
    if reason:
        failures["daglint"] = reason
    requirements = (f"apache-airflow[{AIRFLOW_EXTRAS}]=={airflow_version}", *AIRFLOW_ALSO)
    reason = setup_step("Airflow", VENVS_DIR / "airflow", airflow_version, requirements, "apache-airflow", True)
    if reason:
        failures["dagbag"] = reason
    print(f"setup: done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return failures


# --- timing ----------------------------------------------------------------------------


def read_all(repo: Path) -> None:
    """Read every file once, so that no tool pays for a cold page cache."""
    for path in repo.rglob("*"):
        if path.is_file():
            path.read_bytes()


def by_count(counter: Counter[str]) -> str:
    return ", ".join(f"{key} ×{count}" for key, count in counter.most_common())


def failed(exc: BenchError) -> str:
    lines = str(exc).strip().splitlines()
    return "failed: " + (lines[-1] if lines else "no output")


# --- the tools -------------------------------------------------------------------------


def etiquette_row(repo: Path, version: str, repeat: int, slow_after: float) -> tuple[Row, list[dict[str, object]]]:
    """The reference, cold (no result cache): raises BenchError when it fails, like run.py."""
    timing, _ = timed([*CLI, "check", str(repo), "--no-cache"], repeat, slow_after, CHECK_EXIT_CODES)
    findings = count_findings(repo)
    _, out = run_command([*CLI, "audit", str(repo), "--format", "json", "--no-cache"], CHECK_EXIT_CODES)
    report = json.loads(out)
    dags = sum(len(owner.get("dags", ())) for owner in report.get("owners", ()))
    row = Row(
        tool=version,
        command="python -m airflow_etiquette check DIR --no-cache",
        timing=timing,
        seen=f"{report.get('files_checked', '?')} files, {dags} DAGs",
        found=f"{len(findings)} findings",
        notes=(f"{version}: {by_count(Counter(str(f.get('code')) for f in findings))}",) if findings else (),
    )
    return row, findings


def etiquette_warm_row(repo: Path, version: str, repeat: int, slow_after: float, reference: Row) -> Row:
    """`check DIR` with its result cache filled by the run before: best of ``repeat`` such pairs,
    each on a deleted cache (fewer once filling it is slow). Raises BenchError like the reference."""
    times: list[float] = []
    rewritten = False
    for _ in range(repeat):
        first, warm, wrote = primed_and_warm(repo, [*CLI, "check", str(repo)])
        times.append(warm)
        rewritten |= wrote
        if first > slow_after:
            break
    drop_cache(repo)
    return Row(
        tool=f"{version}, warm (2nd run)",
        command="python -m airflow_etiquette check DIR",
        timing=best(times),
        seen=reference.seen,
        found=reference.found,
        status="not warm: the cache was rewritten" if rewritten else "",
    )


def find_ruff() -> Path | None:
    beside = Path(sys.executable).parent / ("ruff.exe" if os.name == "nt" else "ruff")
    on_path = shutil.which("ruff")
    for candidate in (beside, Path(on_path) if on_path else None, venv_bin(VENVS_DIR / "ruff", "ruff")):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def ruff_row(repo: Path, repeat: int, slow_after: float, failure: str | None) -> Row:
    command = f"ruff {' '.join(RUFF_ARGS)} DIR"
    ruff = find_ruff()
    if ruff is None:
        return Row("ruff (AIR rules)", command, status=f"not available: {failure}" if failure else NOT_INSTALLED)
    try:
        _, version = run_command([str(ruff), "--version"])
        _, rules = run_command([str(ruff), "rule", "--all", "--output-format", "json"])
        air = [rule for rule in json.loads(rules) if str(rule.get("code") or "").startswith("AIR")]
        preview = sum(1 for rule in air if rule.get("preview"))
        _, listed = run_command([str(ruff), *RUFF_ARGS, "--show-files", str(repo)])
        files = sum(1 for line in listed.splitlines() if line.endswith(".py"))
        cmd = [str(ruff), *RUFF_ARGS, "--output-format", "json", str(repo)]
        timing, out = timed(cmd, repeat, slow_after, LINTER_EXIT_CODES)
    except BenchError as exc:
        return Row("ruff (AIR rules)", command, status=failed(exc))
    findings = json.loads(out)
    codes = Counter(str(finding.get("code")) for finding in findings)
    tool = f"{version.strip()} ({len(air)} AIR rules, {preview} in preview)"
    return Row(
        tool=tool,
        command=command,
        timing=timing,
        seen=f"{files} files",
        found=f"{len(findings)} findings",
        notes=(f"{version.strip()}: {by_count(codes)}",) if codes else (),
    )


def daglint_row(repo: Path, repeat: int, slow_after: float, failure: str | None) -> Row:
    command = "daglint check DIR --format json"
    venv = VENVS_DIR / "daglint"
    version = venv_dist_version(venv, "daglint")
    if version is None:
        return Row("daglint", command, status=f"not available: {failure}" if failure else NOT_INSTALLED)
    cmd = [str(venv_bin(venv, "daglint")), "check", str(repo), "--format", "json"]
    try:
        timing, out = timed(cmd, repeat, slow_after, LINTER_EXIT_CODES)
        report = json.loads(out)
    except BenchError as exc:
        return Row(f"daglint {version}", command, status=failed(exc))
    except json.JSONDecodeError as exc:
        return Row(f"daglint {version}", command, status=f"failed: no JSON output ({exc})")
    issues = report.get("issues", [])
    rules = Counter(str(issue.get("rule_id")) for issue in issues)
    summary = report.get("summary", {})
    return Row(
        tool=f"daglint {version} (default config)",
        command=command,
        timing=timing,
        seen=f"{summary.get('files_checked', '?')} files",
        found=f"{len(issues)} findings",
        notes=(f"daglint {version}: {by_count(rules)}",) if rules else (),
    )


def dagbag_row(repo: Path, home: Path, repeat: int, slow_after: float, failure: str | None) -> Row:
    command = 'python -c "from airflow.models import DagBag; DagBag(dag_folder=DIR)"'
    venv = VENVS_DIR / "airflow"
    version = venv_dist_version(venv, "apache-airflow")
    if version is None:
        return Row("Airflow DagBag", command, status=f"not available: {failure}" if failure else NOT_INSTALLED)
    tool = f"Airflow {version} DagBag"
    cmd = [str(venv_bin(venv, "python")), "-c", DAGBAG_SCRIPT, str(repo), str(home)]
    try:
        timing, out = timed(cmd, repeat, slow_after, (0,))
    except BenchError as exc:
        return Row(tool, command, status=failed(exc))
    marked = [line for line in out.splitlines() if line.startswith(DAGBAG_MARK)]
    if not marked:
        return Row(tool, command, timing=timing, status="failed: DagBag printed no result")
    result = json.loads(marked[-1][len(DAGBAG_MARK) :])
    errors: dict[str, str] = result["errors"]
    notes = [f"{tool}: {result['warnings']} warnings captured while importing"]
    if errors:
        notes.append(f"{tool} import errors: {by_count(Counter(errors.values()))}")
    return Row(
        tool=tool,
        command=command,
        timing=timing,
        seen=f"{result['files']} files, {result['dags']} DAGs",
        found=f"{len(errors)} import errors",
        notes=tuple(notes),
    )


def warm_up(repo: Path, home: Path) -> None:
    """One untimed run of each tool: bytecode caches, Airflow's home, the binaries in the page cache."""
    commands: list[tuple[list[str], Sequence[int]]] = [([*CLI, "check", str(repo), "--no-cache"], CHECK_EXIT_CODES)]
    ruff = find_ruff()
    if ruff is not None:
        commands.append(([str(ruff), *RUFF_ARGS, str(repo)], LINTER_EXIT_CODES))
    daglint = venv_bin(VENVS_DIR / "daglint", "daglint")
    if daglint.exists():
        commands.append(([str(daglint), "check", str(repo)], LINTER_EXIT_CODES))
    airflow = venv_bin(VENVS_DIR / "airflow", "python")
    if airflow.exists():
        commands.append(([str(airflow), "-c", DAGBAG_SCRIPT, str(repo), str(home)], (0,)))
    for cmd, codes in commands:
        try:
            run_command(cmd, codes)
        except BenchError:
            pass  # the timed run reports it in its row


def measure(owners: int, repo: Path, home: Path, args: argparse.Namespace, failures: dict[str, str]) -> SizeRows:
    repeat = args.repeat if args.repeat is not None else (3 if owners < 100 else 1)
    read_all(repo)
    reference, findings = etiquette_row(repo, args.version, repeat, args.slow_after)
    print(f"  airflow-etiquette: {seconds(reference.timing)}", file=sys.stderr)
    warm = etiquette_warm_row(repo, args.version, repeat, args.slow_after, reference)
    print(f"  airflow-etiquette, warm: {seconds(warm.timing)}", file=sys.stderr)
    rows = [reference, warm]
    for name in ("ruff", "daglint", "dagbag"):
        failure = failures.get(name)
        if name == "ruff":
            row = ruff_row(repo, repeat, args.slow_after, failure)
        elif name == "daglint":
            row = daglint_row(repo, repeat, args.slow_after, failure)
        else:
            row = dagbag_row(repo, home, repeat, args.slow_after, failure)
        print(f"  {name}: {row.status or seconds(row.timing)}", file=sys.stderr)
        rows.append(row)
    return SizeRows(owners, repo, count_python_files(repo), tuple(rows), tuple(findings))


# --- reporting -------------------------------------------------------------------------

HEADERS = ("tool", "command", "wall time", "files / DAGs seen", "findings / import errors", "× airflow-etiquette")


def cells(row: Row, reference: Timing | None, markdown: bool) -> list[str]:
    command = f"`{row.command}`" if markdown else row.command
    if row.timing is None:
        return [row.tool, command, row.status, "-", "-", "-"]
    ratio = "-" if reference is None else f"{row.timing.seconds / reference.seconds:.2f}"
    wall = seconds(row.timing) + (f" ({row.status})" if row.status else "")
    return [row.tool, command, wall, row.seen, row.found, ratio]


def size_title(size: SizeRows) -> str:
    return f"{size.owners} owners: {size.files} .py files in {size.repo.relative_to(PROJECT_DIR)}"


def text_report(sizes: Sequence[SizeRows]) -> str:
    blocks = []
    for size in sizes:
        reference = size.rows[0].timing
        table = plain_table(HEADERS, [cells(row, reference, markdown=False) for row in size.rows])
        notes = [f"  {note}" for row in size.rows for note in row.notes]
        blocks.append("\n".join([size_title(size), table, *notes]))
    return "\n\n".join(blocks)


def markdown_report(sizes: Sequence[SizeRows], machine: str) -> str:
    blocks = []
    for size in sizes:
        reference = size.rows[0].timing
        blocks.append(f"**{size.owners} owners** ({size.files} `.py` files)")
        blocks.append(markdown_table(HEADERS, [cells(row, reference, markdown=True) for row in size.rows]))
        notes = [f"- {note}" for row in size.rows for note in row.notes]
        if notes:
            blocks.append("\n".join(notes))
    runs = [row.timing.runs for size in sizes for row in size.rows if row.timing is not None]
    single = " (* a single run)" if 1 in runs else ""
    blocks.append(
        f"{machine}. Wall-clock time of the whole command, interpreter start-up included; best of up to "
        f"{max(runs, default=1)} runs{single}. airflow-etiquette and ruff use every core, daglint and DagBag one; "
        "airflow-etiquette's reference row and ruff run without their caches, the warm row right after a `check` "
        "that filled airflow-etiquette's result cache."
    )
    return "\n\n".join(blocks)


# --- command line ----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[30, 300], help="comma-separated numbers of owners (default 30,300)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per measurement, best counts (default 3 below 100 owners, else 1)",
    )
    add_slow_after(parser)
    parser.add_argument("--setup", action="store_true", help="install the peers into bench/.venvs/ first")
    parser.add_argument(
        "--airflow-version", default=AIRFLOW_VERSION, help=f"Airflow release for --setup (default {AIRFLOW_VERSION})"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the cached repositories")
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables for the README")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    failures = setup(args.airflow_version) if args.setup else {}
    busy = busy_warning()
    if busy:
        print(busy, file=sys.stderr)
    try:
        args.version = cli_version()
        repos = {owners: ensure_repo(owners, args.seed, args.regenerate) for owners in args.sizes}
        with tempfile.TemporaryDirectory(prefix="peers-airflow-home-") as home:
            warm_up(repos[min(args.sizes)], Path(home))
            sizes = []
            for owners, repo in repos.items():
                print(f"measuring {owners} owners ...", file=sys.stderr)
                sizes.append(measure(owners, repo, Path(home), args, failures))
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    machine = machine_line(args.version)
    print(text_report(sizes))
    if any(row.timing is not None and row.timing.runs == 1 for size in sizes for row in size.rows):
        print("* a single run")
    print(machine)
    if busy:
        print(busy)
    for size in sizes:
        report_findings(size.findings, size.owners)
    if args.markdown:
        print()
        print(markdown_report(sizes, machine))
    return 1 if any(size.findings for size in sizes) else 0


if __name__ == "__main__":
    sys.exit(main())
