"""Benchmark `airflow-etiquette check` against the cost of parsing the same files with libcst.

    python bench/run.py [--sizes 30,300,3000] [--repeat 3] [--markdown] [--regenerate]

For each size a synthetic class repository is generated once into ``bench/.repos/``
(see ``generate_repo.py``) and these commands are timed from the outside, start-up
and imports included (``time.perf_counter`` around ``subprocess.run``). They run in rounds,
one after the other; a time is the best of the rounds, a ratio the median of the ratios of
the runs of one round (paired runs: a noisy moment hurts both sides of a pair alike):

* parse-only      ``python -c <import libcst, parse_module every .py file> DIR``: the floor
* cold, one job   ``check DIR --no-cache --jobs 1``  target: <= 2.0 x parse-only (goal 1.3)
* cold            ``check DIR --no-cache`` (all cores)  target: < 1.0 x parse-only (on 2 cores)
* first, warm     ``check DIR`` twice in a row after deleting the result cache: the first
                  run fills it, the second is warm  target: warm <= 0.15 x cold
* audit           ``audit DIR --format json --no-cache`` (all cores), no target

Then, with medians of runs taken in turns:

* one file        ``check FILE --no-cache`` against a bare ``libcst.parse_module`` of it
                  (target: <= 1.3 x), a pre-commit hook on one staged DAG
* one change      in a git copy of the 300- and 3000-owner repositories (``main``, and a
                  branch ``<owner>/change`` that changes one line of the owner's DAG file):
                  ``check --base main --author <owner> --no-cache`` (CI on the pull request)
                  against ``check --staged --author <owner> --no-cache`` with the same line
                  staged on main (target: --base <= 2.0 x --staged), and the --base run warm
* start-up        ``python -c pass`` against ``python -m airflow_etiquette --version`` and the
                  ownership hook ``check --staged --select ETQ2 --author <owner>`` in the
                  largest git copy with the change staged (target: both <= 2.0 x)

Commands run with the project directory as working directory, so ``-m`` picks the
package of this checkout (those that run inside a git copy get it on PYTHONPATH), and with
a bytecode cache under ``bench/.repos/.pycache`` (``PYTHONPYCACHEPREFIX``, warmed before
timing) for every side alike: the timings are those of an installed tool, not of compiling
its modules (``PYTHONDONTWRITEBYTECODE`` or sources newer than their .pyc would otherwise
charge that to the CLI alone).
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
PACKAGE_DIR = PROJECT_DIR / "airflow_etiquette"
REPOS_DIR = BENCH_DIR / ".repos"
PYCACHE_DIR = REPOS_DIR / ".pycache"
CLI = (sys.executable, "-m", "airflow_etiquette")
CACHE_DIR = ".airflow-etiquette-cache"  # the result cache's default folder, in the repository root

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

TARGET_JOBS1 = 2.0  # check --no-cache --jobs 1 / parse-only, at most
GOAL_JOBS1 = 1.3  # the same ratio as issue 12 would like it: reported, not judged
TARGET_ALL_CORES = 1.0  # check --no-cache / parse-only, below (on 2 cores)
TARGET_WARM = 0.15  # check with a primed cache / check --no-cache (all cores), at most
TARGET_ONE_FILE = 1.3  # check FILE / parse FILE, at most
TARGET_STARTUP = 2.0  # --version and the ownership hook / python -c pass, at most
TARGET_BASE = 2.0  # check --base / check --staged on the same one-line change, at most
ONE_FILE_RUNS = 10
STARTUP_RUNS = 10
CHANGE_RUNS = 5
CHANGE_MIN_OWNERS = 300  # one change is measured from this size up (or on the largest size alone)
CHECK_EXIT_CODES = (0, 1)  # 1 = findings; anything else is a failure

# The one change: one line of the first owner's DAG file (present in every size), the kind of
# edit a student pushes; it keeps the file within every convention.
CHANGE_FILE = "taxi_pipeline.py"
CHANGE_OLD = "CHUNK_SIZE = 50_000\n"
CHANGE_NEW = "CHUNK_SIZE = 25_000\n"
GIT_LAYOUT = 1  # bumped when the git copies are made differently: they are made again


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
    check_jobs1: Timing | None  # `check --no-cache --jobs 1`
    check_all: Timing | None  # `check --no-cache` on every core
    findings: tuple[dict[str, object], ...]  # from one `check --format json --no-cache` run
    audit: Timing | None = None  # `audit --format json --no-cache` on every core (the teacher's report)
    first: Timing | None = None  # `check` with an empty result cache: it fills the cache
    warm: Timing | None = None  # `check` again right after `first`: nothing changed in between
    jobs1_ratio: float | None = None  # check_jobs1 / parse_only, median of the rounds' ratios
    all_ratio: float | None = None  # check_all / parse_only, likewise
    warm_ratio: float | None = None  # warm / check_all, likewise
    cache_rewritten: bool = False  # a "warm" run wrote the cache: it analysed files again


@dataclass(frozen=True)
class OneFileResult:
    path: Path
    parse_only: Timing
    check: Timing
    ratio: float  # check / parse, median of paired runs


@dataclass(frozen=True)
class GitCopy:
    """A generated repository as a git repository: ``main`` holds every file, and the branch
    ``<owner>/change``, one commit ahead, changes one line of ``changed``."""

    path: Path
    owner: str
    changed: str  # the changed file, relative to the root

    @property
    def branch(self) -> str:
        return f"{self.owner}/change"


@dataclass(frozen=True)
class ChangeResult:
    owners: int
    files: int
    owner: str
    staged: Timing  # `check --staged --author O --no-cache`, the line staged on main
    base: Timing  # `check --base main --author O --no-cache` on the branch O/change
    base_warm: Timing  # `check --base main --author O` right after an identical run
    ratio: float  # base / staged, median of paired runs
    warm_ratio: float  # base_warm / base, likewise
    findings: tuple[dict[str, object], ...]  # of both commands, expected none
    cache_rewritten: bool = False


@dataclass(frozen=True)
class StartupResult:
    repo: Path  # the git copy the commands ran in, with the change staged
    owner: str
    bare: Timing  # `python -c pass`
    version: Timing  # `python -m airflow_etiquette --version`
    hook: Timing  # `python -m airflow_etiquette check --staged --select ETQ2 --author O`
    version_ratio: float  # version / bare, median of paired runs
    hook_ratio: float  # hook / bare, likewise


# --- running commands ------------------------------------------------------------------


def command_env(elsewhere: bool = False) -> dict[str, str]:
    """The environment of every timed command; ``elsewhere``: it runs in another directory than
    the project, so the project goes on PYTHONPATH for ``-m`` to find this checkout's package."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_DIR)
    if elsewhere:
        env["PYTHONPATH"] = os.pathsep.join(part for part in (str(PROJECT_DIR), env.get("PYTHONPATH")) if part)
    return env


