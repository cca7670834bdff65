"""Fuzzing tier: generated Python and mutated DAG files never cost a traceback, a hang or a file.

Two sources of cases, each written as many files into ONE real git repository per batch
(``dags/lasse/case_0001.py``, ...) and checked with ONE run of the real command
(``python -m airflow_etiquette check dags --format json``):

- generated Python: ``hypothesmith.from_grammar()`` and ``hypothesmith.from_node()`` modules,
  some of them appended to a seed DAG (so the DAG must still be found among strange code);
- mutated DAG files: the realistic seed DAGs in ``tests/fuzz_seeds/`` (Airflow 2 ``with DAG``,
  TaskFlow ``@dag``, Airflow 3 ``airflow.sdk``, ``dag = DAG(...)``), each with a deliberately
  wrong dag_id (no ``lasse_`` prefix, unique per case), mutated by a seeded ``random.Random``:
  lines deleted, duplicated or swapped, random bytes, flipped bits, NUL and non-UTF-8 bytes,
  truncation, unclosed quotes, brackets, ``{{`` and ``/*``, deep nesting, encoding cookies,
  and code the tokenizer accepts but Python's compiler refuses (``def f(a, a)``, ``return``
  at module level, ...).

The oracle is Python itself, in this process (``compile`` only: nothing is ever run):

1. the command exits 0 or 1 (1 exactly when there is an error-severity finding), prints no
   traceback or internal error, and finishes within ``RUN_TIMEOUT`` seconds;
2. no lost file: a file ``compile()`` refuses has an ETQ001 or ETQ002 finding; a file that
   compiles and still defines its seed's DAG with the wrong dag_id (checked on Python's own
   ``ast``) has an ETQ101 or ETQ002 finding; a file that compiles has no ETQ001 (the rule says
   "not valid Python"); no finding names a path that is not one of the files;
3. every finding's line is within the file (1 .. number of lines + 1) and its column is >= 1.

A failure lists every offending case with its origin (the strategy and seed, or the seed file and
the mutations applied) and the line in question; the repository stays in pytest's tmp_path.

Size: the default run (in the suite) is about a thousand cases (150 from_grammar, 20 from_node,
800 mutants) in six runs of the command, some 20-30 s on 2 cores. For a longer run on demand, set ``AIRFLOW_ETIQUETTE_FUZZ_CASES`` to the number of cases of EACH source
(from_grammar, from_node, mutated DAGs), run in batches of ``BATCH_SIZE`` files, e.g.::

    AIRFLOW_ETIQUETTE_FUZZ_CASES=5000 python -m pytest tests/test_fuzz.py -n 2

``AIRFLOW_ETIQUETTE_FUZZ_SEED=N`` (default 0) shifts every seed, to explore cases other than the
deterministic default ones.
"""

from __future__ import annotations

import ast
import functools
import io
import math
import os
import random
import subprocess
import sys
import tokenize
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import make_repo, run_installed
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from airflow_etiquette.analysis.parse import maybe_newer_syntax

SEEDS_DIR = Path(__file__).resolve().parent / "fuzz_seeds"
OWNER = "lasse"
RUN_TIMEOUT = 120  # conftest.run_installed's subprocess limit; the tool's own per-file limit is 5 s
BATCH_SIZE = 250

_ON_DEMAND = os.environ.get("AIRFLOW_ETIQUETTE_FUZZ_CASES", "").strip()
FUZZ_SEED = int(os.environ.get("AIRFLOW_ETIQUETTE_FUZZ_SEED", "0") or 0)
# In the suite: generated modules are slow to draw (from_node most of all), mutants are free.
GRAMMAR_CASES = int(_ON_DEMAND) if _ON_DEMAND else 150
NODE_CASES = int(_ON_DEMAND) if _ON_DEMAND else 20
MUTANT_CASES = int(_ON_DEMAND) if _ON_DEMAND else 800
MUTANT_BATCH_SIZE = BATCH_SIZE if _ON_DEMAND else 200  # four batches by default: four mutation seeds


def batches(cases: int, size: int = BATCH_SIZE) -> list[tuple[int, int]]:
    """(batch index, number of cases in it) for ``cases`` cases in batches of ``size``."""
    count = max(1, math.ceil(cases / size))
    return [(i, min(size, cases - i * size)) for i in range(count) if cases - i * size > 0]


# --- The seed DAGs: which DAG each defines, so the oracle can tell whether a mutant still does.


