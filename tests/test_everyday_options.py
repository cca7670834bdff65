"""The everyday options users bring from ruff and flake8: --statistics, --output-format full and
concise, --quiet, --show-settings, --show-files, extend-select/extend-ignore, gitignore-style
excludes, ``# noqa: ETQ3`` prefixes and a baseline (which a change cannot widen for itself)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed
from test_cli import LASSE_GOOD, MARIA_BAD, MARIA_LINES, repo


def committed(root: Path) -> Path:
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


# -- --output-format ---------------------------------------------------------------------------


def test_full_shows_each_source_line_with_a_caret_under_the_column(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    result = run_cli("check", "--output-format", "full", "--select", "ETQ101,ETQ302", cwd=root)
    assert result.exit_code == 1
    assert result.out.splitlines() == [
        'dags/maria/taxi_pipeline.py:7:12: ETQ101 [*] dag_id "taxi_pipeline" must start with "maria_" '
        "(file is in dags/maria/)",
        "  |",
        '7 |     dag_id="taxi_pipeline",',
        "  |            ^ ETQ101",
        "  |",
        "  = help: `airflow-etiquette explain ETQ101`",
        "",
        "dags/maria/taxi_pipeline.py:13:22: ETQ302 INSERT into public.raw_trips writes outside your schema; "
        "write to airflow_maria instead",
        "   |",
        "13 |         bash_command=\"psql -c 'INSERT INTO public.raw_trips SELECT * FROM airflow_maria.staging'\",",
        "   |                      ^ ETQ302",
        "   |",
        "   = help: `airflow-etiquette explain ETQ302`",
        "",
        "Found 2 errors in 1 file (2 files checked).",
    ]


def test_concise_is_the_default_text_format(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    concise = run_cli("check", "--output-format", "concise", cwd=root)
    assert concise.out == run_cli("check", cwd=root).out == run_cli("check", "--format", "text", cwd=root).out
    assert concise.lines[:-1] == MARIA_LINES


def test_full_shows_the_staged_line_not_the_work_tree(tmp_path: Path, run_cli) -> None:
    root = committed(make_repo(tmp_path / "r", {"dags/lasse/taxi_pipeline.py": LASSE_GOOD}))
    dag = root / "dags/maria/taxi_pipeline.py"
    dag.parent.mkdir()
    dag.write_text(MARIA_BAD.replace("\n    ", "\n").lstrip("\n"))
    git(root, "add", "-A")
    dag.write_text(dag.read_text().replace('dag_id="taxi_pipeline"', 'dag_id="not_what_was_staged"'))
    result = run_cli("check", "--staged", "--output-format", "full", "--select", "ETQ101", cwd=root)
    assert '7 |     dag_id="taxi_pipeline",' in result.lines
    assert "not_what_was_staged" not in result.out


def test_full_never_shows_a_line_from_outside_the_root(tmp_path: Path, run_cli) -> None:
    secret = tmp_path / "secret.py"
    secret.write_text('with DAG(dag_id="sk-live-SECRET42"):\n    pass\n')
    root = repo(tmp_path)
    (root / "dags/maria/link.py").symlink_to(secret)
    result = run_cli("check", "--output-format", "full", cwd=root)
    assert "SECRET42" not in result.out + result.err
    assert "dags/maria/link.py:1:1: ETQ202" in result.out


# -- --statistics, --quiet ---------------------------------------------------------------------


def test_statistics_count_per_rule_most_frequent_first(tmp_path: Path, run_cli) -> None:
    second = MARIA_BAD.replace('dag_id="taxi_pipeline"', 'dag_id="weather"')
    root = repo(tmp_path, extra={"dags/maria/weather.py": second})
    result = run_cli("check", "--statistics", cwd=root)
    assert result.exit_code == 1
    assert result.lines == [
        "2\tETQ101\t[*] dag-id-prefix",
        "2\tETQ102\t[*] owner-tag",
        "2\tETQ301\t[*] hard-coded-schema",
        "2\tETQ302\tforeign-schema",
        "[*] --fix fixes these where it is safe (--diff shows what it would change).",
        "Found 6 errors and 2 warnings in 2 files (3 files checked).",
    ]
    as_json = run_cli("check", "--statistics", "--format", "json", cwd=root)
    assert json.loads(as_json.out)[0] == {"code": "ETQ101", "name": "dag-id-prefix", "count": 2, "fixable": True}
    assert as_json.exit_code == 1
    sarif = run_cli("check", "--statistics", "--format", "sarif", cwd=root)
    assert sarif.exit_code == 2
    assert sarif.err == "airflow-etiquette: error: --statistics is a table for people (text) or json, not sarif\n"


def test_quiet_prints_the_findings_and_nothing_else(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    result = run_cli("check", "-q", cwd=root)
    assert (result.exit_code, result.lines, result.err) == (1, MARIA_LINES, "")
    clean = run_cli("check", "--quiet", "--select", "ETQ5", cwd=root)
    assert (clean.exit_code, clean.out) == (0, "")


# -- selection ---------------------------------------------------------------------------------


def test_extend_select_widens_a_narrowed_select_and_extend_ignore_adds(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, config='select = ["ETQ101"]\nextend-select = ["ETQ3"]\n')
    codes = [f["code"] for f in run_cli("check", "--format", "json", cwd=root).findings]
    assert codes == ["ETQ101", "ETQ301", "ETQ302"]
    codes = [f["code"] for f in run_cli("check", "--format", "json", "--extend-ignore", "ETQ30", cwd=root).findings]
    assert codes == ["ETQ101"]
    # --select replaces the file's select and its extend-select; --extend-select widens it again.
    codes = [f["code"] for f in run_cli("check", "--format", "json", "--select", "ETQ102", cwd=root).findings]
    assert codes == ["ETQ102"]
    args = ("check", "--format", "json", "--select", "ETQ102", "--extend-select", "ETQ101")
    assert [f["code"] for f in run_cli(*args, cwd=root).findings] == ["ETQ102", "ETQ101"]


def test_extend_ignore_in_the_settings_file(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, config='ignore = ["ETQ102"]\nextend-ignore = ["ETQ3"]\n')
    assert [f["code"] for f in run_cli("check", "--format", "json", cwd=root).findings] == ["ETQ101"]


def test_extend_select_with_an_unknown_code_is_one_line(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    result = run_cli("check", "--extend-select", "ETQ999", cwd=root)
    assert (result.exit_code, result.err) == (
        2,
        "airflow-etiquette: error: --extend-select: unknown rule code 'ETQ999' (see `airflow-etiquette rules`)\n",
    )


@pytest.mark.parametrize(
    ("pattern", "excluded"),
    [
        ("dags/maria/", True),  # a folder, as in .gitignore (fnmatch matched nothing with it)
        ("dags/*/taxi_*.py", True),
        ("taxi_pipeline.py", True),  # a name without "/" matches at any depth
        ("dags/*/sub/", False),
        ("dags/mar/", False),
        ("./dags/maria/", True),  # "./" as people write it (git's wildmatch has no "./")
    ],
)
def test_exclude_reads_gitignore_patterns(tmp_path: Path, run_cli, pattern: str, excluded: bool) -> None:
    root = repo(tmp_path, config=f"exclude = [{json.dumps(pattern)}]\n")
    result = run_cli("check", "--format", "json", cwd=root)
    assert (result.findings == []) is excluded


def test_per_file_ignores_read_gitignore_patterns_too(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, config='per-file-ignores = { "dags/maria/" = ["ETQ1"] }\n')
    assert [f["code"] for f in run_cli("check", "--format", "json", cwd=root).findings] == ["ETQ301", "ETQ302"]


def test_noqa_takes_a_code_prefix(tmp_path: Path, run_cli) -> None:
    waived = MARIA_BAD.replace(
        "SELECT * FROM airflow_maria.staging'\",", "SELECT * FROM airflow_maria.staging'\",  # noqa: ETQ3"
    )
    root = repo(tmp_path, extra={"dags/maria/taxi_pipeline.py": waived}, config='allow-noqa = ["ETQ3"]\n')
    result = run_cli("check", cwd=root)
    assert [line.split(" ")[1] for line in result.lines[:-1]] == ["ETQ102", "ETQ101"]
    assert result.lines[-1] == "Found 2 errors in 1 file (2 files checked, 2 silenced by # noqa)."
    # ETQ1 is not ETQ3: a prefix names only the codes that start with it.
    other = waived.replace("# noqa: ETQ3", "# noqa: ETQ1")
    root = repo(tmp_path / "b", extra={"dags/maria/taxi_pipeline.py": other}, config='allow-noqa = ["ETQ3"]\n')
    assert "ETQ302" in run_cli("check", cwd=root).out


# -- --show-settings, --show-files -------------------------------------------------------------


def test_show_settings_says_where_each_value_comes_from(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, config='exclude = ["dags/legacy/"]\nmin-schedule-interval = "1h"\n')
    result = run_cli("check", "--show-settings", "--select", "ETQ1", cwd=root)
    assert result.exit_code == 0
    lines = {line.split(" = ")[0]: line for line in result.lines if " = " in line and not line.startswith("#")}
    value, origin = (part.strip() for part in lines["exclude"].split("  # "))
    assert (value, origin) == ('exclude = ["dags/legacy/"]', "pyproject.toml [tool.airflow-etiquette]")
    assert lines["min-schedule-interval"].startswith('min-schedule-interval = "3600s"')
    assert lines["select"].endswith("# --select/--extend-select")
    assert lines["dags-folder"].endswith("# default")
    assert result.lines[1] == "# read from: pyproject.toml [tool.airflow-etiquette], in the work tree"
    assert "# baseline is not set: every finding counts" in result.lines


def test_show_settings_for_a_change_shows_the_base_commits(tmp_path: Path, run_cli) -> None:
    root = committed(repo(tmp_path, config='exclude = ["dags/legacy/"]\n'))
    git(root, "checkout", "-qb", "maria/x")
    (root / "pyproject.toml").write_text('[tool.airflow-etiquette]\nexclude = ["dags/maria/"]\n')
    git(root, "commit", "-qam", "widen")
    result = run_cli("check", "--show-settings", "--base", "main", cwd=root)
    assert result.lines[1].startswith("# read from: pyproject.toml [tool.airflow-etiquette], in the base commit ")
    assert any(line.startswith('exclude = ["dags/legacy/"]') for line in result.lines)
    assert not any("dags/maria/" in line for line in result.lines)


# -- --baseline --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """A baseline is written only on someone's machine: these tests are one, even when CI runs them."""
    for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)