def run_command(cmd: Sequence[str], ok_codes: Sequence[int] = (0,), cwd: Path | None = None) -> tuple[float, str]:
    """Run ``cmd`` once (in the project directory, or ``cwd``); return (wall-clock seconds, stdout).
    Raise on an unexpected exit code."""
    env = command_env(elsewhere=cwd is not None)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd or PROJECT_DIR, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok_codes:
        output = proc.stderr.strip() or proc.stdout.strip()
        tail = "\n".join(output.splitlines()[-5:]) or "(no output)"
        where = f" in {cwd}" if cwd is not None else ""
        raise BenchError(f"`{shlex.join(cmd)}`{where} exited with {proc.returncode}:\n{tail}")
    return elapsed, proc.stdout


def timed(cmd: Sequence[str], repeat: int, slow_after: float, ok_codes: Sequence[int] = (0,)) -> tuple[Timing, str]:
    """The fastest of ``repeat`` runs (stop repeating once a run takes longer than ``slow_after``)
    and the output of the last one."""
    times: list[float] = []
    out = ""
    for _ in range(repeat):
        elapsed, out = run_command(cmd, ok_codes)
        times.append(elapsed)
        if elapsed > slow_after:
            break
    return Timing(min(times), len(times)), out


def best_of(cmd: Sequence[str], repeat: int, slow_after: float, ok_codes: Sequence[int] = (0,)) -> Timing:
    """The fastest of ``repeat`` runs; stop repeating once a run takes longer than ``slow_after``."""
    return timed(cmd, repeat, slow_after, ok_codes)[0]


def in_turns(
    commands: Sequence[tuple[Sequence[str], Sequence[int]]], runs: int, cwd: Path | None = None
) -> list[list[float]]:
    """``runs`` rounds of ``commands``, one after the other (after one untimed round for the page
    cache and the .pyc files): each command's times, round by round."""
    for cmd, codes in commands:
        run_command(cmd, codes, cwd)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for slot, (cmd, codes) in zip(times, commands, strict=True):
            slot.append(run_command(cmd, codes, cwd)[0])
    return times


