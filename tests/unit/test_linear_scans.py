"""Every text scan is linear: an adversarial string of 1 MB costs milliseconds, not minutes.

Each case was quadratic or worse once (an unclosed ``{{`` took 61 s at 128 KB, an unclosed
``/*`` 21 s). The bound below is CPU time with two orders of magnitude to spare over the linear
cost on a slow shared machine, and three under what a quadratic scan takes at this size: it
tells the complexity class apart, it does not measure speed (that is ``bench/``'s job).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from airflow_etiquette.analysis.sql import schema_uses
from airflow_etiquette.analysis.values import Text
from airflow_etiquette.config import DEFAULTS
from airflow_etiquette.engine.analyze import Settings, analyze_source
from airflow_etiquette.sources.files import SourceFile

SIZE = 1024 * 1024
# Coverage's line tracing (the README's test command runs with --cov) slows Python code a few times
# over; a quadratic scan still takes minutes at this size, so the bounds keep telling them apart.
TRACED = 4.0 if sys.gettrace() is not None or "coverage" in sys.modules else 1.0
SCAN_BOUND = 5.0 * TRACED  # CPU seconds for the SQL scan of one 1 MB string: a ceiling against hangs
FILE_BOUND = 3.0 * TRACED  # CPU seconds for a file holding it, through compile, libcst, every rule and the facts

PATTERNS = {
    "unclosed jinja expressions": "{{",
    "unclosed jinja tags": "{%",
    "unclosed jinja comments": "{#",
    "jinja expressions": "{{ x ",
    "unclosed block comments": "/*",
    "unclosed quotes": "'/*",
    "doubled quotes": "''",
    "dots": "a.",
    "spaced dots": "a . ",
    "insert verbs": "INSERT INTO ",
    "update verbs": "UPDATE ",
    "update then spaces": "UPDATE" + " " * 64,
    "drop lists": "DROP TABLE a.b, ",
    "truncate lists": "TRUNCATE a, ",
    "psql commands": ' -c "',
    "psql long commands": "--command='",
    "search paths": "SET search_path TO ",
    "quoted identifiers": '"a',
    "line comments": "--",
    "from clauses": "FROM x ",
    "airflow cli": "airflow connections add ",
    "curl": "curl -X ",
    "connection variables": "export AIRFLOW_CONN_AZURE_PG=",
    "connection bodies": '"conn_id": ',
    "schemas": "airflow_maria.",
    "copy": "COPY x ( ",
    "copy lists": "COPY a.b (",
    "search paths before writes": "SET search_path TO a; INSERT INTO t SELECT 1; ",
    "stray jinja comments": "{# ",
    "apostrophes in comments": "-- don't\n",
    "quoted placeholders": '"{schema}".t ',
    "unclosed quoted placeholders": '"{',
    "echoed commands": "echo airflow connections delete x ",
    "temporary tables": "CREATE TEMP TABLE t",
    "raised messages": "RAISE NOTICE '",
}


def _cpu(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


@pytest.mark.parametrize("prefix", ["SELECT 1; ", ""], ids=["sql", "text"])
@pytest.mark.parametrize("pattern", PATTERNS.values(), ids=PATTERNS.keys())
def test_a_megabyte_of_one_pattern_is_scanned_in_linear_time(pattern: str, prefix: str) -> None:
    text = prefix + pattern * (SIZE // len(pattern))
    quarter = prefix + pattern * (SIZE // 4 // len(pattern))
    spent_on_quarter = max(_cpu(lambda: schema_uses(Text.of(quarter), lambda use: True)), 0.01)
    spent = min(_cpu(lambda: schema_uses(Text.of(text), lambda use: True)) for _ in range(2))
    # Four times the text: about four times the time when linear, sixteen when quadratic (the
    # better of two runs, against a pause). The floor keeps timings of milliseconds out of the
    # ratio, where a quadratic scan takes tens of seconds; the ceiling catches a hang outright.
    assert spent < max(8 * spent_on_quarter, 0.5 * TRACED), (
        f"{spent:.2f} s of CPU to scan 1 MB of {pattern!r}, {spent_on_quarter:.2f} s for 256 KB: not linear"
    )
    assert spent < SCAN_BOUND, f"{spent:.1f} s of CPU to scan 1 MB of {pattern!r}"

    source = f"from airflow.sdk import DAG\nSQL = {text!r}\nCOMMAND = f'psql -c \"{{SQL}}\"'\n".encode()
    file = SourceFile(str(Path("dags/maria/big.py").resolve()), "dags/maria/big.py", "maria", source)
    settings = Settings(DEFAULTS, frozenset({"maria", "lasse"}), collect_facts=True)
    started = time.process_time()
    result = analyze_source(source, file, settings)
    spent = time.process_time() - started
    assert not [f for f in result.findings if f.code in ("ETQ001", "ETQ002")], result.findings
    assert spent < FILE_BOUND, f"{spent:.1f} s of CPU to analyse a file holding 1 MB of {pattern!r}"


def _sql_file(text: str) -> object:
    from airflow_etiquette.engine.read import sql_as_python

    return sql_as_python(text.encode())


def _percent(text: str) -> object:
    from airflow_etiquette.analysis.values import Seq, percent_format

    return percent_format(Text.of(text), Seq((), True), "x")


def _ignore_file(text: str) -> object:
    from airflow_etiquette.sources.airflowignore import AirflowIgnore

    return AirflowIgnore({"dags": text.encode()}, "regexp").ignored("dags/x.py")


def _gitlab_sections(text: str) -> object:
    from airflow_etiquette.people.ownership import _Sections

    return _Sections(text).of("dags/x.py")


def _fixed_id(text: str) -> object:
    from airflow_etiquette.rules.dag_id_prefix import _without_owner

    return _without_owner(text, "lasse", "")


def _editor_token(text: str) -> object:
    pytest.importorskip("pygls")  # (the lsp extra: the sdist's own test run has no editor)
    from airflow_etiquette.server.convert import _token_end

    return _token_end(text, 0)


def _screened(text: str) -> object:
    """The ETQ104 screen of a file that another change's many dag_ids share a word with (one id
    per 100 bytes): a search per id was ids x bytes."""
    from airflow_etiquette.rules.duplicate_dag_id import DuplicateDagId

    ids = frozenset(f"maria_t{number}x" for number in range(len(text) // 100))
    assert not DuplicateDagId.screen([((ids,), ())])("dags/ahmed/f.py", text.encode())
    return None


# Scans outside the SQL pass, each once quadratic or worse on its input (found by a hunt for them).
OTHER_SCANS: dict[str, tuple[Callable[[str], object], Callable[[int], str]]] = {
    "a .sql file's unclosed jinja comments": (_sql_file, lambda n: "{#" * (n // 2)),
    "a .sql file's statements, one per line": (_sql_file, lambda n: "a;\n" * (n // 3)),
    "a .sql file's statements, all on one line": (_sql_file, lambda n: "a;" * (n // 2)),
    "a % format's run of zeros": (_percent, lambda n: "%" + "0" * n + "!"),
    "a % format's unclosed keys": (_percent, lambda n: "%(" * (n // 2)),
    "a % format's keys closed once at the end": (_percent, lambda n: "%(" * (n // 2) + ")!"),
    "an .airflowignore's blanks before a pattern": (_ignore_file, lambda n: " " * n + "x\n"),
    "a CODEOWNERS of GitLab sections": (_gitlab_sections, lambda n: "".join(f"[s{i}] @t\n" for i in range(n // 10))),
    "an id's separators, for the ETQ101 fix": (_fixed_id, lambda n: "_" * n + "x"),
    "a string's escaped quotes, in the editor": (_editor_token, lambda n: '"' + '\\"' * (n // 2)),
    "a change's dag_ids looked for in another file": (_screened, lambda n: "maria t x " * (n // 10)),
}


@pytest.mark.parametrize("scan", OTHER_SCANS.values(), ids=OTHER_SCANS.keys())
def test_a_megabyte_for_the_other_scans_is_linear(scan: tuple[Callable[[str], object], Callable[[int], str]]) -> None:
    work, make = scan
    text, quarter = make(SIZE), make(SIZE // 4)
    spent_on_quarter = max(_cpu(lambda: work(quarter)), 0.01)
    spent = min(_cpu(lambda: work(text)) for _ in range(2))
    assert spent < max(8 * spent_on_quarter, 0.5 * TRACED), (
        f"{spent:.2f} s for 1 MB, {spent_on_quarter:.2f} s for 256 KB"
    )
    assert spent < SCAN_BOUND, f"{spent:.1f} s of CPU for 1 MB"


def test_holes_side_by_side_compare_in_linear_time() -> None:
    """A tag like f"{X}{X}...{X}Q" was a pattern of .* per hole: a 230-byte file hit the time limit."""
    from airflow_etiquette.analysis.values import Hole

    holes = Text.of(*[Hole("x")] * 200, "Q")
    assert _cpu(lambda: holes.could_equal("student:" + "l" * SIZE)) < SCAN_BOUND
    assert not holes.could_equal("student:lasse")
    assert holes.could_equal("student:lasseQ")
    assert Text.of("student:", Hole("x"), "_", Hole("y")).could_equal("student:lasse_x")
    assert not Text.of("ab", Hole("x"), "ab").could_equal("ab")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("%s-%s", ("A-B",)),
        ("%%s %s", ("%s A",)),
        ("%*d %s", ("{}", " C")),  # the * takes an argument first
        ("%.*f %s", ("{}", " C")),
        ("%ld_%s", ("{}", "_B")),  # a length modifier, which Python reads and ignores
        ("%.f|%s", ("{}", "|B")),
        ("%-5d|%05.1f|%s", ("{}", "|", "{}", "|C")),
        ("100%", None),  # Python raises: the value is unknown, not a text
        ("%(key", None),
    ],
)
def test_the_percent_scan_reads_what_python_reads(template: str, expected: tuple[str, ...] | None) -> None:
    from airflow_etiquette.analysis.values import Hole, Seq, percent_format

    value = percent_format(Text.of(template), Seq((Text.of("A"), Text.of("B"), Text.of("C")), True), "x")
    if expected is None:
        assert not isinstance(value, Text)
    else:
        assert isinstance(value, Text)
        assert tuple("{}" if isinstance(part, Hole) else part for part in value.parts) == expected


def test_the_screen_for_many_ids_lets_through_what_the_one_for_few_does() -> None:
    """Above a few ids the ETQ104 screen lists a file's words once instead of searching for each
    id: on random files and ids (words of any case, joined by any separator, split by a backslash
    line continuation, in the path, non-ASCII), both say yes to the same files."""
    import random

    from airflow_etiquette.rules.duplicate_dag_id import (
        _FEW_IDS,
        DuplicateDagId,
        _holds_the_words_of_one,
        _shares_the_words_of_one,
        _words,
    )

    rng = random.Random(12)
    vocabulary = ["taxi", "Taxi", "maria", "v2", "2024", "zoné", "ZONÉ", "lasse", "lassem", "daily", "ßtraße", "load"]
    vocabulary += ["weather", "report"]
    separators = ["_", "-", ".", " ", "", "\\\n", '"', "/"]
    said_yes = 0
    for _ in range(2000):
        ids = {"_".join(rng.sample(vocabulary, rng.randint(2, 4))) for _ in range(_FEW_IDS + rng.randint(8, 12))}
        wanted = sorted({_words(dag_id) for dag_id in ids} - {()})
        text = "".join(rng.choice(vocabulary) + rng.choice(separators) for _ in range(rng.randint(0, 6)))
        path = f"dags/{rng.choice(vocabulary)}/f.py"
        few = _holds_the_words_of_one(wanted, path, text.encode())
        screen = DuplicateDagId.screen([((frozenset(ids),), ())])  # (the many-ids branch: it is what it must pick)
        assert screen.func is _shares_the_words_of_one, len(wanted)  # type: ignore[attr-defined]
        assert screen(path, text.encode()) == few, (ids, path, text)
        said_yes += few
    assert 500 < said_yes < 1500  # (both answers, many times)
