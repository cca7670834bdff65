"""Files that must not crash, hang or stop the run: each gets a finding, every other file is still checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

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
    assert found["dags/lasse/syntax.py"] == [(3, "ETQ001", "not valid Python: invalid syntax")]
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


def test_sources_nested_past_every_parser_cost_one_file_each(tmp_path: Path) -> None:
    """Each of these once killed the whole run (a segfault in the reporting process) or hung it.
    Python's compiler refuses the first group, so the scheduler cannot import them (ETQ001); it
    accepts the last two, which are beyond libcst (ETQ002, the run goes on)."""
    deep = {
        "lambdas": "x = " + "lambda: " * 10_000 + "1\n",
        "conditionals": "x = " + "a if c else " * 10_000 + "b\n",
        "calls": "x = f" + "()" * 10_000 + "\n",
        "subscripts": "x = x" + "[0]" * 10_000 + "\n",
        "nots": "x = " + "not " * 20_000 + "1\n",
    }
    root = make_repo(
        tmp_path / "r",
        {
            **{f"dags/lasse/{name}.py": source for name, source in deep.items()},
            "dags/lasse/brackets.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
            "dags/lasse/conjunction.py": "x = " + " and ".join(["a"] * 100_000) + "\n",
            "dags/lasse/concatenation.py": "x = (" + " ".join(['"a"'] * 100_000) + ")\n",
            "dags/lasse/fine.py": 'SCHEMA = "airflow_lasse"\n',
            "dags/maria/bad.py": MARIA_BAD,
        },
    )
    for jobs in ("1", "2"):
        found = by_path(check_json(root, "--jobs", jobs))
        for name in deep:
            assert found[f"dags/lasse/{name}.py"] == [
                (
                    1,
                    "ETQ001",
                    "not valid Python: it is nested too deeply for Python to compile (the scheduler cannot "
                    "import it either)",
                )
            ], name
        assert found["dags/lasse/brackets.py"] == [(1, "ETQ001", "not valid Python: too many nested parentheses")]
        [(line, code, message)] = found["dags/lasse/conjunction.py"]
        assert (line, code) == (1, "ETQ002")
        assert message.startswith("the parser crashed on this file (SIG") or "did not finish within" in message
        [(line, code, message)] = found["dags/lasse/concatenation.py"]
        assert (line, code) == (1, "ETQ002")
        assert message.startswith("Python accepts the file but libcst cannot parse it"), message
        assert [f[:2] for f in found["dags/lasse/fine.py"]] == [(1, "ETQ301")]
        assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]


def test_what_only_the_compiler_refuses_is_a_parse_error_in_pythons_words(tmp_path: Path) -> None:
    """libcst parses all of these; Python's import, and so the scheduler, refuses them."""
    header = "from airflow.sdk import DAG, task\n\n"
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/repeated.py": header
            + 'with DAG(dag_id="lasse_daily", schedule="@daily", tags=["student:lasse"], schedule=None):\n    pass\n',
            "dags/lasse/returns.py": header + "return None\n",
            "dags/lasse/parameters.py": header + "@task\ndef load(rows, rows):\n    return rows\n",
            "dags/lasse/nonlocals.py": header + "nonlocal SCHEMA\n",
            "dags/lasse/awaits.py": header + "await load()\n",
            "dags/lasse/colon.py": header + "def load()\n    return 1\n",
            "dags/lasse/unterminated.py": header + 'SQL = "SELECT 1\n',
            "dags/lasse/indent.py": header + "x = 1\n    y = 2\n",
            "dags/lasse/printing.py": header + 'print "loaded"\n',
            "dags/maria/bad.py": MARIA_BAD,
        },
    )
    found = by_path(check_json(root))
    expected = {
        "repeated": (3, "keyword argument repeated: schedule"),
        "returns": (3, "'return' outside function"),
        "parameters": (4, "duplicate argument 'rows' in function definition"),
        "nonlocals": (3, "nonlocal declaration not allowed at module level"),
        "awaits": (3, "'await' outside function"),
        "colon": (3, "expected ':'"),
        "unterminated": (3, "unterminated string literal (detected at line 3)"),
        "indent": (4, "unexpected indent"),
        "printing": (3, "Missing parentheses in call to 'print'. Did you mean print(...)?"),
    }
    for name, (line, message) in expected.items():
        assert found[f"dags/lasse/{name}.py"] == [(line, "ETQ001", f"not valid Python: {message}")], name
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
    # an editor's buffer on standard input is read only one byte past the limit: its size is not known
    buffer = subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", "check", "--stdin-filename", "dags/lasse/generated.py"],
        cwd=root,
        input=b"x = 1\n" * 5_000_000,
        capture_output=True,
    )
    assert buffer.stdout.decode().splitlines()[0] == (
        "dags/lasse/generated.py:1:1: ETQ002 skipped: the file is over the max-file-size-mb limit of 5 MB"
    )


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


