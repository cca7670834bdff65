"""The teacher's audit on a class repository with a real git history, in every format."""

from __future__ import annotations

import json
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, git, make_repo, run_installed

SCHEMA = json.loads((ROOT / "docs" / "audit.schema.json").read_text(encoding="utf-8"))


def validated(text: str) -> dict:  # type: ignore[type-arg]
    """The audit's JSON output, checked against the published schema (docs/audit.schema.json)."""
    report = json.loads(text)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)
    assert report["$schema"] == SCHEMA["$id"]
    return report  # type: ignore[no-any-return]


CODEOWNERS = """\
/dags/example_class_demo.py   @lassebenni
/requirements.txt             @lassebenni
/dags/lasse/    @lasse-gh
/dags/maria/    @maria-gh
/dags/sofia/    @sofia-gh
/dags/bob/      @bob-gh
"""

TAXI = """\
import os
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag

STUDENT = os.environ.get("AIRFLOW_STUDENT") or Path(__file__).parent.name
SCHEMA = f"airflow_{STUDENT}"


@dag(
    dag_id=f"{STUDENT}_taxi_pipeline",
    schedule="@monthly",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["week11", f"student:{STUDENT}"],
)
def taxi_pipeline():
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    PostgresHook(postgres_conn_id="azure_pg").run(f'DELETE FROM "{SCHEMA}".raw_trips')


taxi_pipeline()
"""

MARIA_CITIES = """\
from airflow import DAG

CITIES = ["ams", "rtm"]
for city in CITIES:
    with DAG(dag_id=f"maria_{city}_weather", schedule="@daily", tags=["student:maria"]) as dag:
        pass
"""

# Sofia copied Maria's weather DAG for Amsterdam without renaming it.
SOFIA_COPY = """\
from airflow import DAG

dag = DAG("maria_ams_weather", schedule="@hourly", tags=["student:sofia"])
"""

STRAY = """\
from airflow.sdk import dag


@dag(dag_id="quick_test")
def quick_test():
    pass
"""

TEACHER = """\
from airflow.sdk import dag


@dag(dag_id="class_demo_hello", schedule="@daily", tags=["teacher"])
def class_demo_hello():
    pass
"""


def commit(repo: Path, message: str, email: str) -> str:
    git(repo, "add", "-A")
    env = {
        **os.environ,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_NAME": email.split("@")[0],
        "GIT_COMMITTER_NAME": email.split("@")[0],
        "GIT_AUTHOR_DATE": "2026-03-01T10:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-03-01T10:00:00+00:00",
    }
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, check=True)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def class_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    repo = make_repo(
        tmp_path_factory.mktemp("audit") / "class-airflow",
        {
            ".github/CODEOWNERS": CODEOWNERS,
            "requirements.txt": "apache-airflow-providers-postgres\n",
            "dags/example_class_demo.py": TEACHER,
            "dags/lasse/taxi_pipeline.py": TAXI,
        },
        config='admins = ["teacher"]\nshared-connections = ["azure_pg"]\n[tool.airflow-etiquette.owners]\n'
        'teacher = { github = "lassebenni", emails = ["teacher@school.example"] }\n',
    )
    commits = {"init": commit(repo, "init: scaffold class repo", "teacher@school.example")}
    # Maria works on a branch and merges it through a pull request.
    git(repo, "checkout", "-q", "-b", "maria/weather")
    (repo / "dags/maria").mkdir()
    (repo / "dags/maria/taxi_pipeline.py").write_text(TAXI)
    (repo / "dags/maria/cities.py").write_text(MARIA_CITIES)
    (repo / "dags/lasse/taxi_pipeline.py").write_text(TAXI + "# maria fixed lasse's file\n")
    commits["maria"] = commit(repo, "feat(maria): weather DAGs", "shared@school.example")
    git(repo, "checkout", "-q", "main")
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", "Merge pull request #3 from class-org/maria/weather", "maria/weather"],
        cwd=repo,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "shared@school.example",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "shared@school.example",
            "GIT_AUTHOR_DATE": "2026-03-01T10:00:00+00:00",
            "GIT_COMMITTER_DATE": "2026-03-01T10:00:00+00:00",
        },
    )
    commits["merge"] = git(repo, "rev-parse", "HEAD").strip()
    # Sofia commits straight to main, with the class's commit convention, and touches requirements.txt.
    (repo / "dags/sofia").mkdir()
    (repo / "dags/sofia/taxi_pipeline.py").write_text(TAXI)
    (repo / "dags/sofia/weather_copy.py").write_text(SOFIA_COPY)
    (repo / "requirements.txt").write_text("apache-airflow-providers-postgres\npandas\n")
    commits["sofia"] = commit(repo, "fix(sofia): add weather", "shared@school.example")
    (repo / "dags/stray_test.py").write_text(STRAY)
    commits["stray"] = commit(repo, "quick test", "nobody@example.com")
    return repo, commits