def test_a_baseline_is_written_once_then_only_new_findings_fail(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    wrote = run_cli("check", "--baseline", "known.json", cwd=root)
    assert (wrote.exit_code, wrote.out) == (0, "")
    assert wrote.err == (
        "airflow-etiquette: wrote the baseline known.json with 4 finding(s): from now on only new ones fail; "
        "commit it\n"
    )
    entries = json.loads((root / "known.json").read_text())["findings"]
    assert [e["code"] for e in entries] == ["ETQ101", "ETQ102", "ETQ301", "ETQ302"]
    assert "line" not in entries[0]  # a line moves when anyone edits above it

    again = run_cli("check", "--baseline", "known.json", cwd=root)
    assert (again.exit_code, again.out) == (0, "All good: no findings (2 files checked, 4 known from the baseline).\n")

    dag = root / "dags/maria/taxi_pipeline.py"
    dag.write_text("# a line above moves every finding down\n" + dag.read_text())
    assert run_cli("check", "--baseline", "known.json", cwd=root).exit_code == 0
    second = MARIA_BAD.replace('dag_id="taxi_pipeline"', 'dag_id="weather"')
    (root / "dags/maria/weather.py").write_text(second.replace("\n    ", "\n").lstrip("\n"))
    new = run_cli("check", "--baseline", "known.json", cwd=root)
    assert new.exit_code == 1
    assert [line.split(":")[0] for line in new.lines[:-1]] == ["dags/maria/weather.py"] * 4
    assert new.lines[-1] == "Found 3 errors and 1 warning in 1 file (3 files checked, 4 known from the baseline)."


def test_a_baseline_counts_each_finding(tmp_path: Path, run_cli) -> None:
    """Two identical findings in one file, one in the baseline: the second is new."""
    root = repo(tmp_path)
    (root / "known.json").write_text(
        json.dumps(
            {
                "airflow-etiquette-baseline": 1,
                "findings": [
                    {
                        "path": "dags/maria/taxi_pipeline.py",
                        "code": "ETQ101",
                        "message": 'dag_id "taxi_pipeline" must start with "maria_" (file is in dags/maria/)',
                    }
                ]
                * 1,
            }
        )
    )
    result = run_cli("check", "--baseline", "known.json", "--select", "ETQ101", cwd=root)
    assert result.exit_code == 0
    dag = root / "dags/maria/taxi_pipeline.py"
    dag.write_text(dag.read_text() + '\nwith DAG(dag_id="taxi_pipeline") as twin:\n    pass\n')
    result = run_cli("check", "--baseline", "known.json", "--select", "ETQ101", cwd=root)
    assert result.exit_code == 1 and len(result.lines) == 2


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("{not json", "known.json: not a baseline file (invalid JSON: "),
        ('{"findings": []}', 'known.json: not a baseline file of this tool (no "airflow-etiquette-baseline": 1)'),
        ('{"airflow-etiquette-baseline": 1, "findings": [{"path": 1}]}', "known.json: entry 1 must have the strings"),
    ],
)
def test_a_broken_baseline_is_one_line_and_exit_2(tmp_path: Path, run_cli, content: str, error: str) -> None:
    root = repo(tmp_path)
    (root / "known.json").write_text(content)
    result = run_cli("check", "--baseline", "known.json", cwd=root)
    assert result.exit_code == 2
    assert result.err.startswith(f"airflow-etiquette: error: {error}") and result.err.count("\n") == 1