def best(times: Sequence[float]) -> Timing:
    return Timing(min(times), len(times))


def median(times: Sequence[float]) -> Timing:
    return Timing(statistics.median(times), len(times))


def paired_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of the ratios of runs taken side by side (round i against round i)."""
    return statistics.median([a / b for a, b in zip(numerators, denominators, strict=True)])


def require_libcst() -> None:
    if importlib.util.find_spec("libcst") is None:
        raise BenchError(
            f"libcst is not installed for {sys.executable}; the baseline needs it "
            f"(`{sys.executable} -m pip install libcst`, or install this project as bench/README.md says)"
        )


def require_plain_start() -> None:
    """A BenchError when this interpreter loads an editable install's import hook at start-up.

    Every timed command starts this interpreter, the baselines (``python -c pass``, the bare
    parse) as well as the CLI. setuptools' default editable install of this project (``pip
    install -e .``) puts a finder module in a .pth file, which site imports at every start with
    pathlib and more: 15 ms here, half of what ``python -c pass`` then costs. A user's install
    (pip, pipx, pre-commit's environment) has none, so the start-up ratios would flatter the
    tool by half. ``editable_mode=compat`` makes the .pth a plain path entry, as cheap as none."""
    hooks = sorted(name for name in sys.modules if name.startswith("__editable__"))
    if hooks:
        raise BenchError(
            f"{sys.executable} imports an editable install's finder at every start ({hooks[0]}), which the "
            "start-up figures would charge to the baselines; reinstall with a plain path entry: "
            f"`{sys.executable} -m pip install -e {PROJECT_DIR} --config-settings editable_mode=compat` "
            f"(or `pip install {PROJECT_DIR}`)"
        )


def cli_version() -> str:
    """``airflow-etiquette --version``, or a BenchError that says how to make the CLI available."""
    require_plain_start()
    try:
        _, out = run_command([*CLI, "--version"])
    except BenchError as exc:
        raise BenchError(
            f"the airflow-etiquette CLI cannot be run as `{sys.executable} -m airflow_etiquette`.\n"
            f"Install it with its dependencies into this interpreter (`{sys.executable} -m pip install -e "
            f"{PROJECT_DIR} --config-settings editable_mode=compat`), or run the benchmark with a Python that has "
            "it; `--parse-only` measures "
            f"the libcst baseline alone.\n{exc}"
        ) from None
    return out.strip()


def package_state() -> list[tuple[str, int, int]]:
    """The package's sources by size and time, as the result cache fingerprints them: if they
    change during a run, the timings mix two versions of the code, and a warm run is not."""
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        try:
            status = path.stat()
        except OSError:
            continue
        found.append((path.relative_to(PACKAGE_DIR).as_posix(), status.st_size, status.st_mtime_ns))
    return found


# --- the result cache ------------------------------------------------------------------


def drop_cache(repo: Path) -> None:
    shutil.rmtree(repo / CACHE_DIR, ignore_errors=True)


def cache_files(repo: Path) -> dict[str, tuple[int, int]]:
    """Every file of ``repo``'s result cache, by size and modification time."""
    folder = repo / CACHE_DIR
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            status = path.stat()
            found[path.relative_to(folder).as_posix()] = (status.st_size, status.st_mtime_ns)
    return found


def primed_and_warm(
    repo: Path, cmd: Sequence[str], cwd: Path | None = None, require_cache: bool = True
) -> tuple[float, float, bool]:
    """Delete ``repo``'s result cache, run ``cmd`` (it fills the cache) and at once again: the
    times of both runs, and whether the second one wrote the cache (it analysed files again, so
    it was not warm: sources of the package edited in between would do that)."""
    drop_cache(repo)
    first, _ = run_command(cmd, CHECK_EXIT_CODES, cwd)
    primed = cache_files(repo)
    # A change's own files are never answered from a cache, and the screen may leave no other
    # file to compare with: a --base run need not leave a cache behind.
    if require_cache and not any(name.endswith(".json") for name in primed):
        raise BenchError(
            f"`{shlex.join(cmd)}` left no result cache in {repo / CACHE_DIR}: is the cache switched off "
            "(cache-dir), or did the run analyse no file?"
        )
    warm, _ = run_command(cmd, CHECK_EXIT_CODES, cwd)
    return first, warm, cache_files(repo) != primed


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


def git_env() -> dict[str, str]:
    """For the git commands that make and switch the copies: no user or system configuration
    (hooks, signing, a default branch) and fixed names and dates, so every copy is the same."""
    env = dict(os.environ)
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_AUTHOR_DATE": "2025-01-06T09:00:00+00:00",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_DATE": "2025-01-06T09:00:00+00:00",
        }
    )
    return env