def test_json_report_per_owner_with_repository_rules_and_history(class_repo: tuple[Path, dict[str, str]]) -> None:
    repo, commits = class_repo
    result = run_installed("audit", "--format", "json", "--history", f"{commits['init']}..HEAD", cwd=repo)
    assert result.exit_code == 1, result.err
    report = validated(result.out)
    owners = {o["owner"]: o for o in report["owners"]}
    # The worst first: sofia (3 errors: her own two and a commit outside her folder), maria (a
    # duplicate and a merged pull request that edited lasse's file), the stray file; then the clean,
    # the teacher's demo DAG among them; bob, who never made his folder, last.
    assert [(o["owner"], o["status"], o["errors"]) for o in report["owners"]] == [
        ("sofia", "errors", 3),
        ("maria", "errors", 2),
        ("(no owner)", "errors", 1),
        ("lasse", "clean", 0),
        ("shared (maintainers)", "clean", 0),
        ("bob", "no directory", 0),
    ]
    assert owners["shared (maintainers)"]["files"] == ["dags/example_class_demo.py"]
    assert owners["lasse"]["dags"] == [
        {
            "path": "dags/lasse/taxi_pipeline.py",
            "dag_id": "lasse_taxi_pipeline",
            "schedule": "@monthly",
            "catchup": False,
            "catchup_text": "False",
            "tags": ["week11", "student:lasse"],
            "runs_per_day": pytest.approx(12 / 365),
            "backfill_runs": 0,
        }
    ]
    assert owners["lasse"]["schemas"] == ["airflow_lasse"] and owners["lasse"]["connections"] == ["azure_pg"]
    assert sorted(d["dag_id"] for d in owners["maria"]["dags"]) == [
        "maria_ams_weather",
        "maria_rtm_weather",
        "maria_taxi_pipeline",
    ]
    assert owners["bob"] == {**owners["bob"], "status": "no directory", "has_directory": False, "files": []}
    assert report["missing_directories"] == ["bob"]
    # The duplicate, reported at both places; the stray top-level DAG.
    duplicates = sorted(
        (f["path"], f["line"], f["message"]) for o in report["owners"] for f in o["findings"] if f["code"] == "ETQ104"
    )
    assert duplicates == [
        (
            "dags/maria/cities.py",
            5,
            'dag_id "maria_ams_weather" is also defined in dags/sofia/weather_copy.py:3; '
            "the scheduler keeps only one of them, so one DAG silently disappears",
        ),
        (
            "dags/sofia/weather_copy.py",
            3,
            'dag_id "maria_ams_weather" is also defined in dags/maria/cities.py:5; '
            "the scheduler keeps only one of them, so one DAG silently disappears",
        ),
    ]
    stray = owners["(no owner)"]["findings"]
    assert [(f["path"], f["code"]) for f in stray] == [("dags/stray_test.py", "ETQ203")]
    assert owners["sofia"]["counts"] == {"ETQ101": 1, "ETQ104": 1, "ETQ201": 1}
    assert owners["sofia"]["history"] == [commits["sofia"]] and owners["maria"]["history"] == [commits["merge"]]
    # The header adds up with the table.
    assert report["summary"]["errors"] == sum(o["errors"] for o in report["owners"]) == 6
    assert report["summary"]["owners_by_status"] == {"errors": 2, "warnings": 0, "clean": 1, "no directory": 1}
    assert [(r["code"], r["findings"], r["owners"]) for r in report["summary"]["rules"]] == [
        ("ETQ104", 2, 2),
        ("ETQ201", 2, 2),
        ("ETQ101", 1, 1),
        ("ETQ203", 1, 1),
    ]
    # No remote: named by its folder, never by its path, and no links anywhere.
    assert report["repository"] == {"name": "class-airflow", "url": None, "host": None, "commit": commits["stray"]}
    assert str(repo) not in result.out and "http" not in result.out.replace(SCHEMA["$id"], "")
    # History: the PR merge attributed to maria (lasse's file), sofia's direct commit (requirements.txt).
    history = report["history"]
    assert [
        (v["commit"], v["owner"], v["signal"], [f["path"] for f in v["findings"]]) for v in history["violations"]
    ] == [
        (commits["sofia"], "sofia", "commit scope fix(sofia)", ["requirements.txt"]),
        (commits["merge"], "maria", "pull request branch maria/weather", ["dags/lasse/taxi_pipeline.py"]),
    ]
    assert [v["pull_request"] for v in history["violations"]] == [None, "#3"]
    assert history["unattributed"] == [
        {
            "sha": commits["stray"],
            "date": "2026-03-01T10:00:00+00:00",
            "subject": "quick test",
            "author_name": "nobody",
            "author_email": "nobody@example.com",
            "pull_request": None,
            "url": None,
            "pull_request_url": None,
        }
    ]