def test_a_change_is_judged_by_its_base_baseline(tmp_path: Path, run_cli) -> None:
    """A pull request that adds its own findings to the baseline still has them reported."""
    root = make_repo(tmp_path / "r", {"dags/lasse/taxi_pipeline.py": LASSE_GOOD}, config='baseline = "known.json"\n')
    assert run_cli("check", cwd=root).exit_code == 0  # writes an empty baseline
    committed(root)
    git(root, "checkout", "-qb", "maria/taxi")
    dag = root / "dags/maria/taxi_pipeline.py"
    dag.parent.mkdir()
    dag.write_text(MARIA_BAD.replace("\n    ", "\n").lstrip("\n"))
    # The work tree's run would write nothing new: the file exists. The change adds its findings to it.
    run_cli("check", "--baseline", "all.json", cwd=root)
    (root / "known.json").write_text((root / "all.json").read_text())
    (root / "all.json").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "maria's pipeline, with its findings in the baseline")
    assert run_cli("check", cwd=root).exit_code == 0  # on the work tree, the baseline is the work tree's
    judged = run_cli("check", "--base", "main", "--author", "maria", cwd=root)
    assert judged.exit_code == 1
    codes = [line.split(" ")[1] for line in judged.lines[1:-1]]
    # ...and editing the shared baseline is itself a change outside maria's folder.
    assert codes == ["ETQ102", "ETQ101", "ETQ301", "ETQ302", "ETQ201"]
    assert judged.lines[-2].startswith("known.json:")