def test_an_unreadable_folder_and_what_is_in_it_are_reported_and_the_rest_checked(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any folder")
    root = make_repo(tmp_path / "r", {"dags/lasse/locked/hidden.py": "x = 1\n", "dags/maria/bad.py": MARIA_BAD})
    (root / "dags/lasse/locked").chmod(0)
    try:
        found = by_path(check_json(root))
        assert found["dags/lasse/locked"] == [
            (1, "ETQ002", "cannot read the folder: Permission denied; none of its files is checked")
        ]
        assert BAD_FINDING[2] in {code for _, code, _ in found["dags/maria/bad.py"]}
        given = by_path(check_json(root, "dags/lasse/locked/hidden.py", "dags/maria/bad.py"))
        assert given["dags/lasse/locked/hidden.py"] == [(1, "ETQ002", "cannot read the file: Permission denied")]
        assert "dags/maria/bad.py" in given
    finally:
        (root / "dags/lasse/locked").chmod(0o755)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_does_not_block_the_run(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    (root / "dags/lasse").mkdir()
    os.mkfifo(root / "dags/lasse/pipe.py")
    found = by_path(check_json(root))
    assert found["dags/lasse/pipe.py"] == [(1, "ETQ002", "cannot read the file: it is not a regular file")]
    assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]


def test_names_and_strings_cannot_break_or_recolour_the_text_report(tmp_path: Path) -> None:
    """A newline, an escape sequence or a right-to-left override in a file's name or in a dag_id,
    and a file name that is not UTF-8: each finding stays one line of the text report, with the
    characters escaped as Python writes them, and no escape sequence but the tool's own colours
    reaches the terminal (one could hide a finding, or the line of another)."""
    dag = 'from airflow import DAG\n\ndag = DAG("{}", tags=["student:maria"])\n'
    root = make_repo(
        tmp_path / "r",
        {
            "dags/maria/new\nline.py": dag.format("taxi1"),
            "dags/maria/esc\x1b[2K.py": dag.format("taxi2"),
            "dags/maria/rtl\u202eyp.py": dag.format("taxi3"),
            "dags/maria/strings.py": dag.format("taxi4\x1b[8m\\tx"),
            "dags/maria/zero_width.py": dag.format("\u200btaxi6"),  # an id that looks like the right one
        },
    )
    (root / os.fsdecode(b"dags/maria/latin\xff.py")).write_text(dag.format("taxi5"))
    expected = [
        'dags/maria/esc\\x1b[2K.py:3:11: ETQ101 dag_id "taxi2" must start with "maria_"',
        'dags/maria/latin\\xff.py:3:11: ETQ101 dag_id "taxi5" must start with "maria_"',
        'dags/maria/new\\nline.py:3:11: ETQ101 dag_id "taxi1" must start with "maria_"',
        'dags/maria/rtl\\u202eyp.py:3:11: ETQ101 dag_id "taxi3" must start with "maria_"',
        'dags/maria/strings.py:3:11: ETQ101 dag_id "taxi4\\x1b[8m\\tx" must start with "maria_"',
        'dags/maria/zero_width.py:3:11: ETQ101 dag_id "\\u200btaxi6" must start with "maria_"',
    ]

    plain = run_installed("check", "--no-cache", cwd=root)
    assert plain.exit_code == 1
    lines = plain.out.splitlines()
    assert [line.split(" (file is in")[0] for line in lines[:-1]] == expected
    assert lines[-1] == "Found 6 errors in 6 files (6 files checked)."

    colored = run_installed("check", "--no-cache", "--color", "always", cwd=root)
    assert colored.exit_code == 1
    own = ("\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[1m", "\x1b[2m", "\x1b[0m")
    uncolored = colored.out
    for sequence in own:
        uncolored = uncolored.replace(sequence, "")
    assert "\x1b" not in uncolored and "\u202e" not in uncolored
    assert uncolored == plain.out

    listed = run_installed("check", "--show-files", cwd=root)
    assert listed.out.splitlines() == [line.split(":3:11:")[0] for line in expected]

    full = run_installed("check", "--no-cache", "--output-format", "full", cwd=root)
    assert '3 | dag = DAG("taxi4\\x1b[8m\\tx", tags=["student:maria"])' in full.out.splitlines()
    assert "\x1b" not in full.out

    audit = run_installed("audit", "--no-cache", cwd=root)
    assert audit.exit_code == 1
    assert "\x1b" not in audit.out and "\u202e" not in audit.out
    shown = [line.strip().split(" (file is in")[0] for line in audit.out.splitlines() if ": ETQ101 " in line]
    assert shown == expected


def test_a_lone_surrogate_escape_in_a_string_is_kept_as_written_in_every_format(tmp_path: Path) -> None:
    """``"\\ud800"`` is a string Python accepts and no report can encode: every format still
    reports the file, showing the escape as the file writes it."""
    root = make_repo(tmp_path / "r", {"dags/maria/s.py": MARIA_BAD.replace('"taxi"', '"taxi\\ud800"')})
    assert '"taxi\\ud800"' in (root / "dags/maria/s.py").read_text()
    for args in (("check", "--format", "sarif"), ("check", "--format", "json"), ("audit", "--format", "json")):
        result = run_installed(*args, "--no-cache", cwd=root)
        assert result.exit_code == 1, (args, result.err)
        assert "taxi\\\\ud800" in result.out  # JSON's escape of the backslash the file has
    text = run_installed("check", "--no-cache", cwd=root)
    assert 'ETQ101 dag_id "taxi\\ud800" must start with "maria_"' in text.out


def test_a_file_name_that_is_not_utf8_keeps_every_report_valid_and_its_baseline_entry(tmp_path: Path) -> None:
    """SARIF's uri is a URI (the name's bytes percent-encoded, as code scanning decodes them), the
    JSON documents escape the byte so that they stay UTF-8 and read back as the same path, and a
    baseline written with such a file knows its finding the next time."""
    name = os.fsdecode(b"dags/maria/caf\xe9 #1.py")  # Latin-1, a space and a #
    root = make_repo(tmp_path / "r", {})
    (root / "dags/maria").mkdir(parents=True)
    (root / name).write_text(MARIA_BAD)

    sarif = subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", "check", "--format", "sarif"], cwd=root, capture_output=True
    )
    assert sarif.returncode == 1, sarif.stderr
    [result] = json.loads(sarif.stdout.decode("utf-8"))["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dags/maria/caf%E9%20%231.py"
    assert (root / os.fsdecode(urllib.parse.unquote_to_bytes(uri))).is_file()

    audit = subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", "audit", "--format", "json"], cwd=root, capture_output=True
    )
    assert audit.returncode == 1, audit.stderr
    paths = {f["path"] for owner in json.loads(audit.stdout.decode("utf-8"))["owners"] for f in owner["findings"]}
    assert paths == {name}

    on_a_laptop = {"CI": "", "GITHUB_ACTIONS": "", "GITLAB_CI": ""}  # (CI reads a baseline, never writes one)
    assert run_installed("check", "--baseline", "known.json", cwd=root, env=on_a_laptop).exit_code == 0  # written
    again = run_installed("check", "--baseline", "known.json", cwd=root, env=on_a_laptop)
    assert (again.exit_code, again.out) == (0, "All good: no findings (1 file checked, 1 known from the baseline).\n")