@dataclass(frozen=True)
class SeedDag:
    file: str
    module: str  # where the DAG constructor is imported from
    constructor: str  # DAG, or dag for the TaskFlow decorator
    dag_id: str  # the wrong dag_id (no owner prefix) the file gives it

    @functools.cached_property
    def source(self) -> bytes:
        return (SEEDS_DIR / self.file).read_bytes()

    def with_dag_id(self, dag_id: str) -> bytes:
        """The seed with its dag_id replaced by ``dag_id`` (a unique one per case, so that cases
        are not each other's ETQ104 duplicates)."""
        quoted = f'"{self.dag_id}"'.encode()
        assert self.source.count(quoted) == 1, f"{self.file} must hold {quoted!r} exactly once"
        return self.source.replace(quoted, f'"{dag_id}"'.encode())


SEED_DAGS = (
    SeedDag("taxi_classic.py", "airflow", "DAG", "taxi_trips_daily"),
    SeedDag("weather_taskflow.py", "airflow.decorators", "dag", "weather_hourly"),
    SeedDag("bikes_sdk.py", "airflow.sdk", "DAG", "bike_counts"),
    SeedDag("energy_assign.py", "airflow.models", "DAG", "energy_prices"),
)


@dataclass(frozen=True)
class Case:
    name: str  # the file name under dags/<OWNER>/
    data: bytes
    origin: str  # how it was made, to reproduce it
    dag: SeedDag | None = None  # the seed it started from, if any
    dag_id: str | None = None  # the wrong dag_id that seed was given

    @property
    def relpath(self) -> str:
        return f"dags/{OWNER}/{self.name}"


# --- The oracle: Python's own compiler and ast, in this process (compiled, never run).


def python_refuses(data: bytes, path: str) -> tuple[str, int | None] | None:
    """Why ``compile()`` refuses the file and on which line, or None when Python compiles it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning, DeprecationWarning: not errors to Python
        try:
            compile(data, path, "exec", dont_inherit=True)
        except Exception as exc:  # SyntaxError, ValueError (NUL bytes), MemoryError, RecursionError
            return f"{type(exc).__name__}: {exc}", getattr(exc, "lineno", None)
    return None


def newer_syntax(data: bytes, path: str) -> bool:
    """Whether this Python refuses the file with a message that a newer Python's syntax also
    produces, and libcst, which knows that syntax, parses it: the tool leaves such a file alone."""
    import libcst

    try:
        compile(data, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        if not maybe_newer_syntax(exc):
            return False
    except Exception:
        return False
    try:
        libcst.parse_module(data)
    except Exception:
        return False
    return True


def _bindings(tree: ast.AST, name: str) -> int:
    """How many places in the module bind ``name`` (assignments, defs, imports, parameters...)."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            count += 1
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            count += 1
        elif isinstance(node, ast.alias) and (node.asname or node.name.split(".")[0]) == name:
            count += 1
        elif isinstance(node, ast.arg) and node.arg == name:
            count += 1
        elif isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
            count += 1
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name == name:
            count += 1
        elif isinstance(node, ast.MatchMapping) and node.rest == name:
            count += 1
        elif isinstance(node, ast.ExceptHandler) and node.name == name:
            count += 1
    return count


