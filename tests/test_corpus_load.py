"""The scheduler-load corpus (tests/corpus_load): a class repository whose students (and teacher)
load and break the shared scheduler in the ways issue 14 names, with the teacher's caps in its
pyproject.toml and a requirements.txt that includes another file. Every expected finding is
marked inline (`# expect: CODE`); everything unmarked, the class's correct patterns and the
harmless look-alikes (a task-level Variable.get, a clock call in a task, a catchup with an
end_date), must stay quiet.
"""

from __future__ import annotations

from conftest import ROOT, expected_findings, run_installed

CORPUS = ROOT / "tests" / "corpus_load"
LOAD_RULES = {
    "ETQ601",
    "ETQ602",
    "ETQ603",
    "ETQ604",
    "ETQ605",
    "ETQ606",
    "ETQ607",
    "ETQ402",
    "ETQ403",
    "ETQ404",
    "ETQ405",
}


def test_the_load_corpus_reports_exactly_the_marked_findings() -> None:
    expected = expected_findings(CORPUS)
    assert {code for _, _, code in expected} == LOAD_RULES  # every new rule is exercised
    result = run_installed("check", "--format", "json", "--no-cache", cwd=CORPUS)
    assert result.exit_code == 1, result.err
    actual = {(f["path"], f["line"], f["code"]) for f in result.findings}
    assert sorted(actual - expected) == [], "reported but not marked (false positives)"
    assert sorted(expected - actual) == [], "marked but not reported (misses)"


def test_the_load_corpus_files_without_marks_are_quiet_with_every_rule() -> None:
    clean = [p for p in CORPUS.rglob("*.py") if "expect" not in p.read_text()]
    assert len(clean) >= 6
    result = run_installed("check", "--format", "json", "--no-cache", *[str(p) for p in clean], cwd=CORPUS)
    assert (result.exit_code, result.findings) == (0, [])
