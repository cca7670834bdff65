"""Benchmark `airflow-etiquette check` against the cost of parsing the same files with libcst.

    python bench/run.py [--sizes 30,300,3000] [--repeat 3] [--markdown] [--regenerate]

For each size a synthetic class repository is generated once into ``bench/.repos/``
(see ``generate_repo.py``) and these commands are timed from the outside, start-up
and imports included (``time.perf_counter`` around ``subprocess.run``, best of K):

* parse-only      ``python -c <import libcst, parse_module every .py file> DIR``: the floor
* check --jobs 1  ``python -m airflow_etiquette check DIR --jobs 1``  target: <= 2.0 x parse-only
* check           ``python -m airflow_etiquette check DIR`` (all cores)  target: < 1.0 x parse-only

plus one file (median of 10): ``check FILE`` against a bare ``libcst.parse_module``
of it (target: <= 1.3 x), the case of a pre-commit hook on one staged DAG.
Commands run with the project directory as working directory, so ``-m`` picks the
package of this checkout, and with a bytecode cache under ``bench/.repos/.pycache``
(``PYTHONPYCACHEPREFIX``, warmed before timing) for every side alike: the timings are
those of an installed tool, not of compiling its modules (``PYTHONDONTWRITEBYTECODE``
or sources newer than their .pyc would otherwise charge that to the CLI alone).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from generate_repo import DEFAULT_SEED, owner_names, write_repo

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
REPOS_DIR = BENCH_DIR / ".repos"
PYCACHE_DIR = REPOS_DIR / ".pycache"
CLI = (sys.executable, "-m", "airflow_etiquette")

PARSE_ALL = """\
import os, sys
import libcst
count = 0
for folder, dirs, names in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(names):
        if name.endswith(".py"):
            with open(os.path.join(folder, name), "rb") as handle:
                libcst.parse_module(handle.read())
            count += 1
