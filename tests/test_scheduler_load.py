"""What one owner's DAGs ask of the shared scheduler (issue 14): the load rules through the real
command, the audit's load table, and the configuration keys that set what the class allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import make_repo, run_installed

HEADER = """\
import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import dag, task

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
"""

# A daily DAG that catches up from 2020 to the end of 2024: 1,828 runs whatever the day.
STORM = (
    HEADER
    + """
@dag(
    dag_id=f"{STUDENT}_history",
    schedule="@daily",
    start_date=datetime(2020, 1, 1),
    end_date=datetime(2024, 12, 31),
    catchup=True,
    tags=[f"student:{STUDENT}"],
)
def history():
    @task
    def load():
        pass

    load()


history()
"""
)

EVERY_FIVE = (
    HEADER
    + """
@dag(
    dag_id=f"{STUDENT}_ticker",
    schedule="*/5 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=[f"student:{STUDENT}"],
)
def ticker():
    pass


ticker()
"""
)

PARSE_TIME = """\
from airflow.models import Variable
from airflow.sdk import dag

BUCKET = Variable.get("maria_bucket")


@dag(dag_id="maria_sync", schedule=None, tags=["student:maria"])
def sync():
    pass


sync()
"""


def codes(result: object) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in result.findings]  # type: ignore[attr-defined]


def test_a_backfill_storm_is_counted_and_placed_at_the_start_date(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/history.py": STORM})
    result = run_installed("check", "--format", "json", cwd=repo)
    assert (result.exit_code, codes(result)) == (1, [("dags/lasse/history.py", 12, "ETQ601")]), result.err
    assert result.findings[0]["message"].startswith(
        'catchup=True with start_date 2020-01-01 and schedule "@daily" queues about 1,82'
    )
    assert "(the shared scheduler allows 100)" in result.findings[0]["message"]


def test_the_class_decides_what_is_allowed(tmp_path: Path) -> None:
    files = {"dags/lasse/history.py": STORM, "dags/lasse/ticker.py": EVERY_FIVE}
    strict = make_repo(tmp_path / "strict", files, config='min-schedule-interval = "10m"\n')
    result = run_installed("check", "--format", "json", cwd=strict)
    assert codes(result) == [("dags/lasse/history.py", 12, "ETQ601"), ("dags/lasse/ticker.py", 11, "ETQ602")]
    assert (
        "starts a run every 5 minutes; the shared scheduler allows one every 10 minutes"
        in (result.findings[1]["message"])
    )
    relaxed = make_repo(tmp_path / "relaxed", files, config="max-catchup-runs = 5000\n")
    assert run_installed("check", cwd=relaxed).exit_code == 0


def test_catchup_by_default_follows_the_configured_airflow_version(tmp_path: Path) -> None:
    # Airflow 2 imports and no catchup written: on by Airflow 2's default, off by Airflow 3's
    source = (
        "from datetime import datetime\n\nfrom airflow import DAG\n\n"
        'with DAG("lasse_old", schedule="@daily", start_date=datetime(2020, 1, 1), tags=["student:lasse"]):\n'
        "    pass\n"
    )
    files = {"dags/lasse/old.py": source}
    assert run_installed("check", cwd=make_repo(tmp_path / "auto", files)).exit_code == 0  # not guessed
    two = make_repo(tmp_path / "two", files, config='airflow-version = "2"\n')
    result = run_installed("check", "--format", "json", cwd=two)
    assert codes(result) == [("dags/lasse/old.py", 5, "ETQ601")]
    assert result.findings[0]["message"].startswith("catchup is on by default in Airflow 2")
    off = make_repo(tmp_path / "off", files, config='airflow-version = "2"\ncatchup-by-default = false\n')
    assert run_installed("check", cwd=off).exit_code == 0
    three = make_repo(tmp_path / "three", files, config="airflow-version = 3\n")
    assert run_installed("check", cwd=three).exit_code == 0


def test_the_audit_shows_each_owners_load_and_the_class_total(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/history.py": STORM,
            "dags/lasse/ticker.py": EVERY_FIVE,
            "dags/maria/sync.py": PARSE_TIME,
            "dags/maria/frames.py": "import polars\nimport duckdb\n",  # neither is installed
            "requirements.txt": "pandas\n",
        },
    )
    result = run_installed("audit", "--format", "json", cwd=repo)
    report = json.loads(result.out)
    load = {o["owner"]: o["load"] for o in report["owners"]}
    assert load["lasse"] == {
        "runs_per_day": 289.0,  # 288 every five minutes, 1 daily
        "uncounted_schedules": 0,
        "backfill_runs": 1827,
        "parse_time_calls": 0,
        "heavy_imports": 0,
        "missing_imports": 0,
    }
    assert load["maria"]["parse_time_calls"] == 1 and load["maria"]["runs_per_day"] == 0.0
    assert load["maria"]["missing_imports"] == 2
    assert report["summary"]["load"]["missing_imports"] == 2
    assert report["summary"]["load"]["runs_per_day"] == 289.0
    assert report["summary"]["load"]["parse_time_calls"] == 1
    text = run_installed("audit", cwd=repo).out
    table = text[text.index("Scheduler load") :].splitlines()
    assert table[1].split()[:7] == ["owner", "runs/day", "not", "counted", "backfill", "runs", "parse-time"]
    assert table[2].split()[:4] == ["lasse", "289", "0", "1,827"]  # the heaviest first
    assert table[4].split()[:5] == ["class", "total", "289", "0", "1,827"]
    run_installed("audit", "--format", "html", "--output", str(tmp_path / "audit.html"), cwd=repo)
    html = (tmp_path / "audit.html").read_text()
    assert '<table id="load">' in html and "<td>1,827</td>" in html


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('airflow-version = "4"', '\'airflow-version\' must be one of "auto", "2" or "3"'),
        ("catchup-by-default = 1", "'catchup-by-default' must be true or false"),
        ("max-catchup-runs = 0", "'max-catchup-runs' must be a whole number of runs, at least 1, got an integer (0)"),
        ('min-schedule-interval = "5 minutes"', "'min-schedule-interval' must be a duration like"),
        ('heavy-imports = "torch"', "'heavy-imports' must be a list of module names"),
        ("requirements = [1]", "'requirements' must be a list of requirements files"),
        ("import-names = { yaml = 1 }", "'import-names' must be a table of module = \"distribution\""),
        ("max-retries = -1", "'max-retries' must be a whole number, at least 0"),
        ('require-timeouts = "yes"', "'require-timeouts' must be true or false"),
    ],
)
def test_a_wrong_load_setting_is_one_line_and_exit_2(tmp_path: Path, line: str, message: str) -> None:
    repo = make_repo(tmp_path / "r", {"dags/lasse/ticker.py": EVERY_FIVE}, config=line + "\n")
    result = run_installed("check", cwd=repo)
    assert result.exit_code == 2
    assert result.err.count("\n") == 1 and "pyproject.toml: " in result.err and message in result.err, result.err