def test_a_change_that_adds_a_file_name_that_is_not_utf8_is_checked(tmp_path: Path) -> None:
    """The pre-commit hook and the pull-request check look for the owner's other files that import
    a changed module by its name's bytes: a name git stores as Latin-1 is one of them too."""
    root = make_repo(tmp_path / "r", {"dags/maria/taxi.py": "from airflow.sdk import DAG\n"})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    git(root, "checkout", "-q", "-b", "maria/latin")
    (root / os.fsdecode(b"dags/maria/caf\xe9.py")).write_text(MARIA_BAD)
    git(root, "add", "-A")
    staged = run_installed("check", "--staged", "--format", "json", cwd=root)
    assert staged.exit_code == 1, staged.err
    assert {(f["path"], f["code"]) for f in staged.findings} == {(os.fsdecode(b"dags/maria/caf\xe9.py"), "ETQ101")}
    git(root, "commit", "-qm", "latin")
    branch = run_installed("check", "--base", "main", "--format", "json", cwd=root)
    assert (branch.exit_code, branch.findings) == (staged.exit_code, staged.findings), branch.err


def test_a_symlink_given_as_a_path_is_judged_in_the_repository_that_holds_it(tmp_path: Path) -> None:
    """The root is found from where the link is, not from where it leads: the file outside is never
    read, shown or rewritten, and the other paths given are still checked."""
    outside = make_repo(tmp_path / "elsewhere", {"dags/lasse/secret.py": 'DAG(dag_id="sk_live_SECRET42")\n'})
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    (root / "dags/lasse").mkdir()
    os.symlink(outside / "dags/lasse/secret.py", root / "dags/lasse/link.py")
    link = f"dags/lasse/link.py is a symlink to {outside / 'dags/lasse/secret.py'}, outside dags/lasse/"
    for args in (("dags/lasse/link.py", "dags/maria/bad.py"), ("--fix", "--unsafe-fixes", "dags/lasse/link.py")):
        result = run_installed("check", "--no-cache", "--format", "full", *args, cwd=root)
        assert result.exit_code == 1, result.err
        assert "SECRET42" not in result.out + result.err
        assert f"dags/lasse/link.py:1:1: ETQ202 {link}" in result.out
        assert ("dags/maria/bad.py:3:11: ETQ101 [*]" in result.out) == ("dags/maria/bad.py" in args)
    assert (outside / "dags/lasse/secret.py").read_text() == 'DAG(dag_id="sk_live_SECRET42")\n'
    assert sorted(p.name for p in outside.iterdir()) == [".git", "dags"]  # no cache made there