def run_git(repo: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=repo, env=git_env(), capture_output=True, text=True)
    except FileNotFoundError:
        raise BenchError("git is not installed (or not on PATH): the one-change and start-up measurements need it")
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-3:]) or "(no stderr)"
        raise BenchError(f"`git {shlex.join(args)}` in {repo} exited with {proc.returncode}:\n{tail}")
    return proc.stdout


def ensure_git_copy(repo: Path, seed: int, regenerate: bool) -> GitCopy:
    """``repo`` as a git repository (``<repo>-git``), made once and reused while ``repo`` and
    the way of making it are unchanged; left on the branch."""
    owner = owner_names(1, seed)[0]  # present in every size: names are a prefix sequence
    copy = GitCopy(repo.with_name(f"{repo.name}-git"), owner, f"dags/{owner}/{CHANGE_FILE}")
    stamp = copy.path / ".git" / "bench-stamp"  # inside .git: never part of a commit
    expected = (repo / ".bench-stamp").read_text() + f"git-layout={GIT_LAYOUT} owner={owner}\n"
    if not regenerate and stamp.is_file() and stamp.read_text() == expected:
        return copy
    if copy.path.exists():
        shutil.rmtree(copy.path)
    print(f"making the git copy {copy.path.relative_to(PROJECT_DIR)} ...", file=sys.stderr)
    shutil.copytree(repo, copy.path, ignore=shutil.ignore_patterns(".bench-stamp", CACHE_DIR))
    run_git(copy.path, "init", "-q")
    run_git(copy.path, "symbolic-ref", "HEAD", "refs/heads/main")
    run_git(copy.path, "add", "-A")
    run_git(copy.path, "commit", "-q", "--no-verify", "-m", f"{repo.name}, as generated")
    run_git(copy.path, "checkout", "-q", "-b", copy.branch)
    target = copy.path / copy.changed
    text = target.read_text(encoding="utf-8")
    if text.count(CHANGE_OLD) != 1:
        raise BenchError(f"{target} holds {CHANGE_OLD.strip()!r} {text.count(CHANGE_OLD)} times, expected once")
    target.write_text(text.replace(CHANGE_OLD, CHANGE_NEW), encoding="utf-8")
    run_git(copy.path, "commit", "-q", "--no-verify", "-a", "-m", f"{owner}: smaller chunks")
    stamp.write_text(expected)
    return copy


def on_branch(copy: GitCopy) -> None:
    """The pull request's side: HEAD on ``<owner>/change``, one commit ahead of main, nothing staged."""
    run_git(copy.path, "checkout", "-q", "-f", copy.branch)
    changed = run_git(copy.path, "diff", "--name-only", "main", "HEAD").split()
    staged = run_git(copy.path, "diff", "--cached", "--name-only").split()
    if changed != [copy.changed] or staged:
        raise BenchError(f"{copy.path}: {copy.branch} changes {changed} with {staged} staged, expected {copy.changed}")


def staged_on_main(copy: GitCopy) -> None:
    """The pre-commit side: HEAD on main, the branch's one-line change staged and not committed."""
    run_git(copy.path, "checkout", "-q", "-f", "main")
    run_git(copy.path, "checkout", "-q", copy.branch, "--", copy.changed)
    staged = run_git(copy.path, "diff", "--cached", "--name-only").split()
    if staged != [copy.changed]:
        raise BenchError(f"{copy.path}: {staged} staged on main, expected {copy.changed}")


# --- measurements ----------------------------------------------------------------------


def warm_up(repo: Path, with_cli: bool) -> None:
    """Fill the bytecode cache (libcst, and every module a check imports) and the page cache."""
    run_command([sys.executable, "-c", PARSE_ALL, str(repo)])
    if with_cli:
        run_command([*CLI, "check", str(repo), "--jobs", "1", "--no-cache"], CHECK_EXIT_CODES)
        primed_and_warm(repo, [*CLI, "check", str(repo)])  # the cache's modules too
        drop_cache(repo)


