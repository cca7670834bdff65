"""Bad settings, bad arguments and awkward file names: one line on stderr and exit 2, or a
correct run, never a traceback, an internal error or a run that silently checks nothing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import git, make_repo, run_installed

BAD_PREFIX = 'from airflow import DAG\ndag = DAG("taxi", tags=["student:maria"])\n'
ETQ101 = ("dags/maria/taxi.py", "ETQ101")
ERROR = "airflow-etiquette: error: "


def class_repo(root: Path, config: str | None = None, extra: dict[str, str | bytes] | None = None) -> Path:
    return make_repo(root, {"dags/maria/taxi.py": BAD_PREFIX, **(extra or {})}, config=config)


def found(result: object) -> list[tuple[str, str]]:
    return [(f["path"], f["code"]) for f in result.findings]  # type: ignore[attr-defined]


def one_error_line(result: object, expected: str) -> None:
    assert result.exit_code == 2, result  # type: ignore[attr-defined]
    assert result.err == ERROR + expected + "\n", result.err  # type: ignore[attr-defined]


# -- 1. dags-folder ----------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["./dags", "dags/", "./dags/", "dags//"])
def test_every_spelling_of_the_dags_folder_checks_it(tmp_path: Path, run_cli, spelling: str) -> None:
    root = class_repo(tmp_path / "r", config=f'dags-folder = "{spelling}"\n')
    result = run_cli("check", "--format", "json", cwd=root)
    assert (result.exit_code, found(result), result.err) == (1, [ETQ101], "")


@pytest.mark.parametrize("folder", ["/srv/dags", "../dags", "dags/../other", "."])
def test_a_dags_folder_outside_the_root_is_a_config_error(tmp_path: Path, run_cli, folder: str) -> None:
    root = class_repo(tmp_path / "r", config=f'dags-folder = "{folder}"\n')
    one_error_line(
        run_cli("check", cwd=root),
        f"pyproject.toml: 'dags-folder' must be a folder below the "
        f"repository root, like \"dags\", got a string ('{folder}')",
    )


# -- 2. limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        ("max-file-size-mb = inf", "max-file-size-mb' must be a positive number, at most 1024, got a number (inf)"),
        ("max-file-size-mb = nan", "max-file-size-mb' must be a positive number, at most 1024, got a number (nan)"),
        (
            "max-file-size-mb = 1e300",
            "max-file-size-mb' must be a positive number, at most 1024, got a number (1e+300)",
        ),
        ("timeout = inf", "timeout' must be a positive number of seconds, at most 3600, got a number (inf)"),
        ("timeout = 1e9", "timeout' must be a positive number of seconds, at most 3600, got a number (1000000000.0)"),
    ],
)
def test_non_finite_or_absurd_limits_are_config_errors(tmp_path: Path, run_cli, setting: str, shown: str) -> None:
    root = class_repo(tmp_path / "r", config=setting + "\n")
    one_error_line(run_cli("check", cwd=root), f"pyproject.toml: '{shown}")


def test_timeout_option_must_be_a_finite_number_of_seconds(tmp_path: Path, run_cli) -> None:
    root = class_repo(tmp_path / "r")
    one_error_line(
        run_cli("check", "--timeout", "inf", cwd=root),
        "Invalid value for '--timeout': inf is not in the range 0<x<=3600.0.",
    )
    one_error_line(
        run_cli("check", "--timeout", "nan", cwd=root), "Invalid value for '--timeout': nan is not a number of seconds"
    )
    assert run_cli("check", "--timeout", "3600", cwd=root).exit_code == 1


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_base_is_one_line(tmp_path: Path, run_cli, value: str) -> None:
    """`--base "$BASE"` in a CI script whose variable was never set."""
    root = class_repo(tmp_path / "r")
    one_error_line(
        run_cli("check", f"--base={value}", cwd=root),
        "Invalid value for '--base': it is empty; name a branch, tag or commit (or auto)",
    )


# -- 3. encoding of the configuration --------------------------------------------------------


@pytest.mark.parametrize("name", ["pyproject.toml", ".airflow-etiquette.toml"])
def test_a_configuration_that_is_not_utf8_names_the_file(tmp_path: Path, run_cli, name: str) -> None:
    content = b'[tool.airflow-etiquette]\nadmins = ["caf\xe9"]\n'
    root = class_repo(tmp_path / "r", extra={name: content})
    one_error_line(run_cli("check", cwd=root), f"{root / name}: invalid TOML: not UTF-8 text (byte 0xe9 on line 2)")


@pytest.mark.parametrize("name", ["pyproject.toml", ".airflow-etiquette.toml"])
@pytest.mark.parametrize("kind", ["folder", "named pipe", "link to nothing"])
def test_a_configuration_that_is_no_file_is_said_not_passed_over(tmp_path: Path, run_cli, name: str, kind: str) -> None:
    """A folder, a pipe or a dangling link in the settings' place was skipped without a word, and
    the run judged by the defaults (a pipe is never opened: reading it would wait forever)."""
    root = class_repo(tmp_path / "r")
    if kind == "folder":
        (root / name).mkdir()
    elif kind == "named pipe":
        os.mkfifo(root / name)
    else:
        (root / name).symlink_to("nowhere.toml")
    one_error_line(
        run_cli("check", cwd=root),
        f"{root / name}: is not a file (a folder, a named pipe, or a link to nothing); not read: remove it, or make it "
        "the settings file",
    )


# -- 4. --config pyproject.toml ------------------------------------------------------------


def test_a_named_pyproject_without_our_table_means_the_defaults(tmp_path: Path, run_cli) -> None:
    root = class_repo(tmp_path / "r", extra={"pyproject.toml": '[project]\nname = "class-airflow"\n'})
    result = run_cli("check", "--format", "json", "--config", "pyproject.toml", cwd=root)
    assert (result.exit_code, found(result), result.err) == (1, [ETQ101], "")
    # Next to a dedicated file, the named pyproject is still the one that counts.
    (root / ".airflow-etiquette.toml").write_text('ignore = ["ETQ1"]\n')
    result = run_cli("check", "--format", "json", "--config", "pyproject.toml", cwd=root)
    assert (result.exit_code, found(result), result.err) == (1, [ETQ101], "")
    # Any other file keeps its meaning: top-level keys are settings.
    assert run_cli("check", "--config", ".airflow-etiquette.toml", cwd=root).exit_code == 0


# -- 5. writing output files ---------------------------------------------------------------


def test_outputs_with_a_non_utf8_file_name_are_valid_utf8(tmp_path: Path) -> None:
    root = class_repo(tmp_path / "r", extra={"dags/maria/caf\udce9.py": BAD_PREFIX.replace("taxi", "cafe")})
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_STEP_SUMMARY": str(summary)}
    result = run_installed(
        "check", "--format", "json", "--sarif-output", str(tmp_path / "out.sarif"), cwd=root, env=env
    )
    assert result.exit_code == 1, result.err
    sarif = json.loads((tmp_path / "out.sarif").read_bytes().decode("utf-8"))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == ["dags/maria/caf%E9.py", "dags/maria/taxi.py"]  # the name's bytes, as a URI holds them
    assert "dags/maria/caf\ufffd.py" in summary.read_bytes().decode("utf-8")
    for fmt, shown in (("text", "caf\\xe9.py"), ("html", "caf\ufffd.py")):
        report = tmp_path / f"report.{fmt}"
        audit = run_installed("audit", "--format", fmt, "--output", str(report), cwd=root)
        assert audit.exit_code == 1, audit.err
        assert shown in report.read_bytes().decode("utf-8")


def test_an_output_file_that_cannot_be_written_is_one_line(tmp_path: Path, run_cli) -> None:
    root = class_repo(tmp_path / "r")
    reason = "No such file or directory"
    one_error_line(
        run_cli("check", "--sarif-output", "missing/out.sarif", cwd=root), f"cannot write missing/out.sarif: {reason}"
    )
    one_error_line(
        run_cli("audit", "--output", "missing/report.txt", cwd=root), f"cannot write missing/report.txt: {reason}"
    )
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_STEP_SUMMARY": str(root / "missing/s.md")}
    result = run_installed("check", cwd=root, env=env)
    assert result.exit_code == 2 and result.err == f"{ERROR}cannot write {root / 'missing/s.md'}: {reason}\n"


# -- 6. the pytest plugin --------------------------------------------------------------------


def test_plugin_without_a_dags_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    result = pytester.runpytest("--etiquette", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines == [
        f"ERROR: airflow-etiquette: no dags folder at {pytester.path / 'dags'} (run it in the Airflow project's folder, give that folder as a path, or set dags-folder)",
        "",
    ]
    pytester.makepyprojecttoml('[tool.airflow-etiquette]\ndags-folder = "../dags"\n')
    result = pytester.runpytest("--etiquette", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.stderr.fnmatch_lines(["ERROR: airflow-etiquette: pyproject.toml: 'dags-folder' must be a folder below*"])


def test_plugin_fails_items_with_one_line_when_the_audit_cannot_run(pytester: pytest.Pytester) -> None:
    for name, content in {
        "dags/maria/taxi.py": BAD_PREFIX.replace('"taxi"', '"maria_taxi"'),
        ".github/CODEOWNERS": "/dags/maria/[ @maria-gh\n",
        "test_ok.py": "def test_ok():\n    pass\n",
    }.items():
        (pytester.path / name).parent.mkdir(parents=True, exist_ok=True)
        (pytester.path / name).write_text(content)
    result = pytester.runpytest("--etiquette", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    reason = (
        "airflow-etiquette could not check the repository: .github/CODEOWNERS: cannot parse: "
        "unterminated character class in pattern /dags/maria/["
    )
    lines = result.stdout.lines
    assert lines.count(reason) == 2
    assert not any("Traceback" in line or "raise " in line or line.startswith("E ") for line in lines)


# -- 7. audit --history / --since -------------------------------------------------------------


def history_repo(root: Path, subject: str) -> Path:
    repo = class_repo(root, config='[tool.airflow-etiquette.owners]\nmaria = { emails = ["maria@x.example"] }\n')
    (repo / "dags/lasse").mkdir()
    (repo / "dags/lasse/taxi.py").write_text(BAD_PREFIX.replace("maria", "lasse"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    (repo / "dags/lasse/taxi.py").write_text(BAD_PREFIX.replace("maria", "lasse") + "# maria was here\n")
    git(repo, "add", "-A")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "maria",
        "GIT_AUTHOR_EMAIL": "maria@x.example",
        "GIT_COMMITTER_NAME": "maria",
        "GIT_COMMITTER_EMAIL": "maria@x.example",
    }
    subprocess.run(["git", "commit", "-q", "-m", subject], cwd=repo, env=env, check=True)
    return repo


def test_history_reads_subjects_with_any_line_separator(tmp_path: Path) -> None:
    subject = "fix lasse\u2028typo \x1c and \x1d more"
    repo = history_repo(tmp_path / "r", subject)
    result = run_installed("audit", "--format", "json", "--history", "main~1..main", cwd=repo)
    assert result.exit_code == 1, result.err
    (violation,) = json.loads(result.out)["history"]["violations"]
    assert (violation["owner"], violation["subject"], [f["path"] for f in violation["findings"]]) == (
        "maria",
        subject,
        ["dags/lasse/taxi.py"],
    )


def test_a_history_range_that_looks_like_an_option_is_refused(tmp_path: Path, run_cli) -> None:
    repo = history_repo(tmp_path / "r", "fix lasse")
    stolen = tmp_path / "written-by-git.txt"
    one_error_line(
        run_cli("audit", f"--history=--output={stolen}", cwd=repo),
        f"Invalid value for '--history': '--output={stolen}' is not a revision range (like main~50..main)",
    )
    assert not stolen.exists()


@pytest.mark.parametrize(
    ("revision_range", "end"),
    [("nosuch..main", "nosuch"), ("main~50..main", "main~50"), ("main..nosuch", "nosuch"), ("nosuch", "nosuch")],
)
def test_an_unknown_revision_in_the_history_range_is_named(
    tmp_path: Path, run_cli, revision_range: str, end: str
) -> None:
    repo = history_repo(tmp_path / "r", "fix lasse")
    one_error_line(
        run_cli("audit", "--history", revision_range, cwd=repo),
        f"git log failed for --history {revision_range}: unknown revision {end!r} "
        "(no such branch, tag or commit, or older than the first commit)",
    )


def test_since_takes_an_iso_or_relative_date_only(tmp_path: Path, run_cli) -> None:
    repo = history_repo(tmp_path / "r", "fix lasse")
    for date in ("notadate", "2026-02-30", "yesterdayish"):
        one_error_line(
            run_cli("audit", "--since", date, cwd=repo),
            f"Invalid value for '--since': {date!r} is not a date: give YYYY-MM-DD or a relative "
            "date like '2 weeks ago'",
        )
    for date in ("2000-01-01", "2000-01-01T08:00", "10 years ago", "2.weeks.ago"):
        result = run_cli("audit", "--format", "json", "--since", date, cwd=repo)
        assert result.exit_code == 1 and len(json.loads(result.out)["history"]["violations"]) == 1, (date, result.err)


def test_a_plain_check_does_not_need_codeowners_to_parse(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            ".github/CODEOWNERS": "[Section\n/dags/ @x\n",
            "dags/lasse/a.py": 'from airflow import DAG\ndag = DAG("lasse_a", tags=["student:lasse"])\n',
        },
    )
    result = run_installed("check", "dags/lasse/a.py", cwd=root)
    assert (result.exit_code, result.lines) == (0, ["All good: no findings (1 file checked)."])