def test_text_and_markdown_reports(class_repo: tuple[Path, dict[str, str]]) -> None:
    repo, commits = class_repo
    text = run_installed("audit", "--since", "2026-01-01", cwd=repo)
    assert text.exit_code == 1
    assert text.lines[0] == "airflow-etiquette audit of class-airflow"
    assert text.lines[2].split() == [*"owner status files dags errors warnings waived commits findings".split()]
    assert [line.split()[0] for line in text.lines[3:9]] == ["sofia", "maria", "(no", "lasse", "shared", "bob"]
    assert text.lines[3].split() == [
        "sofia",
        "errors",
        "2",
        "2",
        "3",
        "0",
        "0",
        "1",
        "ETQ101×1",
        "ETQ104×1",
        "ETQ201×1",
    ]
    assert text.lines[6].split() == ["lasse", "clean", "1", "1", "0", "0", "0", "0"]
    assert text.lines[10] == "Owners: 2 with errors, 1 clean, 1 without a directory"
    assert "In CODEOWNERS or the roster but without a directory: bob" in text.out
    # The history comes before the owners' details, the unattributed commit listed in full.
    assert text.out.index("History (since 2026-01-01)") < text.out.index("sofia (errors)")
    assert f"    {commits['stray'][:7]} 2026-03-01 nobody <nobody@example.com>: quick test" in text.lines
    assert (
        f"  {commits['merge'][:7]} 2026-03-01 t <shared@school.example>, attributed to maria (pull request "
        "branch maria/weather): Merge pull request #3 from class-org/maria/weather"
    ) in text.lines
    assert text.lines[-1] == "3 owners, 1 clean; 7 files checked; 6 errors, 0 warnings."

    markdown = run_installed("audit", "--format", "markdown", "--since", "2026-01-01", cwd=repo)
    assert markdown.lines[0] == "# airflow-etiquette audit of `class-airflow`"
    assert "| lasse | ✅ clean | 1 | 1 | 0 | 0 | 0 | 0 |  |" in markdown.lines
    assert "| sofia | ❌ errors | 2 | 2 | 3 | 0 | 0 | 1 | ETQ101×1 ETQ104×1 ETQ201×1 |" in markdown.lines
    assert (
        f"| `{commits['stray'][:7]}` | 2026-03-01 | nobody &lt;nobody@example.com&gt; | quick test |" in markdown.lines
    )
    assert (
        "| maria | `maria_rtm_weather` | @daily | (default) | student:maria | `dags/maria/cities.py` |"
        in markdown.lines
    )