def measure_size(owners: int, repo: Path, args: argparse.Namespace) -> SizeResult:
    """Rounds of: parse-only, the two cold checks, then `check` twice on an emptied cache."""
    files = count_python_files(repo)
    parse_cmd = [sys.executable, "-c", PARSE_ALL, str(repo)]
    _, parsed = run_command(parse_cmd)
    if int(parsed) != files:
        raise BenchError(f"parse-only parsed {parsed.strip()} files, expected {files}")
    if args.parse_only:
        return SizeResult(owners, files, best_of(parse_cmd, args.repeat, args.slow_after), None, None, ())
    check = [*CLI, "check", str(repo)]
    parse: list[float] = []
    jobs1: list[float] = []
    cold: list[float] = []
    first: list[float] = []
    warm: list[float] = []
    rewritten = False
    for _ in range(args.repeat):
        parse.append(run_command(parse_cmd)[0])
        jobs1.append(run_command([*check, "--no-cache", "--jobs", "1"], CHECK_EXIT_CODES)[0])
        cold.append(run_command([*check, "--no-cache"], CHECK_EXIT_CODES)[0])
        filled, again, wrote = primed_and_warm(repo, check)
        first.append(filled)
        warm.append(again)
        rewritten |= wrote
        if max(parse[-1], jobs1[-1], cold[-1], first[-1]) > args.slow_after:
            break
    drop_cache(repo)
    audit_cmd = [*CLI, "audit", str(repo), "--format", "json", "--no-cache"]
    audit = best_of(audit_cmd, args.repeat, args.slow_after, CHECK_EXIT_CODES)
    return SizeResult(
        owners,
        files,
        best(parse),
        best(jobs1),
        best(cold),
        tuple(count_findings(repo)),
        audit,
        first=best(first),
        warm=best(warm),
        jobs1_ratio=paired_ratio(jobs1, parse),
        all_ratio=paired_ratio(cold, parse),
        warm_ratio=paired_ratio(warm, cold),
        cache_rewritten=rewritten,
    )


def json_findings(cmd: Sequence[str], cwd: Path | None = None) -> list[dict[str, object]]:
    """The findings of one run of ``cmd`` (a `check ... --format json`)."""
    _, out = run_command(cmd, CHECK_EXIT_CODES, cwd)
    try:
        findings = json.loads(out)
    except json.JSONDecodeError as exc:
        raise BenchError(f"`{shlex.join(cmd)}` did not print JSON ({exc}): {out[:200]!r}") from None
    if not isinstance(findings, list):
        raise BenchError(f"`{shlex.join(cmd)}` printed {type(findings).__name__}, expected an array")
    return findings


def count_findings(repo: Path) -> list[dict[str, object]]:
    """The findings of one `check --format json --no-cache` run (should be none on a generated repo)."""
    return json_findings([*CLI, "check", str(repo), "--format", "json", "--no-cache"])


def measure_one_file(path: Path, runs: int) -> OneFileResult:
    """Median of ``runs`` alternating runs of a bare parse and of `check FILE --no-cache`."""
    parse_cmd = [sys.executable, "-c", PARSE_ONE, str(path)]
    check_cmd = [*CLI, "check", str(path), "--no-cache"]
    parse, check = in_turns([(parse_cmd, (0,)), (check_cmd, CHECK_EXIT_CODES)], runs)
    return OneFileResult(path, median(parse), median(check), paired_ratio(check, parse))


def change_commands(copy: GitCopy) -> tuple[list[str], list[str]]:
    """`check --base main --author O` (without --no-cache) and `check --staged --author O --no-cache`."""
    base = [*CLI, "check", "--base", "main", "--author", copy.owner]
    staged = [*CLI, "check", "--staged", "--author", copy.owner, "--no-cache"]
    return base, staged