print(count)
"""
PARSE_ONE = "import libcst, sys; libcst.parse_module(open(sys.argv[1], 'rb').read())"

TARGET_JOBS1 = 2.0  # check --jobs 1 / parse-only, at most
TARGET_ALL_CORES = 1.0  # check / parse-only, below (on 2 cores)
TARGET_ONE_FILE = 1.3  # check FILE / parse FILE, at most
ONE_FILE_RUNS = 10
CHECK_EXIT_CODES = (0, 1)  # 1 = findings; anything else is a failure


class BenchError(Exception):
    """A command failed or the set-up is wrong; the message says what to do."""


@dataclass(frozen=True)
class Timing:
    seconds: float  # best (or median) wall-clock time
    runs: int


@dataclass(frozen=True)
class SizeResult:
    owners: int
    files: int
    parse_only: Timing
    check_jobs1: Timing | None
    check_all: Timing | None
    findings: tuple[dict[str, object], ...]  # from one `check --format json` run
    audit: Timing | None = None  # `audit --format json` on every core (the teacher's report)

    def ratio(self, timing: Timing | None) -> float | None:
        return None if timing is None else timing.seconds / self.parse_only.seconds


@dataclass(frozen=True)
class OneFileResult:
    path: Path
    parse_only: Timing
    check: Timing

    @property
    def ratio(self) -> float:
        return self.check.seconds / self.parse_only.seconds


# --- running commands ------------------------------------------------------------------


def command_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    return env


def run_command(cmd: Sequence[str], ok_codes: Sequence[int] = (0,)) -> tuple[float, str]:
    """Run ``cmd`` once; return (wall-clock seconds, stdout). Raise on an unexpected exit code."""
    env = command_env()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:]) or "(no stderr)"
        raise BenchError(f"`{shlex.join(cmd)}` exited with {proc.returncode}:\n{tail}")
    return elapsed, proc.stdout


def best_of(cmd: Sequence[str], repeat: int, slow_after: float, ok_codes: Sequence[int] = (0,)) -> Timing:
    """The fastest of ``repeat`` runs; stop repeating once a run takes longer than ``slow_after``."""
    times: list[float] = []
    for _ in range(repeat):
        elapsed, _ = run_command(cmd, ok_codes)
        times.append(elapsed)
        if elapsed > slow_after:
            break
    return Timing(min(times), len(times))


def require_libcst() -> None:
    if importlib.util.find_spec("libcst") is None:
        raise BenchError(
            f"libcst is not installed for {sys.executable}; the baseline needs it "
            f"(`{sys.executable} -m pip install libcst`, or `pip install -e {PROJECT_DIR}`)"
        )


def cli_version() -> str:
    """``airflow-etiquette --version``, or a BenchError that says how to make the CLI available."""
    try:
        _, out = run_command([*CLI, "--version"])
    except BenchError as exc:
        raise BenchError(
            f"the airflow-etiquette CLI cannot be run as `{sys.executable} -m airflow_etiquette`.\n"
            f"Install it with its dependencies into this interpreter (`{sys.executable} -m pip install -e "
            f"{PROJECT_DIR}`), or run the benchmark with a Python that has it; `--parse-only` measures "
            f"the libcst baseline alone.\n{exc}"
        ) from None
    return out.strip()


# --- repositories ----------------------------------------------------------------------


def generator_digest() -> str:
    return hashlib.sha256((BENCH_DIR / "generate_repo.py").read_bytes()).hexdigest()[:16]


def ensure_repo(owners: int, seed: int, regenerate: bool) -> Path:
    """The generated repository for ``owners``, reused while the generator is unchanged."""
    repo = REPOS_DIR / f"owners-{owners}-seed-{seed}"
    stamp = repo / ".bench-stamp"
    expected = f"owners={owners} seed={seed} generator={generator_digest()}\n"
    if not regenerate and stamp.is_file() and stamp.read_text() == expected:
        return repo
    if repo.exists():
        shutil.rmtree(repo)
    print(f"generating {owners} owners into {repo.relative_to(PROJECT_DIR)} ...", file=sys.stderr)
    write_repo(repo, owners, seed)
    stamp.write_text(expected)
    return repo


def count_python_files(repo: Path) -> int:
    return sum(1 for path in repo.rglob("*.py") if path.is_file())


# --- measurements ----------------------------------------------------------------------


def warm_up(repo: Path, with_cli: bool) -> None:
    """Fill the bytecode cache (libcst, and every module a check imports) and the page cache."""
    run_command([sys.executable, "-c", PARSE_ALL, str(repo)])
    if with_cli:
        run_command([*CLI, "check", str(repo), "--jobs", "1"], CHECK_EXIT_CODES)
        run_command([*CLI, "check", str(repo)], CHECK_EXIT_CODES)


def measure_size(owners: int, repo: Path, args: argparse.Namespace) -> SizeResult:
    files = count_python_files(repo)
    parse_cmd = [sys.executable, "-c", PARSE_ALL, str(repo)]
    _, parsed = run_command(parse_cmd)
    if int(parsed) != files:
        raise BenchError(f"parse-only parsed {parsed.strip()} files, expected {files}")
    parse_only = best_of(parse_cmd, args.repeat, args.slow_after)
    if args.parse_only:
        return SizeResult(owners, files, parse_only, None, None, ())
    check = [*CLI, "check", str(repo)]
    jobs1 = best_of([*check, "--jobs", "1"], args.repeat, args.slow_after, CHECK_EXIT_CODES)
    all_cores = best_of(check, args.repeat, args.slow_after, CHECK_EXIT_CODES)
    audit = best_of([*CLI, "audit", str(repo), "--format", "json"], args.repeat, args.slow_after, CHECK_EXIT_CODES)
    return SizeResult(owners, files, parse_only, jobs1, all_cores, tuple(count_findings(repo)), audit)


def count_findings(repo: Path) -> list[dict[str, object]]:
    """The findings of one `check --format json` run (should be none on a generated repo)."""
    _, out = run_command([*CLI, "check", str(repo), "--format", "json"], CHECK_EXIT_CODES)
    try:
        findings = json.loads(out)
    except json.JSONDecodeError as exc:
        raise BenchError(f"`check --format json` did not print JSON ({exc}): {out[:200]!r}") from None
    if not isinstance(findings, list):
        raise BenchError(f"`check --format json` printed {type(findings).__name__}, expected an array")
    return findings


def measure_one_file(path: Path, runs: int) -> OneFileResult:
    """Median of ``runs`` alternating runs of a bare parse and of `check FILE`."""
    parse_cmd = [sys.executable, "-c", PARSE_ONE, str(path)]
    check_cmd = [*CLI, "check", str(path)]
    run_command(parse_cmd)  # warm the page cache and .pyc files before timing
    run_command(check_cmd, CHECK_EXIT_CODES)
    parse_times: list[float] = []
    check_times: list[float] = []
    for _ in range(runs):  # alternate, so a noisy moment hurts both sides alike
        parse_times.append(run_command(parse_cmd)[0])
        check_times.append(run_command(check_cmd, CHECK_EXIT_CODES)[0])
    return OneFileResult(
        path, Timing(statistics.median(parse_times), runs), Timing(statistics.median(check_times), runs)
    )


# --- reporting -------------------------------------------------------------------------


def cores() -> int:
    """What `nproc` prints: the CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def busy_warning() -> str | None:
    """A warning when other processes keep the CPUs busy: multi-core timings suffer first."""
    if not hasattr(os, "getloadavg"):
        return None
    load = os.getloadavg()[0]
    if load < 0.5:
        return None
    return (
        f"warning: load average {load:.2f} on {cores()} cores before the run; other processes "
        "compete for the CPUs and the timings (most of all `check` on all cores) will be pessimistic"
    )