def test_a_repository_reached_through_a_symlink_is_checked_as_itself(tmp_path: Path) -> None:
    """~/class -> /srv/class: the link leads to the repository, and every form of path works."""
    root = make_repo(tmp_path / "real", {"dags/maria/bad.py": MARIA_BAD})
    os.symlink(root, tmp_path / "link")
    for given in ("link", "link/", "link/dags/maria", "link/dags/maria/bad.py"):
        result = run_installed("check", "--no-cache", "--format", "json", str(tmp_path / given), cwd=tmp_path)
        assert result.exit_code == 1, (given, result.err)
        assert [(f["path"], f["code"]) for f in result.findings] == [("dags/maria/bad.py", "ETQ101")], given
    audit = run_installed("audit", str(tmp_path / "link"), cwd=tmp_path)
    assert audit.exit_code == 1 and "dags/maria/bad.py" in audit.out, audit.err


def test_paths_that_no_check_of_this_repository_covers_are_named(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    other = make_repo(tmp_path / "other", {"dags/lasse/x.py": MARIA_BAD})
    result = run_installed("check", "dags/maria/bad.py", str(other / "dags/lasse/x.py"), cwd=root)
    assert result.exit_code == 1
    assert result.err == (
        f"airflow-etiquette: 1 path(s) given are outside the repository at {root.resolve()}, which is the one "
        f"checked; run a check in each repository: {other / 'dags/lasse/x.py'}\n"
    )
    plain = tmp_path / "plain"
    plain.mkdir()
    nothing = run_installed("check", str(plain), cwd=tmp_path)  # a folder with no dags folder at all
    assert (nothing.exit_code, nothing.out) == (0, "All good: no findings (0 files checked).\n")
    assert nothing.err.startswith("airflow-etiquette: nothing to check: 1 path(s) given, none inside dags/")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_beside_an_airflowignore_does_not_block_the_run(tmp_path: Path) -> None:
    """With an .airflowignore, the files are looked through for airflow.sdk (which syntax it is
    in): a blocking open() of a pipe waited forever, and so did a pipe named .airflowignore."""
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD, "dags/.airflowignore": "scratch\n"})
    (root / "dags/lasse").mkdir()
    os.mkfifo(root / "dags/lasse/pipe.py")
    os.mkfifo(root / "dags/maria/.airflowignore")
    found = by_path(check_json(root))
    assert found["dags/lasse/pipe.py"] == [(1, "ETQ002", "cannot read the file: it is not a regular file")]
    assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]


