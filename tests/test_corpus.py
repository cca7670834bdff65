"""A corpus of realistic student and teacher DAGs (tests/corpus), each expected finding marked
inline with `# expect: CODE` (or `# expect-below: CODE` for the next line). Everything unmarked
must stay quiet: this is the precision test as much as the recall test.
"""

from __future__ import annotations

from conftest import ROOT, expected_findings, run_installed

CORPUS = ROOT / "tests" / "corpus"


def test_the_corpus_reports_exactly_the_marked_findings() -> None:
    expected = expected_findings(CORPUS)
    assert len(expected) >= 30
    for jobs in ("1", "2"):  # in-process and in worker processes: the same answer
        result = run_installed("check", "--format", "json", "--jobs", jobs, cwd=CORPUS)
        assert result.exit_code == 1, result.err
        actual = {(f["path"], f["line"], f["code"]) for f in result.findings}
        assert sorted(actual - expected) == [], "reported but not marked (false positives)"
        assert sorted(expected - actual) == [], "marked but not reported (misses)"


def test_the_correct_class_patterns_in_the_corpus_are_quiet() -> None:
    clean = [p for p in CORPUS.rglob("*.py") if "expect" not in p.read_text()]
    assert len(clean) >= 25
    result = run_installed("check", "--format", "json", *[str(p) for p in clean], cwd=CORPUS)
    assert (result.exit_code, result.findings) == (0, [])