def libcst_version() -> str:
    try:
        return metadata.version("libcst")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def machine_line(version: str | None) -> str:
    parts = [
        f"nproc {cores()} ({cpu_model()})",
        f"Python {platform.python_version()}",
        f"libcst {libcst_version()}",
        platform.system(),
    ]
    if version:
        parts.append(version)
    return "Machine: " + ", ".join(parts)


def seconds(timing: Timing | None) -> str:
    if timing is None:
        return "-"
    text = f"{timing.seconds * 1000:.0f} ms" if timing.seconds < 1 else f"{timing.seconds:.2f} s"
    return text + ("" if timing.runs > 1 else "*")


def verdict(ratio: float | None, target: float, strict: bool = False) -> str:
    if ratio is None:
        return "-"
    ok = ratio < target if strict else ratio <= target
    return f"{ratio:.2f} {'ok' if ok else 'MISS'}"


def size_rows(results: Sequence[SizeResult]) -> list[list[str]]:
    return [
        [
            str(r.owners),
            str(r.files),
            seconds(r.parse_only),
            seconds(r.check_jobs1),
            seconds(r.check_all),
            verdict(r.ratio(r.check_jobs1), TARGET_JOBS1),
            verdict(r.ratio(r.check_all), TARGET_ALL_CORES, strict=True),
            "-" if r.check_all is None else str(len(r.findings)),
            seconds(r.audit),
        ]
        for r in results
    ]


def size_headers() -> list[str]:
    return [
        "owners",
        "files",
        "parse-only",
        "check --jobs 1",
        f"check ({cores()} cores)",
        f"jobs1/parse (<= {TARGET_JOBS1})",
        f"check/parse (< {TARGET_ALL_CORES})",
        "findings",
        "audit",
    ]


def one_file_row(one: OneFileResult) -> list[str]:
    return [one.path.name, seconds(one.parse_only), seconds(one.check), verdict(one.ratio, TARGET_ONE_FILE)]


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = [
        "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=False)) for line in [headers, *rows]
    ]
    return "\n".join(lines)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    aligns = ["---:" for _ in headers]
    return "\n".join([line(headers), line(aligns), *(line(row) for row in rows)])