SLOW_NAME = "dags/maria/" + "a" * 40 + "_.py"  # (a+)+$ tries every split of the a's before it fails


def test_an_airflowignore_pattern_that_backtracks_is_given_up_and_reported(tmp_path: Path) -> None:
    """`(a+)+$` against a long name ran for hours in the reporting process (the scheduler stalls on
    it too): its file is given up, said as ETQ002 at it, and the files are checked as DAG files."""
    root = make_repo(
        tmp_path / "r",
        {
            "dags/maria/.airflowignore": "# generated\n(a+)+$\n",
            SLOW_NAME: MARIA_BAD,
            "dags/maria/bad.py": MARIA_BAD,
        },
    )
    for command in (("check", "--format", "json", "--no-cache"), ("audit", "--format", "json", "--no-cache")):
        result = run_installed(*command, cwd=root)
        assert result.exit_code == 1, result.err
        text = result.out
        assert "dags/maria/.airflowignore" in text and "line 2, '(a+)+$', takes over 0.5 s to match" in text
    found = by_path(check_json(root, "--no-cache"))
    assert found["dags/maria/.airflowignore"][0][:2] == (1, "ETQ002")
    assert [code for _, code, _ in found[SLOW_NAME]] == ["ETQ104", "ETQ101"]  # (checked, as a DAG file)
    assert [code for _, code, _ in found["dags/maria/bad.py"]] == ["ETQ104", "ETQ101"]


def test_an_airflowignore_pattern_that_backtracks_in_the_base_is_a_note_on_a_change(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"dags/maria/.airflowignore": "(a+)+$\n", SLOW_NAME: MARIA_BAD})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / SLOW_NAME).write_text(MARIA_BAD + "# edited\n")
    git(root, "add", "-A")
    result = run_installed("check", "--staged", "--author", "maria", "--no-cache", cwd=root)
    assert result.exit_code == 1
    assert "dags/maria/.airflowignore (as " in result.err and "its patterns are not applied: line 1" in result.err
    assert f"{SLOW_NAME}:3:11: ETQ101" in result.out


def test_an_airflowignore_given_up_on_a_buffer_s_path_is_said_on_stdin(tmp_path: Path) -> None:
    """An editor's ``--stdin-filename`` check gave the file up without a word: the buffer was then
    checked as a DAG file and nobody was told why the .airflowignore did not apply."""
    root = make_repo(tmp_path / "r", {"dags/maria/.airflowignore": "(a+)+$\n", "dags/maria/ok.py": "x = 1\n"})
    proc = subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", "check", "--stdin-filename", SLOW_NAME],
        cwd=root,
        input=MARIA_BAD,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"{SLOW_NAME}:3:11: ETQ101" in proc.stdout
    assert proc.stderr.startswith(
        "airflow-etiquette: dags/maria/.airflowignore: its patterns are not applied: line 1, '(a+)+$', takes over"
    )