def measure_change(owners: int, files: int, copy: GitCopy, runs: int) -> ChangeResult:
    """Median of ``runs`` rounds of: the cold --base run on the branch, the cold --staged run on
    main with the line staged, and the --base run twice on an emptied cache (the second timed)."""
    base, staged = change_commands(copy)
    cold_base = [*base, "--no-cache"]
    on_branch(copy)  # one untimed run of each first: .pyc files, page cache, and their findings
    findings = json_findings([*cold_base, "--format", "json"], copy.path)
    staged_on_main(copy)
    findings += json_findings([*staged, "--format", "json"], copy.path)
    base_times: list[float] = []
    staged_times: list[float] = []
    warm_times: list[float] = []
    rewritten = False
    for _ in range(runs):
        on_branch(copy)
        base_times.append(run_command(cold_base, CHECK_EXIT_CODES, copy.path)[0])
        staged_on_main(copy)
        staged_times.append(run_command(staged, CHECK_EXIT_CODES, copy.path)[0])
        on_branch(copy)
        _, warm, wrote = primed_and_warm(copy.path, base, copy.path, require_cache=False)
        warm_times.append(warm)
        rewritten |= wrote
    drop_cache(copy.path)
    return ChangeResult(
        owners,
        files,
        copy.owner,
        median(staged_times),
        median(base_times),
        median(warm_times),
        paired_ratio(base_times, staged_times),
        paired_ratio(warm_times, base_times),
        tuple(findings),
        rewritten,
    )


def hook_command(owner: str) -> list[str]:
    """The ownership hook's entry (.pre-commit-hooks.yaml), given who commits."""
    return [*CLI, "check", "--staged", "--select", "ETQ2", "--author", owner]


def measure_startup(copy: GitCopy, runs: int) -> StartupResult:
    """Median of ``runs`` rounds of `python -c pass`, `--version` and the ownership hook, all in
    the git copy with the change staged (the hook's working directory)."""
    staged_on_main(copy)
    bare_cmd = [sys.executable, "-c", "pass"]
    version_cmd = [*CLI, "--version"]
    bare, version, hook = in_turns(
        [(bare_cmd, (0,)), (version_cmd, (0,)), (hook_command(copy.owner), (0,))], runs, copy.path
    )
    return StartupResult(
        copy.path,
        copy.owner,
        median(bare),
        median(version),
        median(hook),
        paired_ratio(version, bare),
        paired_ratio(hook, bare),
    )


def change_sizes(sizes: Sequence[int]) -> list[int]:
    """The sizes for one change: from CHANGE_MIN_OWNERS up, or the largest when all are smaller."""
    return [size for size in sizes if size >= CHANGE_MIN_OWNERS] or [max(sizes)]


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


def load_average() -> str:
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


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


def warm_verdict(ratio: float | None, rewritten: bool) -> str:
    text = verdict(ratio, TARGET_WARM)
    return text + " (not warm: the cache was rewritten)" if rewritten else text


def code(text: str, markdown: bool) -> str:
    return f"`{text}`" if markdown else text


def size_headers(markdown: bool = False) -> list[str]:
    return [
        "owners",
        ".py files" if markdown else "files",
        "parse-only",
        code("check --jobs 1 --no-cache", markdown),
        f"{code('check --no-cache', markdown)} ({cores()} cores)",
        f"{code('--jobs 1', markdown)} / parse (target ≤ {TARGET_JOBS1}, goal {GOAL_JOBS1})",
        f"{code('check', markdown)} / parse (target < {TARGET_ALL_CORES})",
        "findings",
        f"{code('audit --no-cache', markdown)} ({cores()} cores)",
    ]


def size_rows(results: Sequence[SizeResult]) -> list[list[str]]:
    return [
        [
            str(r.owners),
            str(r.files),
            seconds(r.parse_only),
            seconds(r.check_jobs1),
            seconds(r.check_all),
            verdict(r.jobs1_ratio, TARGET_JOBS1),
            verdict(r.all_ratio, TARGET_ALL_CORES, strict=True),
            "-" if r.check_all is None else str(len(r.findings)),
            seconds(r.audit),
        ]
        for r in results
    ]


def cache_headers(markdown: bool = False) -> list[str]:
    return [
        "owners",
        f"cold: {code('check --no-cache', markdown)}",
        f"first {code('check', markdown)} (empty cache)",
        f"warm: the next {code('check', markdown)}",
        f"warm / cold (target ≤ {TARGET_WARM})",
    ]


def cache_rows(results: Sequence[SizeResult]) -> list[list[str]]:
    return [
        [
            str(r.owners),
            seconds(r.check_all),
            seconds(r.first),
            seconds(r.warm),
            warm_verdict(r.warm_ratio, r.cache_rewritten),
        ]
        for r in results
        if r.warm is not None
    ]