def defines_wrong_dag(data: bytes, dag: SeedDag, dag_id: str) -> int | None:
    """The line where Python reads the (compilable) file as still building the seed's DAG with the
    wrong ``dag_id``, if it does: the constructor imported at module level from the seed's module
    and bound nowhere else, and called with that dag_id (keyword or first argument)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(data)
    imported = any(
        isinstance(node, ast.ImportFrom)
        and node.level == 0
        and node.module == dag.module
        and any(alias.name == dag.constructor and alias.asname is None for alias in node.names)
        for node in tree.body
    )
    if not imported or _bindings(tree, dag.constructor) != 1:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == dag.constructor:
            given_id = [k.value for k in node.keywords if k.arg == "dag_id"] or node.args[:1]
            if given_id and isinstance(given_id[0], ast.Constant) and given_id[0].value == dag_id:
                return node.lineno
    return None


def line_count(data: bytes) -> int:
    return len(data.splitlines())  # bytes split on \n, \r\n and \r only, as Python's tokenizer does


# --- One batch: one repository, one run of the real command, every assertion on every file.


def show(case: Case, line: int | None = None) -> str:
    """The case: its path, how it was made, and its line ``line`` (else its first bytes)."""
    if line is not None and 1 <= line <= line_count(case.data):
        text, where = case.data.splitlines()[line - 1][:200], f"line {line}"
    else:
        text, where = case.data[:200], "starts"
    return f"{case.relpath} ({len(case.data)} bytes) [{case.origin}]\n    {where}: {text!r}"


def excerpt(text: str, keep: int = 8) -> str:
    """The first and last lines of a (possibly huge, recursive) traceback."""
    lines = text.splitlines()
    if len(lines) <= 2 * keep:
        return text
    return "\n".join([*lines[:keep], f"... ({len(lines) - 2 * keep} more lines) ...", *lines[-keep:]])


def check_batch(tmp_path: Path, cases: list[Case]) -> None:
    assert cases, "an empty batch checks nothing"
    assert len({c.name for c in cases}) == len(cases)
    root = make_repo(tmp_path / "repo", {c.relpath: c.data for c in cases})
    by_path = {c.relpath: c for c in cases}
    label = f"{len(cases)} files in {root}"
    try:
        result = run_installed(
            "check", "dags", "--format", "json", cwd=root, env={"GITHUB_ACTIONS": "", "NO_COLOR": "1"}
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hang: the check of {label} did not finish within {RUN_TIMEOUT} s")

    problems: list[str] = []
    for marker in ("Traceback", "internal error", "Fatal Python error", "Segmentation fault"):
        if marker.lower() in result.err.lower():
            problems.append(f"{marker!r} on stderr:\n{excerpt(result.err)}")
    if result.exit_code not in (0, 1):
        pytest.fail(f"exit code {result.exit_code} checking {label}; stderr:\n{excerpt(result.err)}")
    try:
        findings = result.findings
    except ValueError:
        pytest.fail(f"not JSON on stdout checking {label}:\n{excerpt(result.out)}\nstderr:\n{excerpt(result.err)}")
    errors = [f for f in findings if f["severity"] == "error"]
    if result.exit_code != (1 if errors else 0):
        problems.append(f"exit code {result.exit_code} with {len(errors)} error-severity findings")

    codes: dict[str, set[str]] = {}
    for finding in findings:
        path, code, line, column = finding["path"], finding["code"], finding["line"], finding["column"]
        assert isinstance(path, str) and isinstance(code, str), finding
        assert isinstance(line, int) and isinstance(column, int), finding
        case = by_path.get(path)
        if case is None:
            problems.append(f"a finding names {path!r}, which is none of the files: {finding}")
            continue
        codes.setdefault(path, set()).add(code)
        if not 1 <= line <= line_count(case.data) + 1:
            problems.append(
                f"line {line} is outside the file ({line_count(case.data)} lines): {finding}\n  {show(case)}"
            )
        if column < 1:
            problems.append(f"column {column} is not 1-based: {finding}\n  {show(case)}")

    for case in cases:
        found = codes.get(case.relpath, set())
        refused = python_refuses(case.data, case.relpath)
        if refused is not None and newer_syntax(case.data, case.relpath):
            continue  # the scheduler's newer Python may accept it: libcst decides (see analysis/parse.py)
        if refused is not None:
            if not found & {"ETQ001", "ETQ002"}:
                problems.append(
                    f"lost file: Python refuses it ({refused[0]}) but it has no ETQ001/ETQ002 "
                    f"(found {sorted(found) or 'nothing'})\n  {show(case, refused[1])}"
                )
            continue
        if "ETQ001" in found:
            wrong = next(f for f in findings if f["path"] == case.relpath and f["code"] == "ETQ001")
            line = wrong["line"] if isinstance(wrong["line"], int) else None
            problems.append(f"ETQ001 ({wrong['message']}) on a file Python compiles\n  {show(case, line)}")
        defined = defines_wrong_dag(case.data, case.dag, case.dag_id) if case.dag and case.dag_id else None
        if defined is not None and not found & {"ETQ101", "ETQ002"}:
            problems.append(
                f"lost file: it still defines dag_id {case.dag_id!r} (no {OWNER}_ prefix) but has no "
                f"ETQ101/ETQ002 (found {sorted(found) or 'nothing'})\n  {show(case, defined)}"
            )
    assert not problems, (
        f"{len(problems)} problems checking {label} (one file: cd {root} && {sys.executable} -m "
        "airflow_etiquette check dags/lasse/<file> --format json):\n" + "\n".join(problems)
    )


# --- Source (a): hypothesmith, harvested in this process, then written and checked at once.


@functools.cache
def strategy(kind: str) -> st.SearchStrategy[str]:
    import hypothesmith  # imported here: it costs the fast tier's collection most of a second

    return hypothesmith.from_grammar() if kind == "from_grammar" else hypothesmith.from_node()


def harvest(kind: str, count: int, batch_seed: int) -> list[str]:
    """``count`` examples of the strategy, deterministic for ``batch_seed``, without duplicates."""
    drawn: list[str] = []

    @seed(batch_seed)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=False,  # the @seed decides
        # Targeting grows the grammar's examples; from_node's it can slow down tenfold.
        phases=(Phase.generate, Phase.target) if kind == "from_grammar" else (Phase.generate,),
        suppress_health_check=(
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ),
    )
    @given(strategy(kind))
    def collect(source: str) -> None:
        drawn.append(source)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # compile()'s SyntaxWarnings inside hypothesmith
        collect()
    return list(dict.fromkeys(drawn))


GENERATED_BATCHES = [
    pytest.param(kind, index, size, id=f"{kind}-{index}")
    for kind, cases in (("from_grammar", GRAMMAR_CASES), ("from_node", NODE_CASES))
    for index, size in batches(cases)
]


@pytest.mark.parametrize(("kind", "index", "size"), GENERATED_BATCHES)
def test_generated_python(tmp_path: Path, kind: str, index: int, size: int) -> None:
    batch_seed = 1000 * FUZZ_SEED + index
    sources = harvest(kind, size, batch_seed)
    cases: list[Case] = []
    for number, source in enumerate(sources):
        data = source.encode("utf-8", "surrogatepass")
        origin = f"hypothesmith.{kind}() example {number} of @seed({batch_seed})"
        if number % 3 == 2:  # a seed DAG followed by the generated module: the DAG must still be found
            dag = SEED_DAGS[number % len(SEED_DAGS)]
            dag_id = f"{dag.dag_id}_{index:03d}_{number:04d}"
            cases.append(
                Case(f"case_{number:04d}.py", dag.with_dag_id(dag_id) + data, f"{dag.file} + {origin}", dag, dag_id)
            )
        else:
            cases.append(Case(f"case_{number:04d}.py", data, origin))
    check_batch(tmp_path, cases)


# --- Source (b): mutations of the seed DAGs.

Mutation = Callable[[random.Random, bytes], tuple[bytes, str]]

# Code the tokenizer (and a grammar-only parser such as libcst's) accepts, but Python's compiler
# refuses; which of them Python refuses is decided by compile() at test time, not assumed here.
COMPILER_REFUSES = (
    "def f(a, a):\n    pass\n",
    "return 1\n",
    "break\n",
    "continue\n",
    "yield 1\n",
    "x = (yield)\n",
    "await something()\n",
    "async with lock:\n    pass\n",
    "nonlocal x\n",
    "def f():\n    x = 1\n    global x\n",
    "def f():\n    nonlocal undefined_name\n",
    "def outer():\n    x = 1\n\n    def inner():\n        print(x)\n        nonlocal x\n",
    "class C:\n    return 1\n",
    "f(a=1, a=2)\n",
    "DAG(dag_id='x', dag_id='y')\n",
    "f() = 1\n",
    "del f()\n",
    "(a, b) += 1\n",
    "a, *b, *c = d\n",
    "*a = b\n",
    "f(**kw, *args)\n",
    "f(x for x in y, 1)\n",
    "def f(a=1, b):\n    pass\n",
    "from __future__ import braces\n",
    "from __future__ import annotations\n",
    "def f():\n    from os import *\n",
    "__debug__ = 1\n",
    "def f(__debug__):\n    pass\n",
    "x = [i for i in range(3) if (i := 1)]\n",
    "[x async for x in aiter()]\n",
    "async def f():\n    yield from g()\n",
    "x = '\\N{NO SUCH CHARACTER NAME}'\n",
    "x = '\\x4'\n",
    "x = b'caf\u00e9'\n",
    "x = 'a' b'b'\n",
    "x = f'{!r}'\n",
    "x = f'{a!z}'\n",
    "x = f'{a:{b:{c:{d}}}}'\n",
    "x = 0777\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\nexcept TypeError:\n    pass\n",
    "match x:\n    case a:\n        pass\n    case b:\n        pass\n",
    "match x:\n    case [a, a]:\n        pass\n",
    "match x:\n    case {'k': 1, 'k': 2}:\n        pass\n",
    "def f[T](x: T) -> T:\n    return x\n",
    "type Alias = int\n",
    "x = f'{'nested'}'\n",
    "sql = f'SELECT {{ ds }} FROM {SCHEMA}.t WHERE {'\n",
)

UNCLOSED = (
    '"',
    "'",
    '"""',
    "'''",
    "(",
    "[",
    "{",
    "{{",
    "{%",
    "/*",
    "--",
    'f"{',
    "f'''{",
    "\\",
    "#",
    ")",
    "]",
    "}",
    "}}",
)
NON_UTF8 = (b"\xff", b"\xe9", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xfe\xff", b"\xc0\xaf")
PREAMBLES = (
    b"# -*- coding: latin-1 -*-\n",
    b"# coding: klingon\n",
    b"# vim: set fileencoding=cp1252 :\n",
    b"# coding=utf-16\n",
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf# coding: latin-1\n",
    b"#!/usr/bin/env python\n# -*- coding: ascii -*-\n",
    b"\n\n\n",
    b"\x0c",
)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _insert_statement(rng: random.Random, data: bytes, statement: bytes) -> tuple[bytes, int]:
    """``statement`` put where a column-0 statement could go: at the end of the file (after a line
    break), or at the start of an unindented line, which may still be inside a string or a
    bracket (then that is the case). Returns the new data and the offset."""
    lines = _lines(data)
    starts = [sum(map(len, lines[:i])) for i, line in enumerate(lines) if line[:1] not in (b" ", b"\t", b"")]
    if starts and rng.random() < 0.5:
        at = rng.choice(starts)
        return data[:at] + statement + data[at:], at
    if data and not data.endswith((b"\n", b"\r")):
        data += b"\n"
    return data + statement, len(data)


def delete_line(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    return b"".join(lines[:i] + lines[i + 1 :]), f"delete line {i + 1}"


def duplicate_line(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    return b"".join(lines[: i + 1] + lines[i:]), f"duplicate line {i + 1}"


def swap_lines(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines), f"swap lines {i + 1} and {j + 1}"


def random_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at, junk = rng.randrange(len(data) + 1), rng.randbytes(rng.randint(1, 24))
    return data[:at] + junk + data[at:], f"insert {junk!r} at byte {at}"


def truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = rng.randrange(len(data) + 1)
    return data[:at], f"truncate at byte {at}"


def flip_bits(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if not data:
        return data, "flip nothing"
    mutable = bytearray(data)
    flips = []
    for _ in range(rng.randint(1, 4)):
        at, bit = rng.randrange(len(mutable)), rng.randrange(8)
        mutable[at] ^= 1 << bit
        flips.append(f"bit {bit} of byte {at}")
    return bytes(mutable), "flip " + ", ".join(flips)


def nul_byte(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = rng.randrange(len(data) + 1)
    return data[:at] + b"\x00" + data[at:], f"insert NUL at byte {at}"


def non_utf8(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at, junk = rng.randrange(len(data) + 1), rng.choice(NON_UTF8)
    return data[:at] + junk + data[at:], f"insert {junk!r} at byte {at}"


def unclosed(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at, opener = rng.randrange(len(data) + 1), rng.choice(UNCLOSED)
    return data[:at] + opener.encode() + data[at:], f"insert {opener!r} at byte {at}"


def deep_nesting(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    depth = rng.choice((30, 99, 101, 150, 199, 201, 1000, 5000))
    shape = rng.choice(("parens", "lists", "dicts", "ifs", "nots", "chain", "unary", "calls", "fstring", "string"))
    if shape == "parens":
        statement = "x = " + "(" * depth + "1" + ")" * depth + "\n"
    elif shape == "lists":
        statement = "x = " + "[" * depth + "]" * depth + "\n"
    elif shape == "dicts":
        statement = "x = " + "{'k': " * depth + "1" + "}" * depth + "\n"
    elif shape == "ifs":
        depth = min(depth, 120)  # Python's tokenizer allows 100 levels of indentation
        statement = "".join(" " * i + "if x:\n" for i in range(depth)) + " " * depth + "pass\n"
    elif shape == "nots":
        depth *= 4
        statement = "x = " + "not " * depth + "1\n"
    elif shape == "chain":
        depth *= 2
        statement = "x = " + rng.choice((" + ", " and ", " or ", ".", " < ", " | ")).join(["a"] * depth) + "\n"
    elif shape == "unary":
        statement = "x = " + "-" * depth + "1\n"
    elif shape == "calls":
        statement = "x = f" + "()" * depth + "\n"
    elif shape == "fstring":  # the same quote inside is Python 3.12's; four kinds of quote nest on any
        depth = min(depth, rng.randint(2, 6))
        quotes = ["'"] * depth if rng.random() < 0.5 else ["'", '"', "'''", '"""', "'", '"'][:depth]
        opened, closed = "".join(f"f{q}{{" for q in quotes), "".join(f"}}{q}" for q in reversed(quotes))
        statement = f"x = {opened}1{closed}\n"
    else:
        statement = "x = '" + "a" * 300 * depth + "'\n"
    mutated, at = _insert_statement(rng, data, statement.encode())
    return mutated, f"insert {shape} of depth {depth} at byte {at}"


def compiler_refuses(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    snippet = rng.choice(COMPILER_REFUSES)
    mutated, at = _insert_statement(rng, data, snippet.encode())
    return mutated, f"insert {snippet!r} at byte {at}"


def preamble(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    head = rng.choice(PREAMBLES)
    return head + data, f"prepend {head!r}"


def line_endings(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    ending = rng.choice((b"\r\n", b"\r"))
    return b"".join(line.rstrip(b"\r\n") + ending for line in _lines(data)), f"line endings {ending!r}"


def tabs(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    lines = _lines(data)
    indented = [i for i, line in enumerate(lines) if line.startswith(b"    ")]
    if not indented:
        return data, "no indented line for a tab"
    i = rng.choice(indented)
    lines[i] = b"\t" + lines[i][4:]
    return b"".join(lines), f"tab for 4 spaces on line {i + 1}"


def unicode_names(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    old, new = rng.choice(
        (
            (b"DAG", "\uff24\uff21\uff27".encode()),  # fullwidth: NFKC makes it DAG again
            (b"dag_id", "dag\u200b_id".encode()),  # zero-width space: not an identifier character
            (b"SCHEMA", "SCHEM\u0391".encode()),  # Greek capital alpha: another name
            (b"task", "\U0001d42d\U0001d41a\U0001d42c\U0001d424".encode()),  # mathematical bold: NFKC task
            (b"sql", "sql\u202e".encode()),  # right-to-left override
        )
    )
    spots = [i for i in range(len(data)) if data.startswith(old, i)]
    if not spots:
        return data, f"no {old!r} to replace"
    at = rng.choice(spots)
    return data[:at] + new + data[at + len(old) :], f"replace {old!r} at byte {at} by {new!r}"


def splice(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    other = rng.choice(SEED_DAGS)
    lines = _lines(other.source)
    start = rng.randrange(len(lines))
    chunk = b"".join(lines[start : start + rng.randint(1, 12)])
    at = rng.randrange(len(data) + 1)
    return data[:at] + chunk + data[at:], f"insert lines {start + 1}.. of {other.file} at byte {at}"


# Text put into a string literal (SQL, Jinja, shell): the file still compiles, and the SQL scan,
# sqlglot and the value resolver get something they did not expect.
STRING_PAYLOADS = (
    "{{ ds }}",
    "{{ params.schema }}.t",
    "{% if params.full %}",
    "{# a Jinja comment",
    "/* an unclosed SQL comment",
    "*/ DROP TABLE x; /*",
    "-- ",
    ";;;",
    "$$ body $$",
    "$tag$",
    "E'\\x41'",
    "DROP SCHEMA airflow_maria CASCADE;",
    "INSERT INTO public.trips SELECT * FROM airflow_sofia.trips;",
    "DELETE FROM airflow_maria.raw_trips",
    "TRUNCATE public.zones",
    "CREATE TABLE airflow_lasse.copy AS SELECT 1",
    "COPY airflow_noor.t FROM STDIN",
    "ALTER SCHEMA airflow_lasse RENAME TO public",
    "GRANT ALL ON SCHEMA public TO PUBLIC",
    'UPDATE "airflow_maria"."t" SET a = 1',
    "WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT 1 FROM r) INSERT INTO public.t SELECT * FROM r",
    "INSERT INTO public.t SELECT " + "(" * 250 + "1" + ")" * 250,
    "INSERT INTO public.t VALUES " + ", ".join(["(1, 'a')"] * 400),
    "SELECT " + " + ".join(["1"] * 600) + " INTO public.t",
    "airflow connections delete azure_pg",
    "airflow connections add azure_pg --conn-uri postgres://x",
    "export AIRFLOW_CONN_AZURE_PG=postgres://u:p@h/db",
    "psql -c 'TRUNCATE public.trips'",
    "%s %(day)s %% {0} {name}",
    "\u00d8st caf\u00e9 \u0130 \u2028 \U0001f600 \ufeff",
    "\x0c\x0b\t",
    "airflow_",
    "airflow_lasse",
    "public.",
    ".",
    "",
)

# Valid Python, odd for a DAG file: rebinding, star imports, dynamic code the analyzer cannot read.
ODD_STATEMENTS = (
    "DAG = None\n",
    "del DAG\n",
    "from airflow import *\n",
    "import airflow.sdk as airflow\n",
    "from airflow.sdk import DAG as dag, dag as DAG\n",
    "STUDENT = os.environ['HOME']\n",
    "SCHEMA = SCHEMA + SCHEMA\n",
    "SCHEMA = f'{SCHEMA:>{40}}'\n",
    "STUDENT = STUDENT[::-1]\n",
    "globals()['DAG'] = print\n",
    "exec('x = 1')\n",
    "if (n := len(__file__)) > 3:\n    STUDENT = 'maria'\n",
    "for STUDENT in ['maria', 'sofia']:\n    pass\n",
    "try:\n    from airflow.sdk import DAG\nexcept ImportError:\n    from airflow import DAG\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from airflow import DAG\n",
    "class DAG(DAG):\n    pass\n",
    "def dag(*a, **k):\n    return lambda f: f\n",
    "lambda: DAG(dag_id='in_a_lambda')\n",
    "x = [DAG(dag_id=f'gen_{i}') for i in range(3)]\n",
    "match STUDENT:\n    case 'maria':\n        SCHEMA = 'public'\n    case _:\n        pass\n",
    "async def f():\n    async with DAG('a') as d:\n        await d\n",
    "x = {**{'dag_id': 'from_kwargs'}}\nDAG(**x)\n",
    "x: 'DAG' = ...\n",
    "__all__ = ['dag']\n",
    "if __name__ == '__main__':\n    dag.test()\n",
)


def _tokens(data: bytes) -> list[tokenize.TokenInfo] | None:
    try:
        return list(tokenize.tokenize(io.BytesIO(data).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeError, LookupError):
        return None


def _pick(
    rng: random.Random, data: bytes, kind: int
) -> tuple[tokenize.TokenInfo, list[tokenize.TokenInfo], str] | None:
    """One token of ``kind`` chosen at random, all of that kind, and the file's encoding."""
    tokens = _tokens(data)
    if not tokens:
        return None
    encoding = tokens[0].string if tokens[0].type == tokenize.ENCODING else "utf-8"
    chosen = [t for t in tokens if t.type == kind]
    return (rng.choice(chosen), chosen, encoding) if chosen else None


def _replaced(data: bytes, encoding: str, token: tokenize.TokenInfo, text: str) -> bytes | None:
    """``data`` with ``token`` replaced by ``text``, or None when that cannot be done in place."""
    span = _span(data, encoding, token)
    try:
        encoded = text.encode(encoding)
    except UnicodeError:
        return None
    if span is None:
        return None
    start, end = span
    return data[:start] + encoded + data[end:]


def _span(data: bytes, encoding: str, token: tokenize.TokenInfo) -> tuple[int, int] | None:
    """The byte offsets of a token (tokenize counts rows as ``readline`` splits them, columns in
    characters), or None when they cannot be worked out."""
    lines = io.BytesIO(data).readlines()

    def offset(row: int, column: int) -> int:
        return sum(map(len, lines[: row - 1])) + len(lines[row - 1].decode(encoding)[:column].encode(encoding))

    try:
        return offset(*token.start), offset(*token.end)
    except (UnicodeError, LookupError, IndexError):
        return None


def string_content(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    picked = _pick(rng, data, tokenize.STRING)
    if picked is None:
        return data, "no string literal (or the file does not tokenize)"
    token, _, encoding = picked
    prefix = token.string[: len(token.string) - len(token.string.lstrip("rRbBuUfF"))]
    body = token.string[len(prefix) :]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    payload = rng.choice(STRING_PAYLOADS).replace("\\", "").replace(quote[0], "")
    if len(quote) == 1:
        payload = payload.replace("\n", " ").replace("\r", " ").replace("\u2028", " ")
    if "f" in prefix.lower():
        payload = payload.replace("{", "{{").replace("}", "}}")
    if "b" in prefix.lower():
        payload = payload.encode("ascii", "ignore").decode()
    at = len(prefix) + len(quote) + rng.randint(0, max(len(body) - 2 * len(quote), 0))
    replaced = _replaced(data, encoding, token, token.string[:at] + payload + token.string[at:])
    if replaced is None:
        return data, f"no place for {payload[:40]!r} in the string on line {token.start[0]}"
    return replaced, f"insert {payload[:60]!r} into the string on line {token.start[0]}"


def rename(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    picked = _pick(rng, data, tokenize.NAME)
    if picked is None:
        return data, "no name (or the file does not tokenize)"
    token, names, encoding = picked
    other = rng.choice(sorted({t.string for t in names} | {"match", "case", "type", "_", "__file__", "airflow"}))
    replaced = _replaced(data, encoding, token, other)
    if replaced is None:
        return data, f"no place to rename {token.string!r} on line {token.start[0]}"
    return replaced, f"rename {token.string!r} on line {token.start[0]} to {other!r}"


def duplicate_statement(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return data, "no statement: the file does not parse"
    if not tree.body:
        return data, "no statement"
    node = rng.choice(tree.body)
    block = b"".join(_lines(data)[node.lineno - 1 : node.end_lineno])
    if not block.endswith((b"\n", b"\r")):
        block += b"\n"
    mutated, at = _insert_statement(rng, data, block)
    return mutated, f"copy the statement on lines {node.lineno}-{node.end_lineno} to byte {at}"


def odd_statement(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    statement = rng.choice(ODD_STATEMENTS)
    mutated, at = _insert_statement(rng, data, statement.encode())
    return mutated, f"insert {statement!r} at byte {at}"


MUTATIONS: tuple[tuple[Mutation, int], ...] = (
    # Mostly still Python: what the analysis (values, SQL, DAG forms) must survive.
    (string_content, 12),
    (rename, 5),
    (duplicate_statement, 4),
    (odd_statement, 5),
    (compiler_refuses, 6),
    (deep_nesting, 3),
    (unicode_names, 2),
    (preamble, 2),
    (line_endings, 1),
    (tabs, 1),
    # Mostly broken: what the parser and the reader must survive.
    (delete_line, 3),
    (duplicate_line, 3),
    (swap_lines, 3),
    (random_bytes, 2),
    (truncate, 2),
    (flip_bits, 2),
    (nul_byte, 1),
    (non_utf8, 2),
    (unclosed, 3),
    (splice, 2),
)


def mutants(count: int, batch_seed: int) -> Iterator[Case]:
    rng = random.Random(batch_seed)
    operators = [op for op, _ in MUTATIONS]
    weights = [w for _, w in MUTATIONS]
    for number in range(count):
        dag = SEED_DAGS[number % len(SEED_DAGS)]
        dag_id = f"{dag.dag_id}_{batch_seed}_{number:04d}"
        data = dag.with_dag_id(dag_id)
        steps = []
        # The first case of each seed is left whole: the control, which must give its ETQ101.
        for operator in rng.choices(operators, weights, k=rng.choice((1, 1, 2, 3))) if number >= len(SEED_DAGS) else []:
            data, step = operator(rng, data)
            steps.append(step)
        origin = f"{dag.file} with dag_id {dag_id!r}, Random({batch_seed}): " + ("; ".join(steps) or "unmutated")
        yield Case(f"case_{number:04d}.py", data, origin, dag, dag_id)


@pytest.mark.parametrize(
    ("index", "size"), [pytest.param(i, n, id=f"mutants-{i}") for i, n in batches(MUTANT_CASES, MUTANT_BATCH_SIZE)]
)
def test_mutated_dags(tmp_path: Path, index: int, size: int) -> None:
    cases = list(mutants(size, 1000 * FUZZ_SEED + index))
    check_batch(tmp_path, cases)


def test_the_seeds_are_what_the_mutations_assume() -> None:
    """Each seed compiles, defines its DAG with the wrong dag_id exactly once, and the oracle sees it."""
    for dag in SEED_DAGS:
        assert python_refuses(dag.source, dag.file) is None, dag.file
        assert defines_wrong_dag(dag.source, dag, dag.dag_id) is not None, dag.file
        renamed = dag.with_dag_id("renamed")
        assert defines_wrong_dag(renamed, dag, "renamed") is not None, dag.file
        assert defines_wrong_dag(renamed, dag, dag.dag_id) is None, dag.file