BACKTRACKING_WILDCARDS = "*a*a*a*a*a*a*a*b"  # pathspec: [^/]*a[^/]*a...: hours on a name of 200 a's


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        (f'exclude = ["dags/scratch/", "{BACKTRACKING_WILDCARDS}"]', "exclude"),
        (f'per-file-ignores = {{"{BACKTRACKING_WILDCARDS}" = ["ETQ102"]}}', "per-file-ignores"),
    ],
)
def test_an_exclude_or_per_file_ignores_pattern_that_backtracks_is_a_configuration_error(
    tmp_path: Path, setting: str, key: str
) -> None:
    """The configuration's wildcards are matched in the reporting process too: one that backtracks
    on a long name hung every run (and CI, from the base's configuration) with no output."""
    long_name = "dags/maria/" + "a" * 200 + ".py"
    root = make_repo(tmp_path / "r", {long_name: MARIA_BAD}, config=setting + "\n")
    result = run_installed("check", "--no-cache", cwd=root)
    assert result.exit_code == 2, (result.out, result.err)
    assert result.err.startswith(
        f"airflow-etiquette: error: pyproject.toml: '{key}': '{BACKTRACKING_WILDCARDS}' takes over 0.5 s to match "
        f"'{long_name}' (its wildcards backtrack)"
    )
    assert len(result.err.splitlines()) == 1


def test_a_codeowners_pattern_that_backtracks_is_a_configuration_error(tmp_path: Path) -> None:
    """Eleven `**/` took 15 s per path 25 folders deep, 14 took 7 minutes: a change touching such a
    path hung CI. The policy is broken, so the run stops with one line naming the pattern."""
    deep = "dags/lasse/" + "aa/" * 25 + "t.py"
    root = make_repo(
        tmp_path / "r",
        {
            ".github/CODEOWNERS": "/dags/maria/ @maria-gh\n/dags/" + "**/" * 11 + "generated.py @teacher\n",
            "dags/lasse/ok.py": "x = 1\n",
        },
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / deep).parent.mkdir(parents=True)
    (root / deep).write_text("x = 1\n")
    git(root, "add", "-A")
    result = run_installed("check", "--staged", "--author", "maria-gh", "--no-cache", cwd=root)
    assert result.exit_code == 2, (result.out, result.err)
    assert result.err.startswith("airflow-etiquette: error: .github/CODEOWNERS: line 2, '/dags/**/")
    assert f"takes over 0.5 s to match {deep}" in result.err and len(result.err.splitlines()) == 1


def _bundle_repo(tmp_path: Path, members: dict[str, str], limit_mb: int) -> Path:
    """A class repository whose dags/lasse/bundle.zip holds ``members`` (deflated: megabytes of one
    character are a few kilobytes), beside maria's file with a finding, at a max-file-size-mb."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    files = {"dags/lasse/bundle.zip": buffer.getvalue(), "dags/maria/bad.py": MARIA_BAD}
    return make_repo(tmp_path / "r", files, config=f"max-file-size-mb = {limit_mb}\n")


def test_a_zip_bundle_s_members_count_as_the_files_checked(tmp_path: Path) -> None:
    """The summary said "3,025 errors in 3,014 files (12 files checked)": the findings name a
    bundle's members, so the count of files checked counts them too."""
    members = {f"m{number}.py": "x = 1\n" for number in range(3)}
    root = _bundle_repo(tmp_path, {**members, "bad.py": MARIA_BAD.replace("maria", "lasse")}, limit_mb=5)
    result = run_installed("check", "--no-cache", cwd=root)
    assert result.exit_code == 1, result.err
    assert result.out.splitlines()[-1] == "Found 4 errors in 2 files (5 files checked)."
    # A bundle with no Python in it is still one file checked, as --show-files lists it.
    (root / "dags/lasse/bundle.zip").unlink()
    _bundle_repo(tmp_path, {"README.txt": "data\n"}, limit_mb=5)
    result = run_installed("check", "--no-cache", cwd=root)
    assert result.out.splitlines()[-1] == "Found 1 error in 1 file (2 files checked).", result.out


def test_a_zip_bundle_that_expands_past_the_file_limit_is_one_finding(tmp_path: Path) -> None:
    """A 4.7 MB zip of 9,000 members of 5 MB each expanded in memory all at once (45 GB): the run
    died with every file's findings. A bundle's Python counts as one file's."""
    members = {f"dag_{number}.py": "x = 1\n" + "#" * (1024 * 1024) for number in range(8)}
    root = _bundle_repo(tmp_path, members, limit_mb=5)
    found = by_path(check_json(root, "--no-cache"))
    assert found["dags/lasse/bundle.zip"] == [
        (
            1,
            "ETQ002",
            "its Python files expand to 8.0 MB, over the max-file-size-mb limit of 5 MB for one file",
        )
    ]
    assert found["dags/maria/bad.py"][0][:2] == BAD_FINDING[1:]