def change_headers(owner: str, markdown: bool = False) -> list[str]:
    return [
        "owners",
        f"pre-commit: {code(f'check --staged --author {owner} --no-cache', markdown)}",
        f"CI: {code(f'check --base main --author {owner} --no-cache', markdown)}",
        f"{code('--base', markdown)} / {code('--staged', markdown)} (target ≤ {TARGET_BASE})",
        f"{code('--base', markdown)} warm",
        f"warm / cold {code('--base', markdown)}",
        "findings",
    ]


def change_rows(changes: Sequence[ChangeResult]) -> list[list[str]]:
    return [
        [
            str(c.owners),
            seconds(c.staged),
            seconds(c.base),
            verdict(c.ratio, TARGET_BASE),
            seconds(c.base_warm) + (" (not warm: the cache was rewritten)" if c.cache_rewritten else ""),
            f"{c.warm_ratio:.2f}",
            str(len(c.findings)),
        ]
        for c in changes
    ]


def startup_headers(markdown: bool = False) -> list[str]:
    return ["start-up", "command", "median", f"× {code('python -c pass', markdown)} (target ≤ {TARGET_STARTUP})"]


def startup_rows(startup: StartupResult, markdown: bool = False) -> list[list[str]]:
    hook = f"python -m airflow_etiquette check --staged --select ETQ2 --author {startup.owner}"
    return [
        ["bare interpreter", code("python -c pass", markdown), seconds(startup.bare), "1.00"],
        [
            "version",
            code("python -m airflow_etiquette --version", markdown),
            seconds(startup.version),
            verdict(startup.version_ratio, TARGET_STARTUP),
        ],
        ["ownership hook", code(hook, markdown), seconds(startup.hook), verdict(startup.hook_ratio, TARGET_STARTUP)],
    ]


def one_file_headers(markdown: bool = False) -> list[str]:
    return [
        "one file",
        code("libcst.parse_module", markdown) + " alone",
        code("check FILE --no-cache", markdown),
        f"check / parse (target ≤ {TARGET_ONE_FILE})",
    ]


def one_file_row(one: OneFileResult) -> list[str]:
    return [one.path.name, seconds(one.parse_only), seconds(one.check), verdict(one.ratio, TARGET_ONE_FILE)]


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = [
        "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=False)) for line in [headers, *rows]
    ]
    return "\n".join(lines)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 0) -> str:
    """A Markdown table, numbers to the right; the first ``left`` columns (words) to the left."""

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    aligns = [":---" if column < left else "---:" for column in range(len(headers))]
    return "\n".join([line(headers), line(aligns), *(line(row) for row in rows)])


@dataclass(frozen=True)
class Report:
    results: Sequence[SizeResult]
    one: OneFileResult | None = None
    changes: Sequence[ChangeResult] = ()
    startup: StartupResult | None = None

    def tables(self, markdown: bool) -> list[str]:
        table = markdown_table if markdown else plain_table
        blocks = [table(size_headers(markdown), size_rows(self.results))]
        if any(r.warm is not None for r in self.results):
            blocks.append(table(cache_headers(markdown), cache_rows(self.results)))
        if self.changes:
            blocks.append(table(change_headers(self.changes[0].owner, markdown), change_rows(self.changes)))
        if self.startup is not None:
            rows = startup_rows(self.startup, markdown)
            blocks.append(
                markdown_table(startup_headers(True), rows, left=2) if markdown else table(startup_headers(), rows)
            )
        if self.one is not None:
            blocks.append(table(one_file_headers(markdown), [one_file_row(self.one)]))
        return blocks

    def note(self, machine: str) -> str:
        rounds = most_runs(self.results)
        note = f"{machine}. Wall-clock time of the whole command, interpreter start-up included; "
        if rounds > 1:
            note += f"owners tables: best of up to {rounds} rounds"
            note += " (* a single round)" if any_single_runs(self.results) else ""
        else:
            note += "owners tables: a single round"
        note += ", ratios the median of the rounds' ratios (the commands of a round run back to back; "
        note += "warm: `check` run twice after deleting the cache, the second timed)"
        if self.changes:
            note += f"; one change: median of {self.changes[0].base.runs} rounds, "
            note += f"owner `{self.changes[0].owner}`, one line of `{CHANGE_FILE}` changed"
        if self.startup is not None:
            note += f"; start-up: median of {self.startup.bare.runs} rounds in the "
            note += f"{self.startup.repo.name} git copy with that change staged"
        if self.one is not None:
            note += f"; one file: median of {self.one.check.runs}"
        return note + "."