def markdown_report(results: Sequence[SizeResult], one: OneFileResult | None, machine: str) -> str:
    headers = [
        "owners",
        ".py files",
        "parse-only",
        "`check --jobs 1`",
        f"`check` ({cores()} cores)",
        f"`--jobs 1` / parse (target ≤ {TARGET_JOBS1})",
        f"`check` / parse (target < {TARGET_ALL_CORES})",
        "findings",
        f"`audit` ({cores()} cores)",
    ]
    blocks = [markdown_table(headers, size_rows(results))]
    if one is not None:
        one_headers = [
            "one file",
            "`libcst.parse_module` alone",
            "`check FILE`",
            f"check / parse (target ≤ {TARGET_ONE_FILE})",
        ]
        blocks.append(markdown_table(one_headers, [one_file_row(one)]))
    note = f"{machine}. Wall-clock time of the whole command, interpreter start-up included; "
    note += f"best of up to {most_runs(results)} runs (* a single run)"
    note += f"; one file: median of {ONE_FILE_RUNS}." if one is not None else "."
    blocks.append(note)
    return "\n\n".join(blocks)


def most_runs(results: Sequence[SizeResult]) -> int:
    timings = [t for r in results for t in (r.parse_only, r.check_jobs1, r.check_all) if t is not None]
    return max(t.runs for t in timings)


def any_single_runs(results: Sequence[SizeResult]) -> bool:
    return any(t is not None and t.runs == 1 for r in results for t in (r.parse_only, r.check_jobs1, r.check_all))


def report_findings(findings: Sequence[dict[str, object]], owners: int) -> None:
    if not findings:
        return
    bar = "!" * 78
    print(
        f"\n{bar}\nWARNING: check reported {len(findings)} finding(s) on the generated {owners}-owner "
        f"repository, which follows every convention: a false positive in the linter or a bug in "
        f"bench/generate_repo.py.\n{bar}",
        file=sys.stderr,
    )
    for finding in findings[:10]:
        print(
            f"  {finding.get('path')}:{finding.get('line')}:{finding.get('column')}: "
            f"{finding.get('code')} {finding.get('message')}",
            file=sys.stderr,
        )


# --- command line ----------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated owner counts, got {text!r}") from None
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("owner counts must be 1 or more")
    return sizes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[30, 300, 3000],
        help="comma-separated numbers of owners (default 30,300,3000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, best counts (default 3)")
    parser.add_argument(
        "--slow-after",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="stop repeating a measurement once one run takes longer (default 20)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the cached repositories")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table for the README")
    parser.add_argument("--parse-only", action="store_true", help="measure only the libcst baseline (no CLI)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    busy = busy_warning()
    if busy:
        print(busy, file=sys.stderr)
    try:
        require_libcst()
        version = None if args.parse_only else cli_version()
        repos = {owners: ensure_repo(owners, args.seed, args.regenerate) for owners in args.sizes}
        warm_up(repos[min(args.sizes)], with_cli=not args.parse_only)
        results = []
        for owners, repo in repos.items():
            print(f"measuring {owners} owners ...", file=sys.stderr)
            results.append(measure_size(owners, repo, args))
        one = None
        if not args.parse_only:
            owner = owner_names(1, args.seed)[0]  # present in every size: names are a prefix sequence
            print("measuring one file ...", file=sys.stderr)
            one = measure_one_file(repos[min(args.sizes)] / "dags" / owner / "taxi_pipeline.py", ONE_FILE_RUNS)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    machine = machine_line(version)
    print(plain_table(size_headers(), size_rows(results)))
    if one is not None:
        print()
        one_headers = ["one file", "libcst parse", "check FILE", f"check/parse (<= {TARGET_ONE_FILE})"]
        print(plain_table(one_headers, [one_file_row(one)]))
    if any_single_runs(results):
        print("* a single run: the first one took longer than --slow-after")
    print(machine)
    if busy:
        print(busy)
    for result in results:
        report_findings(result.findings, result.owners)
    if args.markdown:
        print()
        print(markdown_report(results, one, machine))
    return 1 if any(result.findings for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
