"""--format junit: what a CI test report (GitLab's, Jenkins') reads, checked by parsing it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import make_repo, run_installed

from airflow_etiquette.findings import Finding, Severity
from airflow_etiquette.output import FORMATS, CheckReport


def finding(path: str, line: int, code: str, severity: Severity, message: str) -> Finding:
    return Finding(path, line, 5, code, "some-rule", severity, message)


def parse(text: str) -> ET.Element:
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(text.encode("utf-8"))


def test_an_error_fails_its_case_and_a_warning_passes_with_its_text() -> None:
    report = CheckReport(
        [
            finding("dags/maria/taxi.py", 3, "ETQ101", Severity.ERROR, 'dag_id "taxi" must start with "maria_"'),
            finding("dags/maria/taxi.py", 9, "ETQ301", Severity.WARNING, 'hard-coded schema "airflow_maria"'),
        ],
        files_checked=4,
        headline="Checked changes since main by maria.",
        path_prefix="airflow/",
    )
    root = parse(FORMATS["junit"](report))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
        "airflow-etiquette",
        "2",
        "1",
        "0",
    )
    error, warning = suite.findall("testcase")
    assert error.get("name") == "ETQ101 airflow/dags/maria/taxi.py:3:5"
    assert (error.get("file"), error.get("line")) == ("airflow/dags/maria/taxi.py", "3")
    failure = error.find("failure")
    assert failure is not None and failure.get("type") == "ETQ101"
    assert failure.get("message") == 'ETQ101 dag_id "taxi" must start with "maria_"'
    assert warning.find("failure") is None and warning.find("error") is None
    assert warning.findtext("system-out") == (
        'warning: airflow/dags/maria/taxi.py:9:5: ETQ301 (some-rule) hard-coded schema "airflow_maria"'
    )
    assert suite.findtext("system-out") == (
        "Checked changes since main by maria.\nFound 1 error and 1 warning in 1 file (4 files checked)."
    )


def test_a_clean_run_is_one_passing_case() -> None:
    suite = parse(FORMATS["junit"](CheckReport([], files_checked=2))).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("1", "0")
    (case,) = suite.findall("testcase")
    assert case.find("failure") is None
    assert case.findtext("system-out") == "All good: no findings (2 files checked)."


@pytest.mark.parametrize("weird", ["\x00", "\x1b[31m", "\x08", "\ufffe", "\udcff", "<&>\"'"])
def test_any_character_in_a_path_or_message_makes_valid_xml(weird: str) -> None:
    report = CheckReport(
        [finding(f"dags/maria/a{weird}.py", 1, "ETQ302", Severity.ERROR, f"uses {weird}schema")], files_checked=1
    )
    case = parse(FORMATS["junit"](report)).find("testsuite/testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    shown = weird if weird == "<&>\"'" else weird.encode("unicode_escape").decode("ascii")
    assert case.get("file") == f"dags/maria/a{shown}.py"
    assert failure.get("message") == f"ETQ302 uses {shown}schema"


@pytest.mark.slow
def test_the_command_writes_a_report_for_a_file_named_with_a_control_byte(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "class",
        {
            "dags/maria/taxi.py": 'from airflow import DAG\ndag = DAG("taxi", tags=["student:maria"])\n',
            "dags/maria/we\x01ird.py": 'SCHEMA = "airflow_maria"\n',
        },
    )
    result = run_installed("check", "--format", "junit", "--no-cache", cwd=repo)
    assert result.exit_code == 1, result.err
    suite = parse(result.out).find("testsuite")
    assert suite is not None
    cases = {(c.get("name"), c.find("failure") is not None) for c in suite.findall("testcase")}
    assert cases == {("ETQ101 dags/maria/taxi.py:2:11", True), ("ETQ301 dags/maria/we\\x01ird.py:1:10", False)}
    assert suite.get("failures") == "1"