def most_runs(results: Sequence[SizeResult]) -> int:
    timings = [t for r in results for t in (r.parse_only, r.check_jobs1, r.check_all) if t is not None]
    return max(t.runs for t in timings)


def any_single_runs(results: Sequence[SizeResult]) -> bool:
    return any(t is not None and t.runs == 1 for r in results for t in (r.parse_only, r.check_jobs1, r.check_all))


def report_findings(findings: Sequence[dict[str, object]], owners: int, what: str = "check") -> None:
    if not findings:
        return
    bar = "!" * 78
    print(
        f"\n{bar}\nWARNING: {what} reported {len(findings)} finding(s) on the generated {owners}-owner "
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


def report_problems(report: Report, package_changed: bool) -> list[str]:
    """Loud warnings about figures that do not mean what they say; an empty list: none."""
    problems = []
    for size in [r.owners for r in report.results if r.cache_rewritten] + [
        c.owners for c in report.changes if c.cache_rewritten
    ]:
        problems.append(
            f"a warm run on the {size}-owner repository wrote the result cache, so it analysed files "
            "again and its time is not that of a warm run"
        )
    if package_changed:
        problems.append(
            f"the sources in {PACKAGE_DIR.relative_to(PROJECT_DIR)}/ changed during the run: the timings mix "
            "versions of the code (and a change resets the result cache); run the benchmark on a tree "
            "nobody edits"
        )
    bar = "!" * 78
    for problem in problems:
        print(f"\n{bar}\nWARNING: {problem}.\n{bar}", file=sys.stderr)
    return problems


# --- command line ----------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated owner counts, got {text!r}") from None
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError("owner counts must be 1 or more")
    return sizes


def add_slow_after(parser: argparse.ArgumentParser) -> None:
    """The option both benchmark scripts share: when to stop repeating a slow measurement."""
    parser.add_argument(
        "--slow-after",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="stop repeating a measurement once one run takes longer (default 20)",
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[30, 300, 3000],
        help="comma-separated numbers of owners (default 30,300,3000)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds per repository size, the best time counts (default 3)"
    )
    add_slow_after(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the cached repositories")
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables for the README")
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
    load_before = load_average()
    package_before = package_state()
    try:
        require_libcst()
        version = None if args.parse_only else cli_version()
        repos = {owners: ensure_repo(owners, args.seed, args.regenerate) for owners in args.sizes}
        copies: dict[int, GitCopy] = {}
        if not args.parse_only:
            copies = {n: ensure_git_copy(repos[n], args.seed, args.regenerate) for n in change_sizes(args.sizes)}
        warm_up(repos[min(args.sizes)], with_cli=not args.parse_only)
        results = []
        for owners, repo in repos.items():
            print(f"measuring {owners} owners ...", file=sys.stderr)
            results.append(measure_size(owners, repo, args))
        report = Report(results)
        if not args.parse_only:
            changes = []
            for owners, copy in copies.items():
                print(f"measuring one change in {owners} owners ...", file=sys.stderr)
                changes.append(measure_change(owners, count_python_files(repos[owners]), copy, CHANGE_RUNS))
            print("measuring start-up ...", file=sys.stderr)
            startup = measure_startup(copies[max(copies)], STARTUP_RUNS)
            on_branch(copies[max(copies)])
            owner = owner_names(1, args.seed)[0]  # present in every size: names are a prefix sequence
            print("measuring one file ...", file=sys.stderr)
            one = measure_one_file(repos[min(args.sizes)] / "dags" / owner / CHANGE_FILE, ONE_FILE_RUNS)
            report = Report(results, one, changes, startup)
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    machine = machine_line(version)
    print("\n\n".join(report.tables(markdown=False)))
    if any_single_runs(results):
        print("* a single round: one of its runs took longer than --slow-after")
    print(machine)
    print(f"load average (1, 5, 15 min): {load_before} before, {load_average()} after")
    if busy:
        print(busy)
    for result in results:
        report_findings(result.findings, result.owners)
    for change in report.changes:
        report_findings(change.findings, change.owners, "the one-change check")
    problems = report_problems(report, package_state() != package_before)
    if args.markdown:
        print()
        print("\n\n".join([*report.tables(markdown=True), report.note(machine)]))
    failed = any(result.findings for result in results) or any(change.findings for change in report.changes)
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