def test_a_zip_bundle_with_one_oversized_member_reads_none_of_the_others(tmp_path: Path) -> None:
    """One member over the limit skipped the total, and every other member (each just within the
    limit) was still expanded in memory: 60 of them were 300 MB."""
    members = {"big.py": "#" * (1024 * 1024 + 1)}
    members.update({f"dag_{number}.py": 'DAG("taxi")\n' + "#" * (1024 * 1000) for number in range(6)})
    root = _bundle_repo(tmp_path, members, limit_mb=1)
    found = by_path(check_json(root, "--no-cache"))
    assert found["dags/lasse/bundle.zip"] == [
        (1, "ETQ002", "the member big.py is 1.0 MB, over the max-file-size-mb limit of 1 MB")
    ]
    assert not [path for path in found if path.startswith("dags/lasse/bundle.zip/")]


def test_a_file_named_through_a_folder_linked_outside_is_reported_not_passed(tmp_path: Path) -> None:
    """`check dags/ahmed/ext.py` with `dags/ahmed -> /elsewhere` said "All good (1 file checked)":
    nothing of it was read, and nothing said so. ETQ202 names the link, as the whole-folder run does."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "ext.py").write_text(MARIA_BAD)
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD})
    (root / "dags/ahmed").symlink_to(outside)
    findings = check_json(root, "dags/ahmed/ext.py")
    assert [(f["path"], f["code"]) for f in findings] == [("dags/ahmed", "ETQ202")]
    assert "taxi" not in json.dumps(findings)


def test_a_file_name_cannot_inject_lines_into_a_fixs_diff(tmp_path: Path) -> None:
    """`--diff` wrote the path raw into its ---/+++ headers: a newline in a name split the header
    and its second half read as a line of the patch, an escape sequence reached the terminal."""
    name = "dags/maria/new\n+++ b/dags/lasse/x.py\x1b[2K.py"
    root = make_repo(tmp_path / "r", {name: 'from airflow import DAG\n\ndag = DAG("taxi", tags=["student:maria"])\n'})
    result = run_installed("check", "--diff", "--unsafe-fixes", "--no-cache", cwd=root)
    assert result.exit_code == 1, result.err
    headers = [line for line in result.out.splitlines() if line.startswith(("---", "+++"))]
    assert headers == [
        "--- a/dags/maria/new\\n+++ b/dags/lasse/x.py\\x1b[2K.py",
        "+++ b/dags/maria/new\\n+++ b/dags/lasse/x.py\\x1b[2K.py",
    ]
    assert "\x1b" not in result.out


@pytest.mark.parametrize("settings", [".github/CODEOWNERS", "pyproject.toml"])
def test_a_settings_file_linked_outside_the_repository_is_not_read(tmp_path: Path, settings: str) -> None:
    """A CODEOWNERS linked to a token file came back in audit's parse error ("unterminated
    character class in pattern API_TOKEN=[s3cr3t"), a pyproject.toml in --show-settings."""
    secret = tmp_path / "secrets.env"
    secret.write_text('API_TOKEN=[s3cr3t-value\n[tool.airflow-etiquette]\nshared-connections = ["hunter2"]\n')
    root = make_repo(tmp_path / "r", {"dags/maria/bad.py": MARIA_BAD, ".github/keep": ""})
    (root / settings).symlink_to(secret)
    # (a plain check reads CODEOWNERS only where a rule asks it who owns what: here nothing does)
    refusing = [("audit", "--no-cache")] + ([("check", "--show-settings")] if settings == "pyproject.toml" else [])
    for command in [*refusing, ("check", "--no-cache")]:
        result = run_installed(*command, cwd=root)
        assert "s3cr3t" not in result.out + result.err and "hunter2" not in result.out + result.err
        if command in refusing:
            assert result.exit_code == 2, (command, result.out, result.err)
            assert result.err.count("\n") == 1 and f"{settings}: leads out of the repository" in result.err
