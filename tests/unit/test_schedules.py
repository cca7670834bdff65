"""Schedules as the rules read them: croniter (the library Airflow uses) decides every count, and
is loaded only where one is needed; its import is a sixth of a pre-commit run on one file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import make_repo

DAG = """\
from datetime import datetime, timedelta

from airflow.sdk import dag


@dag(dag_id="lasse_taxi", schedule={schedule}, start_date=datetime(2024, 1, 1), catchup={catchup}, tags=["student:lasse"])
def taxi():
    pass


taxi()
"""

# Analyses the file in this interpreter (as a worker does) and says what it found and whether
# croniter was loaded for it.
PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from airflow_etiquette.config import configure_from, read_work_tree
    from airflow_etiquette.engine.analyze import Settings, analyze_file
    from airflow_etiquette.engine.buffer import buffer_file
    from airflow_etiquette.rules import RULES_BY_CODE

    path = Path(sys.argv[1])
    config = configure_from(path.parents[2], RULES_BY_CODE)(read_work_tree, None)
    file = buffer_file(config, path, path.read_bytes())
    codes = sorted(f.code for f in analyze_file(file, Settings(config, frozenset({"lasse"}))).findings)
    print(",".join(codes) or "-", "croniter" in sys.modules)
    """
)


def check_in_process(tmp_path: Path, schedule: str, catchup: str = "False", config: str = "") -> tuple[str, bool]:
    root = make_repo(
        tmp_path / "r",
        {"dags/lasse/taxi.py": DAG.format(schedule=schedule, catchup=catchup)},
        config=config,
        init_git=False,
    )
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(root / "dags/lasse/taxi.py")], capture_output=True, text=True, check=True
    )
    codes, loaded = proc.stdout.split()
    return codes, loaded == "True"


@pytest.mark.parametrize(
    "schedule", ['"@daily"', '"@monthly"', '"0 6 2 * *"', '"30 */2 * * *"', '"75 * * * *"', "timedelta(hours=1)"]
)
def test_a_schedule_at_most_hourly_is_told_without_croniter(tmp_path: Path, schedule: str) -> None:
    # "75 * * * *" is no cron string (croniter would say so): either way nothing is reported
    assert check_in_process(tmp_path, schedule) == ("-", False)


@pytest.mark.parametrize(
    ("schedule", "found"),
    [('"*/2 9-17 * * 1-5"', "ETQ602"), ('"*/30 * * * *"', "-"), ('"* * * * * *"', "ETQ602"), ('"not cron"', "-")],
)
def test_a_schedule_that_may_be_frequent_is_counted_by_croniter(tmp_path: Path, schedule: str, found: str) -> None:
    assert check_in_process(tmp_path, schedule) == (found, True)


def test_a_stricter_limit_than_an_hour_is_counted_by_croniter(tmp_path: Path) -> None:
    # min-schedule-interval of 2 hours: an hourly schedule is too frequent, and croniter says by how much
    codes, loaded = check_in_process(tmp_path, '"@hourly"', config='min-schedule-interval = "2h"\n')
    assert (codes, loaded) == ("ETQ602", True)


def test_catching_up_counts_its_runs_with_croniter(tmp_path: Path) -> None:
    # a daily schedule from 2024 with catchup on: hundreds of runs queued on the first parse
    assert check_in_process(tmp_path, '"@daily"', catchup="True") == ("ETQ601", True)