def test_a_change_needs_the_baseline_in_its_base(tmp_path: Path, run_cli) -> None:
    root = committed(repo(tmp_path))
    git(root, "checkout", "-qb", "maria/taxi")
    run_cli("check", "--baseline", "known.json", cwd=root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a baseline of my own")
    result = run_cli("check", "--base", "main", "--author", "maria", "--baseline", "known.json", cwd=root)
    assert result.exit_code == 2
    assert result.err.startswith(
        "airflow-etiquette: error: known.json: not in the base commit "
    ) and result.err.endswith("a change is judged by its base's baseline, so the file must be committed there first\n")


def test_show_files_lists_what_a_run_would_check_and_checks_nothing(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, extra={"dags/maria/notes.txt": "not checked", "dags/maria/load.sql": "SELECT 1;"})
    result = run_cli("check", "--show-files", cwd=root)
    assert (result.exit_code, result.lines) == (
        0,
        ["dags/lasse/taxi_pipeline.py", "dags/maria/load.sql", "dags/maria/taxi_pipeline.py"],
    )
    assert not (root / ".airflow-etiquette-cache").exists()  # nothing was analysed
    committed(root)
    (root / "dags/lasse/taxi_pipeline.py").write_text(LASSE_GOOD + "\n# staged\n")
    git(root, "add", "-A")
    staged = run_cli("check", "--show-files", "--staged", cwd=root)
    assert (staged.exit_code, staged.lines) == (0, ["dags/lasse/taxi_pipeline.py"])
    with_config = repo(tmp_path / "x", config='exclude = ["dags/maria/"]\n')
    assert run_cli("check", "--show-files", cwd=with_config).lines == ["dags/lasse/taxi_pipeline.py"]


def test_a_configuration_with_patterns_survives_the_trip_to_a_fork_server_worker() -> None:
    """Workers started by fork server (the language server's, a threaded host's) get the
    configuration by pickle: the compiled patterns must travel with it."""
    import pickle

    from airflow_etiquette.config import DEFAULTS, Config

    config = Config(root=Path("."), exclude=("dags/maria/",), per_file_ignores=(("dags/legacy/", ("ETQ1",)),))
    copy = pickle.loads(pickle.dumps(config))
    assert copy.is_excluded("dags/maria/x.py") and not copy.is_excluded("dags/lasse/x.py")
    assert not copy.rule_enabled("ETQ101", "dags/legacy/x.py") and copy.rule_enabled("ETQ301", "dags/legacy/x.py")
    assert not pickle.loads(pickle.dumps(DEFAULTS)).is_excluded("dags/maria/x.py")


# -- --stdin-filename --------------------------------------------------------------------------


def stdin_check(root: Path, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airflow_etiquette", "check", *args],
        cwd=root,
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_stdin_is_checked_as_the_named_file(tmp_path: Path) -> None:
    root = repo(tmp_path)
    buffer = MARIA_BAD.replace("\n    ", "\n").lstrip("\n").replace("public.raw_trips", "airflow_maria.raw_trips")
    result = stdin_check(root, buffer, "--stdin-filename", "dags/maria/taxi_pipeline.py")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [*MARIA_LINES[:3], "Found 2 errors and 1 warning in 1 file (1 file checked)."]
    # Under another name: judged as lasse's file, compared with maria's on disk (ETQ104); never the
    # ownership rules, since a buffer is no change.
    elsewhere = stdin_check(root, buffer, "--stdin-filename", "dags/lasse/taxi_pipeline.py", "--format", "json")
    found = json.loads(elsewhere.stdout)
    assert [f["code"] for f in found] == ["ETQ102", "ETQ104", "ETQ101", "ETQ302", "ETQ302"]
    assert found[1]["message"].startswith('dag_id "taxi_pipeline" is also defined in dags/maria/taxi_pipeline.py:6;')


@pytest.mark.slow
def test_stdin_with_fix_prints_the_fixed_text(tmp_path: Path) -> None:
    root = repo(tmp_path)
    buffer = (root / "dags/maria/taxi_pipeline.py").read_text()
    fixed = stdin_check(root, buffer, "--stdin-filename", "dags/maria/taxi_pipeline.py", "--fix", "--select", "ETQ1")
    assert 'dag_id="maria_taxi_pipeline"' in fixed.stdout and 'tags=["student:maria"]' in fixed.stdout
    assert (fixed.returncode, fixed.stderr) == (0, "")
    assert (root / "dags/maria/taxi_pipeline.py").read_text() == buffer  # nothing written
    broken = stdin_check(root, "x = (\n", "--stdin-filename", "dags/maria/new.py", "--fix")
    assert (broken.returncode, broken.stdout) == (1, "x = (\n")
    assert broken.stderr == "dags/maria/new.py:1:5: ETQ001 not valid Python: '(' was never closed\n"


@pytest.mark.slow
def test_stdin_outside_the_dags_folder_and_with_paths(tmp_path: Path) -> None:
    root = repo(tmp_path)
    outside = stdin_check(root, "x = 1\n", "--stdin-filename", "scripts/tool.py")
    assert (outside.returncode, outside.stdout) == (0, "All good: no findings (0 files checked).\n")
    assert outside.stderr.startswith("airflow-etiquette: scripts/tool.py is not a file the check reads")
    both = stdin_check(root, "x = 1\n", "--stdin-filename", "dags/maria/x.py", "dags/")
    assert both.returncode == 2 and "--stdin-filename checks standard input as one file" in both.stderr


def test_ci_reads_a_baseline_and_never_writes_one(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path)
    monkeypatch.setenv("CI", "true")
    result = run_cli("check", "--baseline", "known.json", cwd=root)
    assert result.exit_code == 2 and not (root / "known.json").exists()
    assert result.err == (
        "airflow-etiquette: error: known.json: no such baseline; CI reads one and never writes it: write it on "
        "your machine (`airflow-etiquette check --baseline known.json`) and commit it\n"
    )


def test_only_the_entries_a_run_looked_for_are_called_gone(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    run_cli("check", "--baseline", "known.json", cwd=root)
    assert json.loads((root / "known.json").read_text()).keys() == {"airflow-etiquette-baseline", "findings"}
    narrowed = run_cli("check", "--baseline", "known.json", "--select", "ETQ3", cwd=root)
    assert (narrowed.exit_code, narrowed.err) == (0, "")
    part = run_cli("check", "--baseline", "known.json", "dags/lasse", cwd=root)
    assert (part.exit_code, part.err) == (0, "")
    dag = root / "dags/maria/taxi_pipeline.py"
    dag.write_text(
        dag.read_text().replace('dag_id="taxi_pipeline",', 'dag_id="taxi_pipeline", tags=["student:maria"],')
    )
    fixed = run_cli("check", "--baseline", "known.json", cwd=root)
    assert fixed.exit_code == 0
    assert fixed.err == (
        "airflow-etiquette: 1 entry of the baseline known.json no longer matches a finding "
        "(dags/maria/taxi_pipeline.py ETQ102): remove it from the file, so that it cannot hide a new one\n"
    )


def test_full_keeps_the_caret_under_the_column_after_a_tab(tmp_path: Path, run_cli) -> None:
    tabbed = 'from airflow import DAG\n\nwith DAG(\n\tdag_id="taxi", tags=["student:maria"]\n):\n\tpass\n'
    root = make_repo(tmp_path / "r", {"dags/maria/tabbed.py": tabbed})
    result = run_cli("check", "--output-format", "full", cwd=root)
    assert result.lines[0].startswith("dags/maria/tabbed.py:4:9: ETQ101")
    assert result.lines[2:4] == ['4 |     dag_id="taxi", tags=["student:maria"]', "  |            ^ ETQ101"]


@pytest.mark.slow
def test_stdin_reads_the_baseline_and_takes_statistics_and_full(tmp_path: Path) -> None:
    root = repo(tmp_path)
    run_installed("check", "--baseline", "known.json", cwd=root, env={"CI": "", "GITHUB_ACTIONS": "", "GITLAB_CI": ""})
    buffer = (root / "dags/maria/taxi_pipeline.py").read_text()
    args = ("--stdin-filename", "dags/maria/taxi_pipeline.py")
    known = stdin_check(root, buffer, *args, "--baseline", "known.json")
    assert (known.returncode, known.stdout) == (
        0,
        "All good: no findings (1 file checked, 4 known from the baseline).\n",
    )
    missing = stdin_check(root, buffer, *args, "--baseline", "nowhere.json")  # an editor never writes one
    assert missing.returncode == 1 and not (root / "nowhere.json").exists()
    stats = stdin_check(root, buffer, *args, "--statistics", "--select", "ETQ1")
    assert stats.stdout.splitlines()[:2] == ["1\tETQ101\t[*] dag-id-prefix", "1\tETQ102\t[*] owner-tag"]
    full = stdin_check(root, buffer, *args, "--output-format", "full", "--select", "ETQ101")
    assert '7 |     dag_id="taxi_pipeline",' in full.stdout.splitlines()


def test_show_settings_is_toml_that_reads_back_as_the_same_settings(tmp_path: Path, run_cli) -> None:
    from airflow_etiquette.config import tomllib  # tomli on Python 3.10

    config = (
        'exclude = ["dags/legacy/"]\nper-file-ignores = { "dags/old/" = ["ETQ1"] }\n'
        'import-names = { yaml = "PyYAML" }\n[tool.airflow-etiquette.owners]\n'
        '"maria.s" = { github = "maria-gh", emails = ["m@school.example"] }\n'
    )
    root = repo(tmp_path, config=config)
    shown = run_cli("check", "--show-settings", cwd=root)
    table = tomllib.loads(shown.out)
    assert table["owners"] == {"maria.s": {"github": "maria-gh", "emails": ["m@school.example"]}}
    assert table["per-file-ignores"] == {"dags/old/": ["ETQ1"]} and table["import-names"] == {"yaml": "PyYAML"}
    (root / "pyproject.toml").write_text("[tool.airflow-etiquette]\n" + shown.out)
    assert run_cli("check", "--show-settings", cwd=root).exit_code == 0  # every key it prints is valid


def test_known_findings_are_counted_in_every_summary(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(tmp_path)
    run_cli("check", "--baseline", "known.json", cwd=root)
    step_summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    result = run_cli("check", "--baseline", "known.json", cwd=root)
    assert result.exit_code == 0
    assert result.lines[-1] == "All good: no findings (2 files checked, 4 known from the baseline)."
    assert "All good: no findings (2 files checked, 4 known from the baseline)." in step_summary.read_text()
    junit = run_cli("check", "--baseline", "known.json", "--format", "junit", cwd=root)
    assert "4 known from the baseline" in junit.out


def test_quiet_fix_says_nothing_but_the_findings_left(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path)
    fixed = run_cli("check", "--fix", "-q", "--select", "ETQ1", cwd=root)
    assert (fixed.exit_code, fixed.out, fixed.err) == (0, "", "")
    assert 'dag_id="maria_taxi_pipeline"' in (root / "dags/maria/taxi_pipeline.py").read_text()


def test_a_file_given_by_name_and_excluded_says_so(tmp_path: Path, run_cli) -> None:
    root = repo(tmp_path, config='exclude = ["dags/maria/"]\n')
    result = run_cli("check", "dags/maria/taxi_pipeline.py", cwd=root)
    assert (result.exit_code, result.out) == (0, "All good: no findings (0 files checked).\n")
    assert result.err == (
        "airflow-etiquette: 1 path(s) given are left out by the exclude setting in pyproject.toml: "
        "dags/maria/taxi_pipeline.py\n"
    )


def test_one_analysis_writes_every_report(tmp_path: Path, run_cli) -> None:
    outer = tmp_path / "outer"
    root = repo(outer, config="")  # the project (its configuration) sits in a subfolder of the work tree
    shutil.rmtree(root / ".git")
    git(outer, "init", "-q")
    args = ("--report-file", "gitlab=gl.json", "--report-file", f"junit={tmp_path / 'j.xml'}", "--select", "ETQ101")
    result = run_cli("check", *args, cwd=root)
    assert result.exit_code == 1 and result.lines[0].startswith("dags/maria/taxi_pipeline.py:7:12: ETQ101")
    quality = json.loads((root / "gl.json").read_text())
    assert [issue["location"]["path"] for issue in quality] == ["class-airflow/dags/maria/taxi_pipeline.py"]
    assert '<failure message="ETQ101' in (tmp_path / "j.xml").read_text()


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("gitlab", "'gitlab' is not FORMAT=FILE (like gitlab=gl-code-quality-report.json)"),
        ("xml=out.xml", "'xml' is not a format (one of concise, full, github, gitlab, json, junit, sarif, text)"),
    ],
)
def test_a_report_file_that_is_not_format_and_file_is_one_line(tmp_path: Path, run_cli, value: str, error: str) -> None:
    result = run_cli("check", "--report-file", value, cwd=repo(tmp_path))
    assert result.exit_code == 2 and error in result.err and result.err.count("\n") == 1