class _Tables(HTMLParser):
    """Collects the owner table rows and every stylesheet or script reference."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.external: list[str] = []
        self._row: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-owner"):
            self._row = values["data-owner"]
            self.rows[self._row] = []
        if tag in ("link", "script", "img") and (values.get("href") or values.get("src")):
            self.external.append(str(values.get("href") or values.get("src")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row and data.strip():
            self.rows[self._row].append(data.strip())


def test_html_report_is_one_self_contained_file(class_repo: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    repo, _ = class_repo
    output = tmp_path / "report.html"
    result = run_installed("audit", "--format", "html", "--output", str(output), cwd=repo)
    assert result.exit_code == 1 and result.out == ""
    assert result.err.startswith(f"airflow-etiquette: wrote {output} (3 owners, 1 clean;")
    page = output.read_text()
    parser = _Tables()
    parser.feed(page)
    assert parser.external == [] and "http://" not in page.replace("http://www.w3.org", "")
    assert parser.rows["lasse"] == ["lasse", "clean", "1", "1", "0", "0", "0", "0"]
    assert parser.rows["maria"][:2] == ["maria", "errors"]
    assert parser.rows["bob"][:2] == ["bob", "no directory"]
    assert list(parser.rows) == ["sofia", "maria", "(no owner)", "lasse", "shared (maintainers)", "bob"]
    assert str(repo) not in page
    assert 'class="status clean"' in page and 'class="status errors"' in page
    assert "dag_id &quot;maria_ams_weather&quot; is also defined in dags/sofia/weather_copy.py:3" in page


def test_audit_usage_errors(class_repo: tuple[Path, dict[str, str]]) -> None:
    repo, _ = class_repo
    html = run_installed("audit", "--format", "html", cwd=repo)
    assert (
        html.exit_code == 2
        and html.err == "airflow-etiquette: error: --format html writes a file: add --output report.html\n"
    )
    both = run_installed("audit", "--history", "HEAD~1..HEAD", "--since", "2026-01-01", cwd=repo)
    assert both.exit_code == 2 and "give one of them" in both.err
    bad_range = run_installed("audit", "--history", "nope..HEAD", cwd=repo)
    assert bad_range.exit_code == 2 and bad_range.err.startswith("airflow-etiquette: error: git log")


def test_unowned_dag_files_with_zero_configuration(tmp_path: Path) -> None:
    dag = 'from airflow.sdk import dag\n\n@dag(dag_id="{0}")\ndef {0}():\n    pass\n'
    repo = make_repo(
        tmp_path / "class",
        {
            # The teacher keeps a folder of their own too, and owns the tests: still the teacher.
            ".github/CODEOWNERS": "/dags/class_demo.py @teacher-gh\n/dags/maria_scratch.py @maria-gh\n"
            "/dags/maria/ @maria-gh\n/dags/teacher/ @teacher-gh\n/tests/ @teacher-gh\n",
            "dags/class_demo.py": dag.format("class_demo"),
            "dags/maria_scratch.py": dag.format("maria_scratch"),
            "dags/nobodys.py": dag.format("nobodys"),
            "dags/maria/taxi.py": dag.format("maria_taxi").replace(")\ndef", ', tags=["student:maria"])\ndef'),
            "dags/teacher/demo.py": dag.format("teacher_demo").replace(")\ndef", ', tags=["student:teacher"])\ndef'),
        },
    )
    result = run_installed("audit", "--format", "json", cwd=repo)
    validated(result.out)
    findings = [
        (f["path"], f["line"], f["code"], f["message"]) for o in result.findings["owners"] for f in o["findings"]
    ]  # type: ignore[index, union-attr]
    assert (result.exit_code, findings) == (
        1,
        [
            (
                "dags/maria_scratch.py",
                3,
                "ETQ203",
                "dags/maria_scratch.py defines DAGs outside every owner directory and "
                "CODEOWNERS gives it to @maria-gh (maria), a student; move it to dags/maria/ or give it to the teacher in CODEOWNERS",
            ),
            (
                "dags/nobodys.py",
                3,
                "ETQ203",
                "dags/nobodys.py defines DAGs outside every owner directory and no CODEOWNERS "
                "entry gives it to the teacher or an admin; move it to dags/<owner>/ or give it to the teacher in CODEOWNERS",
            ),
        ],
    )


def test_the_audit_lists_what_noqa_waived_per_owner(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "class",
        {
            "dags/lasse/taxi_pipeline.py": TAXI + 'LEGACY = "airflow_lasse"  # noqa: ETQ301\n',
            "dags/maria/taxi_pipeline.py": TAXI.replace("@monthly", "@daily")
            + 'hook.run("TRUNCATE public.trips")  # noqa: ETQ302\n',
        },
    )
    text = run_installed("audit", cwd=repo)
    assert text.exit_code == 1  # an error cannot be waived without the teacher's allow-noqa
    assert "  waived by # noqa: dags/lasse/taxi_pipeline.py:25:10: ETQ301 hard-coded schema" in text.out
    assert text.lines[-1] == "2 owners, 1 clean; 2 files checked; 1 error, 0 warnings; 1 waived by # noqa."
    report = validated(run_installed("audit", "--format", "json", cwd=repo).out)
    owners = {o["owner"]: o for o in report["owners"]}
    assert [(f["code"], f["line"]) for f in owners["lasse"]["silenced"]] == [("ETQ301", 25)]
    assert report["summary"]["waived"] == 1 and [o["owner"] for o in report["owners"]] == ["maria", "lasse"]
    assert owners["maria"]["findings"][0]["message"].endswith(
        "(# noqa cannot silence ETQ302: by default it waives warnings only; the teacher's allow-noqa setting says what it may waive)"
    )
    everything = run_installed("audit", "--ignore-noqa", "--format", "json", cwd=repo)
    assert [o["silenced"] for o in validated(everything.out)["owners"]] == [[], []]
    markdown = run_installed("audit", "--format", "markdown", cwd=repo).out
    assert "## Waived by `# noqa`" in markdown and "| lasse | `dags/lasse/taxi_pipeline.py:25` | ETQ301" in markdown


def test_the_audit_says_when_the_work_tree_differs_from_the_commit_its_links_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dags/maria/taxi.py": 'from airflow import DAG\nDAG("taxi")\n'})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    clean = run_installed("audit", cwd=repo)
    assert clean.err == "" and clean.lines[-1].startswith("1 owner, 0 clean; 1 file checked;")
    (repo / "dags/maria/taxi.py").write_text("# moved down\n" + (repo / "dags/maria/taxi.py").read_text())
    dirty = run_installed("audit", cwd=repo)
    assert dirty.err == (
        "airflow-etiquette: 1 file(s) in dags/ have changes not committed: the report reads them as they are, "
        "and its links to the last commit may point at other lines\n"
    )


def test_a_factorys_default_schedule_is_shown_as_its_value(tmp_path: Path) -> None:
    factory = (
        "from airflow.sdk import DAG\n\n"
        "def make_dag(dag_id, schedule=None):\n"
        '    return DAG(dag_id=dag_id, schedule=schedule, tags=["student:lasse"])\n\n'
        'make_dag("lasse_x")\nmake_dag("lasse_y", schedule="@daily")\n'
    )
    root = make_repo(tmp_path / "r", {"dags/lasse/f.py": factory})
    result = run_installed("audit", "--format", "json", cwd=root)
    dags = [(d["dag_id"], d["schedule"]) for o in result.findings["owners"] for d in o["dags"]]  # type: ignore[index, union-attr]
    assert dags == [("lasse_x", "None"), ("lasse_y", "@daily")]


def test_a_factory_defined_in_one_module_is_listed_where_it_is_called(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "r",
        {
            "dags/lasse/common.py": (
                "from airflow.sdk import DAG\n\ndef make_dag(dag_id, schedule=None):\n"
                '    return DAG(dag_id=dag_id, schedule=schedule, tags=["student:lasse"])\n'
            ),
            "dags/lasse/pipelines.py": 'from lasse.common import make_dag\n\nmake_dag("lasse_bronze", "@daily")\n',
        },
    )
    result = run_installed("audit", "--format", "json", cwd=root)
    dags = [(d["path"], d["dag_id"]) for o in result.findings["owners"] for d in o["dags"]]  # type: ignore[index, union-attr]
    assert dags == [("dags/lasse/pipelines.py", "lasse_bronze")]
