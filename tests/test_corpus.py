"""A corpus of realistic student and teacher DAGs (tests/corpus), each expected finding marked
inline with `# expect: CODE` (or `# expect-below: CODE` for the next line). Everything unmarked
must stay quiet: this is the precision test as much as the recall test.
"""

from __future__ import annotations

import re

from conftest import ROOT, run_installed

CORPUS = ROOT / "tests" / "corpus"
_MARK = re.compile(r"#\s*expect(?P<below>-below)?:\s*(?P<codes>ETQ\d+(?:\s*,\s*ETQ\d+)*)")


def expected_findings() -> set[tuple[str, int, str]]:
    expected = set()
    for path in sorted(CORPUS.rglob("*.py")):
        relpath = path.relative_to(CORPUS).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _MARK.search(line)
            if match:
                target = number + 1 if match.group("below") else number
                expected.update((relpath, target, code.strip()) for code in match.group("codes").split(","))
    return expected


def test_the_corpus_reports_exactly_the_marked_findings() -> None:
    expected = expected_findings()
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
