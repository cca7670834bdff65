"""Files that must not crash, hang or stop the run: each gets a finding, every other file is still checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import make_repo, run_installed

MARIA_BAD = 'from airflow import DAG\n\ndag = DAG("taxi", tags=["student:maria"])\n'
BAD_FINDING = ("dags/maria/bad.py", 3, "ETQ101")


def check_json(root: Path, *args: str) -> list[dict[str, object]]:
    result = run_installed("check", "--format", "json", *args, cwd=root)
    assert result.exit_code == 1, result.err
    assert result.err == ""
    return result.findings


def by_path(findings: list[dict[str, object]]) -> dict[str, list[tuple[int, str, str]]]:
    out: dict[str, list[tuple[int, str, str]]] = {}
    for f in findings:
        out.setdefault(str(f["path"]), []).append((int(f["line"]), str(f["code"]), str(f["message"])))  # type: ignore[arg-type]
    return out


def test_invalid_syntax_binary_and_bad_encodings_are_parse_errors(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/syntax.py": b"import os\n\ndef broken(:\n    pass\n",
            "dags/lasse/binary.py": b"\x7fELF\x02\x01\x01\x00\x00\x00",
            "dags/lasse/not_utf8.py": b'x = 1\ny = "caf\xe9"\n',
            "dags/lasse/unknown_codec.py": b"# -*- coding: klingon -*-\nx = 1\n",
            "dags/maria/bad.py": MARIA_BAD,
        },
    )
    found = by_path(check_json(root))
    assert found["dags/lasse/syntax.py"][0][:2] == (4, "ETQ001")
    assert found["dags/lasse/binary.py"] == [
        (1, "ETQ001", "not valid Python: the file is binary (it contains NUL bytes)")
    ]
    assert found["dags/lasse/not_utf8.py"] == [
        (
            2,
            "ETQ001",
            "not valid Python: byte 0xe9 is not UTF-8 and the file declares no other encoding; save it as UTF-8",
        )
    ]
    assert found["dags/lasse/unknown_codec.py"][0][:2] == (1, "ETQ001")
    assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]


def test_empty_bom_and_declared_encodings_are_read_correctly(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/empty.py": b"",
            "dags/lasse/bom.py": b'\xef\xbb\xbfimport os\nSCHEMA = "airflow_lasse"\n',
            "dags/lasse/latin1.py": b'# -*- coding: latin-1 -*-\n# caf\xe9 \xe0 la carte\nSCHEMA = "airflow_lasse"  # d\xe9j\xe0\n',
            "dags/maria/bad.py": MARIA_BAD,
        },
    )
    found = by_path(check_json(root))
    assert "dags/lasse/empty.py" not in found
    assert [f[:2] for f in found["dags/lasse/bom.py"]] == [(2, "ETQ301")]
    assert [f[:2] for f in found["dags/lasse/latin1.py"]] == [(3, "ETQ301")]


def test_parser_crashes_and_hangs_cost_one_file_each(tmp_path: Path) -> None:
    """libcst segfaults on ~5,000 nested brackets and a long run of `not`, and is super-linear on long chains."""
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
            "dags/lasse/nots.py": "x = " + "not " * 20000 + "1\n",
            "dags/lasse/chain.py": "x = " + "+".join(["1"] * 10000) + "\n",
            "dags/lasse/fine.py": 'SCHEMA = "airflow_lasse"\n',
            "dags/maria/bad.py": MARIA_BAD,
        },
    )
    for jobs in ("1", "2"):
        found = by_path(check_json(root, "--timeout", "2", "--jobs", jobs))
        crash = "the parser crashed on this file (SIGSEGV)"
        assert found["dags/lasse/deep.py"][0][1] == "ETQ002" and crash in found["dags/lasse/deep.py"][0][2]
        assert found["dags/lasse/nots.py"][0][1] == "ETQ002"
        # libcst is super-linear on a 10,000-term chain; on a fast enough machine (or a faster libcst)
        # it finishes: either way the file costs no more than the timeout and the run goes on.
        assert found.get("dags/lasse/chain.py", []) in (
            [],
            [
                (
                    1,
                    "ETQ002",
                    "analysis did not finish within 2 s (the timeout setting); the file is probably too "
                    "large or too deeply nested for the parser",
                )
            ],
        )
        assert [f[:2] for f in found["dags/lasse/fine.py"]] == [(1, "ETQ301")]
        assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]


def test_a_20_mb_file_is_skipped_with_the_reason(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    (root / "dags/lasse").mkdir(parents=True)
    with open(root / "dags/lasse/generated.py", "w") as handle:
        handle.write("x = 1\n" * 3_500_000)
    found = by_path(check_json(root))
    assert found["dags/lasse/generated.py"] == [
        (1, "ETQ002", "skipped: the file is 20.0 MB, over the max-file-size-mb limit of 5 MB")
    ]
    assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loops_do_not_trap_the_walk(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD, "dags/lasse/ok.py": "x = 1\n"})
    os.symlink("loop_b.py", root / "dags/lasse/loop_a.py")
    os.symlink("loop_a.py", root / "dags/lasse/loop_b.py")
    os.symlink("..", root / "dags/lasse/up")  # a directory loop: never followed
    os.symlink("gone.py", root / "dags/maria/dangling.py")
    found = by_path(check_json(root))
    for name, other in (("loop_a.py", "loop_b.py"), ("loop_b.py", "loop_a.py")):
        assert found[f"dags/lasse/{name}"] == [
            (1, "ETQ002", "cannot read the file: a symlink loop"),
            (1, "ETQ202", f"dags/lasse/{name} is a symlink to {other}, which leads back to itself (a loop); remove it"),
        ]
    assert found["dags/maria/dangling.py"] == [
        (1, "ETQ002", "cannot read the file: a broken symlink (its target gone.py does not exist)")
    ]
    assert found["dags/lasse/up"] == [
        (
            1,
            "ETQ202",
            "dags/lasse/up is a symlink to .., outside dags/lasse/; copy what you need into dags/lasse/ instead",
        )
    ]
    assert set(found) == {
        "dags/lasse/loop_a.py",
        "dags/lasse/loop_b.py",
        "dags/lasse/up",
        "dags/maria/bad.py",
        "dags/maria/dangling.py",
    }


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    root = make_repo(tmp_path / "r", {"dags/lasse/secret.py": "x = 1\n", "dags/maria/bad.py": MARIA_BAD})
    (root / "dags/lasse/secret.py").chmod(0)
    found = by_path(check_json(root))
    assert found["dags/lasse/secret.py"] == [(1, "ETQ002", "cannot read the file: Permission denied")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_does_not_block_the_run(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    (root / "dags/lasse").mkdir()
    os.mkfifo(root / "dags/lasse/pipe.py")
    found = by_path(check_json(root))
    assert found["dags/lasse/pipe.py"] == [(1, "ETQ002", "cannot read the file: it is not a regular file")]
    assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]
